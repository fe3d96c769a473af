/** The unified item of the contract: all 14 fields of the original model, null where unknown. */
export interface IntegrationItem {
  id: string;
  type: string;
  directory: boolean;
  parent_path_or_name: string | null;
  parent_id: string | null;
  name: string;
  creation_time: string | null;
  last_modified_time: string | null;
  url: string | null;
  children: string[] | null;
  mime_type: string | null;
  delta: string | null;
  drive_id: string | null;
  visibility: boolean | null;
}

export type ItemFields =
  & Pick<IntegrationItem, "id" | "type" | "name">
  & Partial<Omit<IntegrationItem, "id" | "type" | "name">>;

/** Builds an item with every field present; an empty name becomes "Untitled". */
export function makeItem(fields: ItemFields): IntegrationItem {
  const name = fields.name.trim();
  return {
    id: fields.id,
    type: fields.type,
    directory: fields.directory ?? false,
    parent_path_or_name: fields.parent_path_or_name ?? null,
    parent_id: fields.parent_id ?? null,
    name: name === "" ? "Untitled" : name,
    creation_time: toIsoUtc(fields.creation_time ?? null),
    last_modified_time: toIsoUtc(fields.last_modified_time ?? null),
    url: fields.url ?? null,
    children: fields.children ?? null,
    mime_type: fields.mime_type ?? null,
    delta: fields.delta ?? null,
    drive_id: fields.drive_id ?? null,
    visibility: fields.visibility ?? null,
  };
}

/** Normalises a provider timestamp to ISO-8601 UTC; unparseable values become null. */
export function toIsoUtc(value: string | null): string | null {
  if (value === null || value === "") return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
