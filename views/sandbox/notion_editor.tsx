import { type NotionObject, titleOf } from "../../src/sandbox/notion/data.ts";
import { EDIT_ACTIONS } from "../../src/sandbox/notion/edits.ts";
import { SandboxPage } from "./sandbox_page.tsx";

const ACTION_HELP = "Id: the page or database to change; for add the page or database to add " +
  "to (empty: a top-level page). Trash takes subpages along; restore brings them back.";

/** The workspace's pages and databases with their ids, most recently edited first, and a form. */
export function NotionEditPage(props: { objects: NotionObject[]; message: string | null }) {
  const recent = [...props.objects]
    .sort((a, b) => b.last_edited_time.localeCompare(a.last_edited_time))
    .slice(0, 30);
  return (
    <SandboxPage provider="Notion" title="Edit pages">
      <section class="message">
        <h1>Edit the sandbox workspace</h1>
        <p>
          Change a page here, then press Sync now on the hub's dashboard: the next sync picks the
          change up. Edits last until the hub restarts.
        </p>
        {props.message ? <p role="status">{props.message}</p> : null}
        <form method="post" action="edit">
          <label class="field">
            <span class="field-label">Action</span>
            <select name="action">
              {EDIT_ACTIONS.map((action) => <option value={action}>{action}</option>)}
            </select>
          </label>
          <p class="muted">{ACTION_HELP}</p>
          <label class="field">
            <span class="field-label">Id</span>
            <input name="id" maxlength={40} />
          </label>
          <label class="field">
            <span class="field-label">Name</span>
            <input name="name" maxlength={200} />
          </label>
          <button type="submit">Apply</button>
        </form>
        <h2>Recently edited</h2>
        <ul>
          {recent.map((o) => (
            <li>
              {o.id}: {o.object} {titleOf(o).slice(0, 80) || "Untitled"}
              {o.in_trash ? " (in the trash)" : ""}, edited {o.last_edited_time}
            </li>
          ))}
        </ul>
      </section>
    </SandboxPage>
  );
}
