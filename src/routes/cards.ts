/** The dashboard's provider cards, read from the store: one model per active provider. */
import type { Owner } from "../connections/connections.ts";
import { statusView } from "../connections/status.ts";
import { activeProviders } from "../providers/registry.ts";
import type { Services } from "../services.ts";
import type { ProviderCardModel } from "../../views/dashboard.tsx";

export async function cardsFor(services: Services, owner: Owner): Promise<ProviderCardModel[]> {
  const providers = activeProviders(services);
  const ids = providers.map((p) => p.spec.id);
  const [connections, syncs] = await Promise.all([
    services.connections.getMany(ids, owner),
    services.sync.statuses(ids, owner),
  ]);
  return providers.map(({ spec, app }, i) => {
    const view = statusView(spec.id, connections[i]);
    const sync = syncs[i];
    return {
      id: spec.id,
      displayName: spec.displayName,
      description: spec.description,
      status: view.status,
      accountName: view.account?.name ?? null,
      connectedAt: view.connected_at,
      lastError: view.last_error?.message ?? null,
      sandbox: app.sandbox,
      syncedAt: sync.synced_at,
      sync: sync.state === "never" ? undefined : {
        state: sync.state,
        items: sync.state === "running" ? sync.progress?.done ?? 0 : sync.items,
        total: sync.progress?.total ?? null,
        lastError: sync.last_error?.message ?? null,
      },
    };
  });
}

/** One provider's card, as the dashboard would draw it now. */
export async function cardFor(
  services: Services,
  owner: Owner,
  provider: string,
): Promise<ProviderCardModel> {
  const card = (await cardsFor(services, owner)).find((model) => model.id === provider);
  if (card === undefined) throw new Error(`no card for the active provider ${provider}`);
  return card;
}
