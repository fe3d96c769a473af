import { Layout } from "./layout.tsx";
import { ProviderMark } from "./provider_mark.tsx";

/** What a provider card shows: safe, token-free facts about one connection. */
export interface ProviderCardModel {
  id: string;
  displayName: string;
  description: string;
  status: "not_connected" | "connected" | "reconnect_required";
  accountName: string | null;
  connectedAt: string | null;
  lastError: string | null;
  sandbox: boolean;
  /** When the sync engine last brought this connection's items up to date; absent until it has. */
  syncedAt?: string | null;
  /** The connection's sync, once one has been asked for. */
  sync?: CardSync;
}

export interface CardSync {
  state: "never" | "running" | "ok" | "failed";
  /** Items in the copy, or copied so far while running. */
  items: number | null;
  /** The total the provider told, while running (a progress bar), else null. */
  total: number | null;
  lastError: string | null;
}

/** What the user's last action did, said once on the page that follows it. */
export interface Notice {
  kind: "connected" | "disconnected" | "cancelled";
  text: string;
}

export interface DashboardProps {
  owner: { userId: string; orgId: string };
  cards: ProviderCardModel[];
  notice: Notice | null;
}

/** Without JavaScript, Disconnect asks on a page of its own before it posts. */
export function DisconnectConfirmPage(
  props: { owner: { userId: string; orgId: string }; id: string; displayName: string },
) {
  return (
    <Layout title={`Disconnect ${props.displayName}`} signedInAs={props.owner}>
      <section class="message">
        <h1>Disconnect {props.displayName}?</h1>
        <p>
          The hub revokes its access at {props.displayName} where it can and forgets its tokens.
        </p>
        <form method="post" action={`/ui/${props.id}/disconnect`} class="actions">
          <button type="submit" class="danger">Disconnect</button>
          <a href="/" class="button secondary">Cancel</a>
        </form>
      </section>
    </Layout>
  );
}

export const cardId = (provider: string): string => `card-${provider}`;
export const itemsId = (provider: string): string => `items-${provider}`;
export const NOTICE_ID = "notice";

/**
 * The cards side by side, then one panel per provider below them: an open items table never
 * pushes the other cards out of sight.
 */
export function DashboardPage(props: DashboardProps) {
  return (
    <Layout title="Dashboard" signedInAs={props.owner}>
      <div class="page-head">
        <h1>Your integrations</h1>
        <p class="lede">
          Connect an account, then load its items to browse, filter and export them.
        </p>
      </div>
      <NoticeArea notice={props.notice} />
      <div class="cards">
        {props.cards.map((card) => <ProviderCard key={card.id} card={card} />)}
      </div>
      {props.cards.map((card) => <ItemsPanelSlot provider={card.id} />)}
    </Layout>
  );
}

/**
 * Where the banner goes; an htmx answer replaces it out of band (a disconnect says so), and
 * static/app.js empties it when the next request starts.
 */
export function NoticeArea(props: { notice: Notice | null; outOfBand?: boolean }) {
  const n = props.notice;
  return (
    <div id={NOTICE_ID} aria-live="polite" hx-swap-oob={props.outOfBand ? "true" : undefined}>
      {n ? <p class={`notice notice-${n.kind}`} role="status">{n.text}</p> : null}
    </div>
  );
}

/** The empty place a provider's items open into; out of band it closes an open panel. */
export function ItemsPanelSlot(props: { provider: string; outOfBand?: boolean }) {
  return (
    <div
      id={itemsId(props.provider)}
      class="items-panel"
      hx-swap-oob={props.outOfBand ? "true" : undefined}
    >
    </div>
  );
}

const STATUS_LABEL = {
  not_connected: "Not connected",
  connected: "Connected",
  reconnect_required: "Needs reconnect",
} as const;

/**
 * One provider's card; also the fragment htmx swaps after a disconnect, and out of band when a
 * provider call finds the grant dead (so the card never says Connected after that). Reading
 * order: who (mark, name, what it holds), state (badge, account, times, error), then actions.
 */
