import type { CrmData } from "../../src/sandbox/hubspot/data.ts";
import { SandboxPage } from "./sandbox_page.tsx";

const TYPES = ["contacts", "companies", "deals"] as const;

/** A few recent records of each type, and forms to rename, add and delete. */
export function SandboxEditPage(props: { data: CrmData; message: string | null }) {
  return (
    <SandboxPage provider="HubSpot" title="Edit records">
      <section class="message">
        <h1>Edit the sandbox account</h1>
        <p>
          Change a record here, then press Sync now on the hub's dashboard: the next sync picks the
          change up. Edits last until the hub restarts.
        </p>
        {props.message ? <p role="status">{props.message}</p> : null}
        <form method="post" action="edit">
          <input type="hidden" name="action" value="rename" />
          <h2>Rename</h2>
          <TypeField />
          <label class="field">
            <span class="field-label">Id</span>
            <input name="id" required maxlength={40} />
          </label>
          <label class="field">
            <span class="field-label">New name</span>
            <input name="name" required maxlength={200} />
          </label>
          <button type="submit">Rename</button>
        </form>
        <form method="post" action="edit">
          <input type="hidden" name="action" value="add" />
          <h2>Add</h2>
          <TypeField />
          <label class="field">
            <span class="field-label">Name</span>
            <input name="name" required maxlength={200} />
          </label>
          <button type="submit">Add</button>
        </form>
        <form method="post" action="edit">
          <input type="hidden" name="action" value="delete" />
          <h2>Delete</h2>
          <TypeField />
          <label class="field">
            <span class="field-label">Id</span>
            <input name="id" required maxlength={40} />
          </label>
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
      </section>
    </SandboxPage>
  );
}

function TypeField() {
  return (
    <label class="field">
      <span class="field-label">Type</span>
      <select name="type">
        {TYPES.map((type) => <option value={type}>{type}</option>)}
      </select>
    </label>
  );
}
