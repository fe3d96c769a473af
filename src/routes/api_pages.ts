/** What the items and changes routes answer: pages of the synced copy with sealed cursors. */
import type { Owner } from "../connections/connections.ts";
import { InvalidRequestError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { Services } from "../services.ts";
import type { CopyFilters } from "../sync/filters.ts";
import type { ChangesPage, SyncedPage } from "../sync/service.ts";

export interface ItemsRequest {
  limit?: number;
  cursor?: string;
  type?: string | string[];
  q?: string;
  modified_after?: string;
}

/** One page of a (filtered) listing; its next_cursor opens only for this caller and filters. */
export async function itemsPage(
  services: Services,
  provider: ActiveProvider,
  owner: Owner,
  request: ItemsRequest,
  log: Logger,
): Promise<SyncedPage> {
  const binding = { provider: provider.spec.id, owner, filters: filtersFor(provider, request) };
  const cursor = request.cursor === undefined
    ? null
    : await services.cursors.open("cursor", request.cursor, binding);
  const page = await services.sync.list(provider, owner, {
    limit: request.limit ?? null,
    cursor,
    filters: binding.filters,
  }, log);
  return {
    ...page,
    next_cursor: page.next_cursor === null
      ? null
      : await services.cursors.seal("cursor", page.next_cursor, binding),
  };
}

/** One page of the changes feed; its next_since opens only for this caller and provider. */
export async function changesPage(
  services: Services,
  provider: ActiveProvider,
  owner: Owner,
  request: { since?: string; limit?: number },
): Promise<ChangesPage> {
  const binding = { provider: provider.spec.id, owner };
  const since = request.since === undefined
    ? null
    : await services.cursors.open("since", request.since, binding);
  const page = await services.sync.changes(provider, owner, {
    since,
    limit: request.limit ?? 1000,
  });
  return { ...page, next_since: await services.cursors.seal("since", page.next_since, binding) };
}

/** `type` may repeat or hold a comma-separated list; each must be one of the provider's. */
export function filtersFor(provider: ActiveProvider, request: ItemsRequest): CopyFilters {
  const given = request.type === undefined ? [] : [request.type].flat();
  const types = given.flatMap((v) => v.split(",")).map((t) => t.trim()).filter((t) => t !== "");
  const unknown = types.filter((t) => !provider.spec.itemTypes.includes(t));
  if (unknown.length > 0) {
    throw new InvalidRequestError(
      `Invalid request. type: ${unknown[0].slice(0, 40)} is not one of ${
        provider.spec.itemTypes.join(", ")
      }.`,
    );
  }
  return {
    types: [...new Set(types)],
    q: request.q?.toLowerCase() ?? "",
    modifiedAfter: request.modified_after === undefined ? null : Date.parse(request.modified_after),
  };
}