export function ProviderCard(props: { card: ProviderCardModel; outOfBand?: boolean }) {
  const c = props.card;
  return (
    <section
      class={`card status-${c.status}`}
      id={cardId(c.id)}
      aria-labelledby={`${cardId(c.id)}-title`}
      hx-swap-oob={props.outOfBand ? "true" : undefined}
    >
      <header class="card-head">
        <ProviderMark provider={c.id} />
        <div class="card-title">
          <h2 id={`${cardId(c.id)}-title`}>{c.displayName}</h2>
          {c.sandbox ? <span class="tag">Sandbox</span> : null}
        </div>
        <p class="status-badge" data-status={c.status}>{STATUS_LABEL[c.status]}</p>
      </header>
      <p class="card-desc">{c.description}</p>
      <CardFacts card={c} />
      {c.lastError ? <p class="card-error">{c.lastError}</p> : null}
      <div class="actions card-actions">
        <CardActions card={c} />
        <span id={`${cardId(c.id)}-loading`} class="htmx-indicator">Loading…</span>
      </div>
    </section>
  );
}

/** Account and times of a connection; the last sync line only once a sync has run. */
function CardFacts(props: { card: ProviderCardModel }) {
  const c = props.card;
  if (c.status === "not_connected") {
    return (
      <p class="card-hint">
        Connect takes you to {c.displayName} to approve access, then brings you back here.
      </p>
    );
  }
  return (
    <dl class="facts">
      {c.accountName
        ? (
          <div>
            <dt>Account</dt>
            <dd>{c.accountName}</dd>
          </div>
        )
        : null}
      {c.connectedAt
        ? (
          <div>
            <dt>Connected since</dt>
            <dd>
              <time datetime={c.connectedAt}>{formatDate(c.connectedAt)}</time>
            </dd>
          </div>
        )
        : null}
      {c.syncedAt
        ? (
          <div>
            <dt>Last sync</dt>
            <dd>
              <time datetime={c.syncedAt}>{formatDate(c.syncedAt)}</time>
              {c.sync?.items !== null && c.sync?.items !== undefined && c.sync.state !== "running"
                ? ` · ${c.sync.items.toLocaleString("en-US")} items`
                : null}
            </dd>
          </div>
        )
        : null}
      {c.sync ? <SyncFacts id={c.id} sync={c.sync} /> : null}
    </dl>
  );
}

/**
 * A running sync's progress, redrawn every two seconds until it ends; a failed one's error in
 * place (the previous copy stays readable).
 */
function SyncFacts(props: { id: string; sync: CardSync }) {
  const { sync } = props;
  if (sync.state === "running") {
    return (
      <div
        class="sync-progress"
        hx-get={`/ui/${props.id}/card`}
        hx-trigger="every 2s"
        hx-target={`#${cardId(props.id)}`}
        hx-swap="outerHTML"
      >
        <dt>Sync</dt>
        <dd>
          Syncing… {(sync.items ?? 0).toLocaleString("en-US")} items so far
          {sync.total !== null
            ? <progress max={sync.total} value={sync.items ?? 0}>{sync.items}</progress>
            : null}
        </dd>
      </div>
    );
  }
  if (sync.state === "failed") {
    return (
      <div>
        <dt>Sync</dt>
        <dd class="sync-error">Last sync failed: {sync.lastError}</dd>
      </div>
    );
  }
  return null;
}

function CardActions(props: { card: ProviderCardModel }) {
  const c = props.card;
  return (
    <>
      {c.status === "connected"
        ? (
          <a
            class="button"
            href={`/items/${c.id}`}
            hx-get={`/ui/${c.id}/browser`}
            hx-target={`#${itemsId(c.id)}`}
            aria-controls={itemsId(c.id)}
            hx-indicator={`#${cardId(c.id)}-loading`}
          >
            Load items
          </a>
        )
        : (
          <form method="post" action={`/integrations/${c.id}/connect`}>
            <button type="submit">
              {c.status === "reconnect_required" ? "Reconnect" : "Connect"}
            </button>
          </form>
        )}
      {c.status === "connected"
        ? (
          <form
            method="post"
            action={`/ui/${c.id}/sync`}
            hx-post={`/ui/${c.id}/sync`}
            hx-target={`#${cardId(c.id)}`}
            hx-swap="outerHTML"
          >
            <button type="submit" class="secondary">Sync now</button>
          </form>
        )
        : null}
      {c.status === "not_connected" ? null : (
        <form
          method="get"
          action={`/ui/${c.id}/disconnect`}
          hx-post={`/ui/${c.id}/disconnect`}
          hx-target={`#${cardId(c.id)}`}
          hx-swap="outerHTML"
          hx-confirm={`Disconnect ${c.displayName}? The hub forgets its tokens.`}
        >
          <button type="submit" class="secondary">Disconnect</button>
        </form>
      )}
    </>
  );
}

function formatDate(iso: string): string {
  return iso.slice(0, 16).replace("T", " ") + " UTC";
}
