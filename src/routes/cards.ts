/** The dashboard's provider cards, read from the store: one model per active provider. */
import type { Owner } from "../connections/connections.ts";
import { statusView } from "../connections/status.ts";
import { activeProviders } from "../providers/registry.ts";
import type { Services } from "../services.ts";
import type { ProviderCardModel } from "../../views/dashboard.tsx";

export async function cardsFor(services: Services, owner: Owner): Promise<ProviderCardModel[]> {
  const providers = activeProviders(services);
  const connections = await services.connections.getMany(providers.map((p) => p.spec.id), owner);
  return providers.map(({ spec, app }, i) => {
    const view = statusView(spec.id, connections[i]);
    return {
      id: spec.id,
      displayName: spec.displayName,
      description: spec.description,
      status: view.status,
      accountName: view.account?.name ?? null,
      connectedAt: view.connected_at,
      lastError: view.last_error?.message ?? null,
      sandbox: app.sandbox,
    };
  });
}
