import type { AirtableBase } from "../../src/sandbox/airtable/data.ts";
import { EDIT_ACTIONS } from "../../src/sandbox/airtable/edits.ts";
import { SandboxPage } from "./sandbox_page.tsx";

const ACTION_HELP = "Id: the record, table or base to change; for add_record the table to add " +
  "to, for add_table the base; add_base takes only a name.";

/** The account's bases and tables with their ids, a few records each, and one form to edit. */
export function AirtableEditPage(props: { bases: AirtableBase[]; message: string | null }) {
  return (
    <SandboxPage provider="Airtable" title="Edit records">
      <section class="message">
        <h1>Edit the sandbox account</h1>
        <p>
          Change a record, table or base here, then press Sync now on the hub's dashboard: the next
          sync picks the change up. Edits last until the hub restarts.
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
        {props.bases.map((base) => (
          <>
            <h2>{base.name} ({base.id})</h2>
            <ul>
              {base.tables.map((table) => (
                <li>
                  {table.name} ({table.id}), {table.records.length} records
                  <ul>
                    {table.records.slice(0, 3).map((record) => (
                      <li>{record.id}: {String(record.fields[table.primaryFieldId] ?? "")}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </>
        ))}
      </section>
    </SandboxPage>
  );
}
