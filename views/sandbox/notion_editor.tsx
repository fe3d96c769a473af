import { type NotionObject, titleOf } from "../../src/sandbox/notion/data.ts";
import { EDIT_ACTIONS } from "../../src/sandbox/notion/edits.ts";
import { ActionForm, EditFrame } from "./edit_form.tsx";

const ACTION_HELP = "Id: the page or database to change; for add the page or database to add " +
  "to (empty: a top-level page). Trash takes subpages along; restore brings them back.";

/** The workspace's pages and databases with their ids, most recently edited first, and a form. */
export function NotionEditPage(props: { objects: NotionObject[]; message: string | null }) {
  const recent = [...props.objects]
    .sort((a, b) => b.last_edited_time.localeCompare(a.last_edited_time))
    .slice(0, 30);
  return (
    <EditFrame provider="Notion" title="Edit pages" what="workspace" message={props.message}>
      <ActionForm actions={EDIT_ACTIONS} help={ACTION_HELP} />
      <h2>Recently edited</h2>
      <ul>
        {recent.map((o) => (
          <li>
            {o.id}: {o.object} {titleOf(o).slice(0, 80) || "Untitled"}
            {o.in_trash ? " (in the trash)" : ""}, edited {o.last_edited_time}
          </li>
        ))}
      </ul>
    </EditFrame>
  );
}
