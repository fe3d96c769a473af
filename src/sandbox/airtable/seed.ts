/** Deterministic bases, tables and records for the Airtable sandbox, from a seed. */
import {
  type AirtableBase,
  type AirtableField,
  type AirtableRecord,
  type AirtableTable,
  type BaseShape,
  DEFAULT_SHAPE,
  GENERATED_DEFAULTS,
  type PrimaryKind,
  type TableShape,
} from "./data.ts";
import { prng } from "../prng.ts";

export interface SizeKnobs {
  bases?: number;
  tablesPerBase?: number;
  recordsPerTable?: number;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

type IdMaker = (prefix: string) => string;

/** Airtable ids: a three-letter prefix and 14 letters or digits (appXXXXXXXXXXXXXX). */
function idMaker(random: () => number): IdMaker {
  return (prefix) =>
    prefix + Array.from({ length: 14 }, () => ALPHABET[Math.floor(random() * 62)]).join("");
}

const FIELD_TYPES: Record<PrimaryKind, string> = {
  text: "singleLineText",
  number: "number",
  formula: "formula",
  links: "multipleRecordLinks",
  collaborator: "singleCollaborator",
  barcode: "barcode",
  date: "date",
  empty: "singleLineText",
};

/** The default hand-shaped account, or a generated one when any size knob is given. */
export function seedAirtable(seed: number, knobs: SizeKnobs | null): AirtableBase[] {
  const id = idMaker(prng(seed));
  const shape = knobs === null ? DEFAULT_SHAPE : generatedShape(knobs);
  return shape.map((base) => {
    const tables: AirtableTable[] = [];
    for (const table of base.tables) tables.push(buildTable(table, tables, id));
    return { id: id("app"), name: base.name, permissionLevel: base.permissionLevel, tables };
  });
}

function generatedShape(knobs: SizeKnobs): BaseShape[] {
  const size = { ...GENERATED_DEFAULTS, ...knobs };
  return Array.from({ length: size.bases }, (_, b) => ({
    name: `Base ${b + 1}`,
    permissionLevel: "create",
    tables: Array.from({ length: size.tablesPerBase }, (_, t) => ({
      name: `Table ${t + 1}`,
      primary: "text",
      records: size.recordsPerTable,
    })),
  }));
}

const START = Date.UTC(2024, 2, 1, 9, 0, 0);

function buildTable(shape: TableShape, earlier: AirtableTable[], id: IdMaker): AirtableTable {
  const target = shape.linksTo === undefined
    ? undefined
    : earlier.find((t) => t.name === shape.linksTo);
  const primary = primaryField(shape, id("fld"), target);
  const notes: AirtableField = { id: id("fld"), name: "Notes", type: "multilineText" };
  const points: AirtableField = {
    id: id("fld"),
    name: "Points",
    type: "number",
    options: { precision: 0 },
  };
  const done: AirtableField = {
    id: id("fld"),
    name: "Done",
    type: "checkbox",
    options: { color: "greenBright", icon: "check" },
  };
  const tableId = id("tbl");
  const records = Array.from({ length: shape.records }, (_, i): AirtableRecord => {
    const fields: Record<string, unknown> = {};
    const value = primaryValue(shape.primary, i, id, target);
    if (value !== null) fields[primary.id] = value;
    if (i % 2 === 0) fields[notes.id] = `Note ${i}\nwith a second line`;
    if (i % 3 !== 1) fields[points.id] = i % 5;
    if (i % 4 === 0) fields[done.id] = true;
    const createdTime = new Date(START + i * 61_000).toISOString();
    return { id: id("rec"), createdTime, lastModifiedTime: createdTime, fields };
  });
  return {
    id: tableId,
    name: shape.name,
    ...(shape.description === undefined ? {} : { description: shape.description }),
    primaryFieldId: primary.id,
    fields: [primary, notes, points, done],
    views: [{ id: id("viw"), name: "Grid view", type: "grid" }],
    records,
  };
}

function primaryField(shape: TableShape, id: string, target?: AirtableTable): AirtableField {
  const field: AirtableField = { id, name: "Name", type: FIELD_TYPES[shape.primary] };
  if (shape.primary === "formula") {
    field.options = {
      formula: '"Item #" & RECORD_ID()',
      isValid: true,
      referencedFieldIds: [],
      result: { type: "singleLineText" },
    };
  } else if (shape.primary === "links" && target) {
    field.options = { linkedTableId: target.id, isReversed: false, prefersSingleRecordLink: false };
  } else if (shape.primary === "date") {
    field.options = { dateFormat: { name: "iso", format: "YYYY-MM-DD" } };
  }
  return field;
}

/** A primary cell value, or null for an empty one (every seventh record, and `empty` tables). */
function primaryValue(kind: PrimaryKind, i: number, id: IdMaker, target?: AirtableTable): unknown {
  if (kind === "empty" || i % 7 === 3) return null;
  switch (kind) {
    case "number":
      return i * 1.5;
    case "formula":
      return `Interview #${i + 1} — round ${1 + (i % 3)}`;
    case "links": {
      const pool = target?.records ?? [];
      if (pool.length === 0) return null;
      return [pool[i % pool.length].id, pool[(i * 3 + 1) % pool.length].id];
    }
    case "collaborator":
      return i === 2
        ? { id: id("usr"), email: "no.name@example.com" }
        : { id: id("usr"), email: `person${i}@example.com`, name: `Person ${i}` };
    case "barcode":
      return { text: `SKU-${1000 + i}`, type: "code128" };
    case "date":
      return `2025-03-${String(1 + i).padStart(2, "0")}`;
    default:
      return TEXT_SPECIALS[i] ?? `Feature ${i + 1}`;
  }
}

/** Names that test escaping, Unicode and trimming. */
const TEXT_SPECIALS: Record<number, string> = {
  5: "Ünïcödé ✓ name",
  8: '<b>Bold</b> & "quoted"',
  11: "  padded with spaces  ",
};
