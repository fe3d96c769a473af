import type { CrmData } from "../../src/sandbox/hubspot/data.ts";
import { ChoiceField, EditFrame, TextField } from "./edit_form.tsx";

const TYPES = ["contacts", "companies", "deals"] as const;

/** A few recent records of each type, and forms to rename, add and delete. */
export function SandboxEditPage(props: { data: CrmData; message: string | null }) {
  return (
    <EditFrame provider="HubSpot" title="Edit records" what="account" message={props.message}>
      <form method="post" action="edit">
        <input type="hidden" name="action" value="rename" />
        <h2>Rename</h2>
        <ChoiceField name="type" label="Type" values={TYPES} />
        <TextField name="id" label="Id" required max={40} />
        <TextField name="name" label="New name" required max={200} />
        <button type="submit">Rename</button>
      </form>
      <form method="post" action="edit">
        <input type="hidden" name="action" value="add" />
        <h2>Add</h2>
        <ChoiceField name="type" label="Type" values={TYPES} />
        <TextField name="name" label="Name" required max={200} />
        <button type="submit">Add</button>
      </form>
      <form method="post" action="edit">
        <input type="hidden" name="action" value="delete" />
        <h2>Delete</h2>
        <ChoiceField name="type" label="Type" values={TYPES} />
        <TextField name="id" label="Id" required max={40} />
        <button type="submit" class="secondary">Delete</button>
      </form>
      {TYPES.map((type) => (
        <>
          <h2>Some {type}</h2>
          <ul>
            {props.data[type].filter((r) => !r.archived).slice(0, 5).map((r) => (
              <li>
                {r.id}: {r.properties.dealname ?? r.properties.name ??
                  [r.properties.firstname, r.properties.lastname].filter(Boolean).join(" ")}
              </li>
            ))}
          </ul>
        </>
      ))}
    </EditFrame>
  );
}
