import type { AirtableBase } from "../../src/sandbox/airtable/data.ts";
import { EDIT_ACTIONS } from "../../src/sandbox/airtable/edits.ts";
import { ActionForm, EditFrame } from "./edit_form.tsx";

const ACTION_HELP = "Id: the record, table or base to change; for add_record the table to add " +
  "to, for add_table the base; add_base takes only a name.";

/** The account's bases and tables with their ids, a few records each, and one form to edit. */
export function AirtableEditPage(props: { bases: AirtableBase[]; message: string | null }) {
  return (
    <EditFrame provider="Airtable" title="Edit records" what="account" message={props.message}>
      <ActionForm actions={EDIT_ACTIONS} help={ACTION_HELP} />
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
    </EditFrame>
  );
}
