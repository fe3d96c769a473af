/** The Airtable sandbox's data model: bases, their table schemas and records, as Airtable has them. */

export type PermissionLevel = "none" | "read" | "comment" | "edit" | "create";

export interface AirtableField {
  id: string;
  name: string;
  /** Airtable's field type name (singleLineText, number, multipleRecordLinks, ...). */
  type: string;
  description?: string;
  options?: Record<string, unknown>;
}

export interface AirtableView {
  id: string;
  name: string;
  type: "grid";
}

export interface AirtableRecord {
  id: string;
  /** ISO-8601 with milliseconds, as Airtable writes it. */
  createdTime: string;
  /**
   * When a user last changed a cell (ISO-8601): what LAST_MODIFIED_TIME() reads. Not sent in
   * listings, as Airtable sends it only through a last-modified-time field.
   */
  lastModifiedTime: string;
  /** Cell values by field id. Empty values ("", [], false, null) are absent, as Airtable omits them. */
  fields: Record<string, unknown>;
}

export interface AirtableTable {
  id: string;
  name: string;
  description?: string;
  primaryFieldId: string;
  fields: AirtableField[];
  views: AirtableView[];
  /** In Airtable's stable listing order. */
  records: AirtableRecord[];
}

export interface AirtableBase {
  id: string;
  name: string;
  permissionLevel: PermissionLevel;
  tables: AirtableTable[];
}

/** The user every sandbox token belongs to (whoami). */
export interface AirtableUser {
  id: string;
  email: string;
}

/** The primary field kinds the seed knows how to fill. */
export type PrimaryKind =
  | "text"
  | "number"
  | "formula"
  | "links"
  | "collaborator"
  | "barcode"
  | "date"
  | "empty";

/** A table of the default seed: its primary field's kind and how many records. */
export interface TableShape {
  name: string;
  description?: string;
  primary: PrimaryKind;
  records: number;
  /** For `links`: the name of the table (same base, listed earlier) the links point to. */
  linksTo?: string;
}

export interface BaseShape {
  name: string;
  permissionLevel: PermissionLevel;
  tables: TableShape[];
}

/**
 * The hand-shaped default account: awkward base names (emoji, HTML-ish characters, one very long,
 * one that is only an emoji), a table over 100 records, empty tables, primary fields of several
 * types (text, number, formula text, linked records, a collaborator, a barcode, a date), and
 * records whose primary field is empty.
 */
export const DEFAULT_SHAPE: BaseShape[] = [
  {
    name: "Product Roadmap 🚀",
    permissionLevel: "create",
    tables: [
      { name: "Features", primary: "text", records: 237, description: "Everything we might build" },
      { name: "Releases", primary: "number", records: 12 },
      { name: "Release notes", primary: "formula", records: 9 },
    ],
  },
  {
    name: 'Hiring <2025> & "friends"',
    permissionLevel: "edit",
    tables: [
      { name: "Candidates", primary: "collaborator", records: 40 },
      { name: "Interviews", primary: "formula", records: 25 },
      { name: "Scorecards", primary: "links", records: 15, linksTo: "Interviews" },
      { name: "Archive (empty)", primary: "text", records: 0 },
    ],
  },
  {
    name: "A base with a very long name that keeps going well past what any table cell, card " +
      "or breadcrumb would ever show, because someone pasted a whole sentence into it and then " +
      "kept typing until Airtable's own interface had to cut it off with an ellipsis somewhere",
    permissionLevel: "read",
    tables: [
      { name: "Inventory ✨ / Q&A", primary: "barcode", records: 60 },
      { name: "Nameless rows", primary: "empty", records: 5 },
    ],
  },
  {
    name: "📦",
    permissionLevel: "comment",
    tables: [{ name: "Calendar", primary: "date", records: 7 }],
  },
];

/** Knobs for a generated account (benchmarks); missing ones take these defaults. */
export const GENERATED_DEFAULTS = { bases: 3, tablesPerBase: 2, recordsPerTable: 50 };
