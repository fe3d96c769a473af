import { Layout } from "./layout.tsx";

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
          <button type="submit">Disconnect</button>
          <a href="/">Cancel</a>
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
      <h1>Your integrations</h1>
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
 * provider call finds the grant dead (so the card never says Connected after that).
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
      <h2 id={`${cardId(c.id)}-title`}>
        {c.displayName}
        {c.sandbox ? <span class="badge">sandbox</span> : null}
      </h2>
      <p class="muted">{c.description}</p>
      <p class="status" data-status={c.status}>
        <strong>{STATUS_LABEL[c.status]}</strong>
        {c.accountName ? <span>as {c.accountName}</span> : null}
        {c.connectedAt
          ? (
            <span>
              since <time datetime={c.connectedAt}>{formatDate(c.connectedAt)}</time>
            </span>
          )
          : null}
      </p>
      {c.lastError ? <p class="error">{c.lastError}</p> : null}
      <div class="actions">
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
          : null}
        {c.status === "connected"
          ? null
          : (
            <form method="post" action={`/integrations/${c.id}/connect`}>
              <button type="submit">
                {c.status === "reconnect_required" ? "Reconnect" : "Connect"}
              </button>
            </form>
          )}
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
        <span id={`${cardId(c.id)}-loading`} class="htmx-indicator">Loading…</span>
      </div>
    </section>
  );
}

function formatDate(iso: string): string {
  return iso.slice(0, 16).replace("T", " ") + " UTC";
}
