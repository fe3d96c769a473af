/** Airtable cells as text, for a record's name. */

/**
 * Keys that carry an object cell's text, in order: a collaborator's name (else its email), a
 * barcode's text, a button's label, an attachment's filename, an AI text's value, a formula's
 * special value or error.
 */
const TEXT_KEYS = ["name", "text", "label", "filename", "value", "email", "specialValue", "error"];

/**
 * A cell as text, as Airtable's own string format shows it: strings as they are, numbers in
 * full, a checked box as "checked", lists (linked record ids, multiple selects, attachments,
 * lookups) joined by ", ", and the objects Airtable uses for people, barcodes and buttons by
 * their text. Anything else is "".
 */
export function cellText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "checked" : "";
  if (Array.isArray(value)) return value.map(cellText).filter((t) => t !== "").join(", ");
  if (typeof value === "object" && value !== null) {
    const cell = value as Record<string, unknown>;
    for (const key of TEXT_KEYS) {
      const text = cell[key];
      if (typeof text === "string" && text.trim() !== "") return text;
    }
  }
  return "";
}
