/** HubSpot's CRM objects: the types the hub lists, their payloads, and their items. */
import { z } from "zod";
import type { ChainPage, ListingContext } from "../contract/chains.ts";
import { lazyPage } from "../contract/chains.ts";
import type { ProviderApi } from "../contract/calls.ts";
import { type IntegrationItem, makeItem } from "../contract/item.ts";
import { ProviderError } from "../errors.ts";

/** The CRM object types the hub lists, with HubSpot's object type ids used in record URLs. */
export const OBJECT_TYPES = {
  contacts: {
    type: "contact",
    typeId: "0-1",
    properties: "firstname,lastname,email",
    modified: "lastmodifieddate",
  },
  companies: {
    type: "company",
    typeId: "0-2",
    properties: "name,domain",
    modified: "hs_lastmodifieddate",
  },
  deals: { type: "deal", typeId: "0-3", properties: "dealname", modified: "hs_lastmodifieddate" },
} as const;

export const listSchema = z.object({
  results: z.array(z.object({
    id: z.string(),
    properties: z.record(z.string(), z.string().nullable()).default({}),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    archivedAt: z.string().optional(),
  })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
export type CrmRecord = z.infer<typeof listSchema>["results"][number];

export type ObjectTypeName = keyof typeof OBJECT_TYPES;

/** One page of one object type's listing. */
export async function fetchPage(
  position: { chain: string; cursor: string | null },
  pageSize: number,
  api: ProviderApi,
  context: ListingContext,
): Promise<ChainPage> {
  const objectType = position.chain as ObjectTypeName;
  const spec = OBJECT_TYPES[objectType];
  if (spec === undefined) throw new ProviderError(`Unknown HubSpot listing "${position.chain}".`);
  const query: Record<string, string> = { limit: String(pageSize), properties: spec.properties };
  if (position.cursor !== null) query.after = position.cursor;
  const page = await api.call(
    { method: "GET", path: `/crm/v3/objects/${objectType}`, query },
    listSchema,
  );
  const hubId = context.extra.hub_id ?? null;
  return lazyPage(
    page.results,
    (records) => records.map((record) => toItem(objectType, record, hubId)),
    { next: page.paging?.next?.after ?? null },
  );
}

export function toItem(
  objectType: ObjectTypeName,
  record: CrmRecord,
  hubId: string | null,
): IntegrationItem {
  const spec = OBJECT_TYPES[objectType];
  const p = record.properties;
  return makeItem({
    // HubSpot ids are unique only within one object type.
    id: `${spec.type}:${record.id}`,
    type: spec.type,
    name: itemName(objectType, p),
    creation_time: record.createdAt ?? p.createdate ?? null,
    last_modified_time: record.updatedAt ?? p.lastmodifieddate ?? p.hs_lastmodifieddate ?? null,
    url: hubId === null
      ? null
      : `https://app.hubspot.com/contacts/${hubId}/record/${spec.typeId}/${record.id}`,
    visibility: true,
  });
}

function itemName(objectType: ObjectTypeName, p: Record<string, string | null>): string {
  if (objectType === "contacts") {
    const full = [p.firstname, p.lastname].filter((part) => part && part.trim()).join(" ");
    return full || p.email || "";
  }
  return (objectType === "companies" ? p.name : p.dealname) ?? "";
}
