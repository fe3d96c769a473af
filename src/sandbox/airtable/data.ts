/** Deterministic seeded bases, tables and records for the Airtable sandbox. */
import { prng } from "../hubspot/data.ts";

export interface AirtableField {
  id: string;
  name: string;
  type: string;
}

export interface AirtableRecord {
  id: string;
  createdTime: string;
  /** By field id; empty values are left out, as Airtable does. */
  fields: Record<string, unknown>;
}

export interface AirtableTable {
  id: string;
  name: string;
  primaryFieldId: string;
  fields: AirtableField[];
  records: AirtableRecord[];
}

export interface AirtableBase {
  id: string;
  name: string;
  permissionLevel: "create" | "edit" | "read";
  tables: AirtableTable[];
}

export interface SizeKnobs {
  bases: number;
  tablesPerBase: number;
  recordsPerTable: number;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function idFactory(random: () => number) {
  return (prefix: string) =>
    prefix + Array.from({ length: 14 }, () => ALPHABET[Math.floor(random() * 62)]).join("");
}

/** The hand-shaped default: awkward names, several primary field types, one table over 100. */
const DEFAULT_SHAPE: {
  name: string;
  tables: { name: string; primary: string; records: number }[];
}[] = [
  {
    name: "Product Roadmap 🚀",
    tables: [
      { name: "Features", primary: "singleLineText", records: 237 },
      { name: "Releases", primary: "number", records: 12 },
    ],
  },
  {
    name: "Hiring",
    tables: [
      { name: "Candidates", primary: "collaborator", records: 40 },
      { name: "Interviews", primary: "formula", records: 25 },
      { name: "Empty table", primary: "singleLineText", records: 0 },
    ],
  },
  {
    name: "A base with a very long name that keeps going well past what a table cell would show",
    tables: [{ name: "Links", primary: "multipleRecordLinks", records: 8 }],
  },
  { name: "Inventory", tables: [{ name: "Items ✨", primary: "barcode", records: 60 }] },
];

export function seedAirtable(seed: number, knobs: SizeKnobs | null): AirtableBase[] {
  const random = prng(seed);
  const id = idFactory(random);
  const shape = knobs === null ? DEFAULT_SHAPE : Array.from({ length: knobs.bases }, (_, b) => ({
    name: `Base ${b + 1}`,
    tables: Array.from({ length: knobs.tablesPerBase }, (_, t) => ({
      name: `Table ${t + 1}`,
      primary: "singleLineText",
      records: knobs.recordsPerTable,
    })),
  }));
  const start = Date.UTC(2024, 2, 1);
  return shape.map((b) => ({
    id: id("app"),
    name: b.name,
    permissionLevel: "create",
    tables: b.tables.map((t) => {
      const primary: AirtableField = { id: id("fld"), name: "Name", type: t.primary };
      const notes: AirtableField = { id: id("fld"), name: "Notes", type: "multilineText" };
      return {
        id: id("tbl"),
        name: t.name,
        primaryFieldId: primary.id,
        fields: [primary, notes],
        records: Array.from({ length: t.records }, (_, i): AirtableRecord => {
          const fields: Record<string, unknown> = {};
          const value = primaryValue(t.primary, i, id);
          // Every seventh record has an empty primary field: Airtable omits it.
          if (i % 7 !== 3 && value !== null) fields[primary.id] = value;
          if (i % 2 === 0) fields[notes.id] = `Note ${i}`;
          return {
            id: id("rec"),
            createdTime: new Date(start + i * 60_000).toISOString(),
            fields,
          };
        }),
      };
    }),
  }));
}

function primaryValue(type: string, i: number, id: (p: string) => string): unknown {
  switch (type) {
    case "number":
      return i * 1.5;
    case "collaborator":
      return { id: id("usr"), email: `person${i}@example.com`, name: `Person ${i}` };
    case "formula":
      return `Interview #${i}`;
    case "multipleRecordLinks":
      return [id("rec"), id("rec")];
    case "barcode":
      return { text: `SKU-${1000 + i}` };
    default:
      return i === 5 ? "Ünïcödé ✓ name" : `Row ${i + 1}`;
  }
}
