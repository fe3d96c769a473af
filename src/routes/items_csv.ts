import type { IntegrationItem } from "../contract/item.ts";

const CSV_COLUMNS = [
  "id",
  "type",
  "name",
  "parent_id",
  "parent_path_or_name",
  "creation_time",
  "last_modified_time",
  "url",
] as const;

/** Items as a CSV file: every cell quoted, lines ended by CRLF, as spreadsheets expect. */
export function toCsv(items: IntegrationItem[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? "" : String(value);
    // Quote everything; neutralise spreadsheet formulas in user-controlled text.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return `"${safe.replaceAll('"', '""')}"`;
  };
  const lines = [CSV_COLUMNS.join(",")];
  for (const item of items) lines.push(CSV_COLUMNS.map((column) => cell(item[column])).join(","));
  return lines.join("\r\n") + "\r\n";
}
