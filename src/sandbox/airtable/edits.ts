/**
 * Changes to the sandbox account as a user makes them in Airtable: records added, renamed (their
 * primary cell), touched (another cell: LAST_MODIFIED_TIME() moves, the name does not) and
 * deleted; tables and bases added, renamed and deleted. A record's last-modified time moves only
 * when one of its cells changes, as in Airtable: renaming its table or base leaves it.
 */
import { z } from "zod";
import type { EditOutcome } from "../edit_routes.ts";
import type { AirtableBase, AirtableTable } from "./data.ts";
import { type AirtableState, randomId } from "./state.ts";

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;
const id = z.preprocess(blankToUndefined, z.string().trim().min(1).max(40));
const name = z.preprocess(blankToUndefined, z.string().trim().min(1).max(200));

export const editSchema = z.discriminatedUnion("action", [
  /** `id`: the table to add to. */
  z.object({ action: z.literal("add_record"), id, name }),
  z.object({ action: z.literal("rename_record"), id, name }),
  z.object({ action: z.literal("touch_record"), id }),
  z.object({ action: z.literal("delete_record"), id }),
  /** `id`: the base to add to. */
  z.object({ action: z.literal("add_table"), id, name }),
  z.object({ action: z.literal("rename_table"), id, name }),
  z.object({ action: z.literal("delete_table"), id }),
  z.object({ action: z.literal("add_base"), name }),
  z.object({ action: z.literal("rename_base"), id, name }),
  z.object({ action: z.literal("delete_base"), id }),
]);
export type AirtableEdit = z.infer<typeof editSchema>;

export const EDIT_ACTIONS = editSchema.options.map((option) => option.shape.action.value);

const missing = (what: string, id: string): EditOutcome => ({
  status: 404,
  message: `No ${what} ${id} in the sandbox account.`,
});

/** Applies one edit to the account; answers what was done, or why it could not be. */
export function applyEdit(state: AirtableState, edit: AirtableEdit): EditOutcome {
  const now = new Date(state.clock()).toISOString();
  switch (edit.action) {
    case "add_base": {
      const base: AirtableBase = {
        id: randomId("app", 14),
        name: edit.name,
        permissionLevel: "create",
        tables: [newTable("Table 1")],
      };
      state.bases.push(base);
      return { status: 200, message: `Added base ${base.id}.`, id: base.id };
    }
    case "rename_base":
    case "delete_base": {
      const index = state.bases.findIndex((b) => b.id === edit.id);
      if (index < 0) return missing("base", edit.id);
      if (edit.action === "delete_base") {
        state.bases.splice(index, 1);
        return { status: 200, message: `Deleted base ${edit.id}.` };
      }
      state.bases[index].name = edit.name;
      return { status: 200, message: `Renamed base ${edit.id}.` };
    }
    case "add_table": {
      const base = state.bases.find((b) => b.id === edit.id);
      if (base === undefined) return missing("base", edit.id);
      const table = newTable(edit.name);
      base.tables.push(table);
      return { status: 200, message: `Added table ${table.id}.`, id: table.id };
    }
    case "rename_table":
    case "delete_table": {
      const base = state.bases.find((b) => b.tables.some((t) => t.id === edit.id));
      if (base === undefined) return missing("table", edit.id);
      const index = base.tables.findIndex((t) => t.id === edit.id);
      if (edit.action === "delete_table") {
        base.tables.splice(index, 1);
        return { status: 200, message: `Deleted table ${edit.id}.` };
      }
      base.tables[index].name = edit.name;
      return { status: 200, message: `Renamed table ${edit.id}.` };
    }
    case "add_record": {
      const table = findTable(state, edit.id);
      if (table === undefined) return missing("table", edit.id);
      const refused = textPrimaryRefusal(table);
      if (refused) return refused;
      const record = {
        id: randomId("rec", 14),
        createdTime: now,
        lastModifiedTime: now,
        fields: { [table.primaryFieldId]: edit.name },
      };
      table.records.push(record);
      return { status: 200, message: `Added record ${record.id}.`, id: record.id };
    }
    default:
      return editRecord(state, edit, now);
  }
}

function editRecord(
  state: AirtableState,
  edit: Extract<AirtableEdit, { action: "rename_record" | "touch_record" | "delete_record" }>,
  now: string,
): EditOutcome {
  const table = state.bases.flatMap((b) => b.tables).find((t) =>
    t.records.some((r) => r.id === edit.id)
  );
  if (table === undefined) return missing("record", edit.id);
  const index = table.records.findIndex((r) => r.id === edit.id);
  const record = table.records[index];
  if (edit.action === "delete_record") {
    table.records.splice(index, 1);
    return { status: 200, message: `Deleted record ${edit.id}.` };
  }
  if (edit.action === "rename_record") {
    const refused = textPrimaryRefusal(table);
    if (refused) return refused;
    record.fields[table.primaryFieldId] = edit.name;
  } else {
    const notes = table.fields.find((f) => f.id !== table.primaryFieldId);
    if (notes === undefined) {
      return { status: 422, message: `Table ${table.id} has no field besides its primary one.` };
    }
    record.fields[notes.id] = `Edited ${now}`;
  }
  record.lastModifiedTime = now;
  return {
    status: 200,
    message: `${edit.action === "rename_record" ? "Renamed" : "Edited"} record ${edit.id}.`,
  };
}

function findTable(state: AirtableState, id: string): AirtableTable | undefined {
  return state.bases.flatMap((b) => b.tables).find((t) => t.id === id);
}

/** Names typed here go into the primary cell, which must then be a text field. */
function textPrimaryRefusal(table: AirtableTable): EditOutcome | null {
  const primary = table.fields.find((f) => f.id === table.primaryFieldId);
  if (primary?.type === "singleLineText") return null;
  return {
    status: 422,
    message: `The primary field of table ${table.id} is a ${
      primary?.type ?? "missing"
    } field; only text primary fields take a name here.`,
  };
}

/** A table as Airtable creates one: a text primary field and a notes field, no records. */
function newTable(name: string): AirtableTable {
  const primaryFieldId = randomId("fld", 14);
  return {
    id: randomId("tbl", 14),
    name,
    primaryFieldId,
    fields: [
      { id: primaryFieldId, name: "Name", type: "singleLineText" },
      { id: randomId("fld", 14), name: "Notes", type: "multilineText" },
    ],
    views: [{ id: randomId("viw", 14), name: "Grid view", type: "grid" }],
    records: [],
  };
}
