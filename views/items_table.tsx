import type { Child } from "hono/jsx";
import type { IntegrationItem } from "../src/contract/item.ts";
import { ProviderMark } from "./provider_mark.tsx";

/** The filters a user applied to a listing; empty strings mean "no filter". */
export interface ItemFilters {
  q: string;
  type: string;
}

export interface ItemsPageModel {
  provider: string;
  types: readonly string[];
  filters: ItemFilters;
  items: IntegrationItem[];
  nextCursor: string | null;
  /** Items per type loaded so far, this page included. */
  counts: Record<string, number>;
  /** Items per type in the whole synced copy; null while the listing is live. */
  totals?: Record<string, number> | null;
  /** Pages loaded so far, this one included (for the export of what was loaded). */
  pages: number;
}

export const resultsId = (provider: string): string => `items-${provider}-results`;
const summaryId = (provider: string) => `items-${provider}-summary`;
const exportId = (provider: string) => `items-${provider}-export`;
const rowsId = (provider: string) => `items-${provider}-rows`;

/** Query string of a listing request: filters, cursor and the running tallies. */
export function itemsQuery(model: ItemsPageModel, cursor: string | null): string {
  const query = new URLSearchParams();
  if (model.filters.q) query.set("q", model.filters.q);
  if (model.filters.type) query.set("type", model.filters.type);
  if (cursor !== null) {
    query.set("cursor", cursor);
    query.set("pages", String(model.pages));
    query.set(
      "counts",
      Object.entries(model.counts).map(([type, n]) => `${type}:${n}`).join(","),
    );
  }
  return query.toString();
}

/**
 * A provider's items as opened from the dashboard, with a Close that empties the panel
 * (static/app.js); without JavaScript the same link leads back to the dashboard.
 */
export function ItemsPanel(
  props: { provider: string; displayName: string; children?: Child },
) {
  const titleId = `items-${props.provider}-title`;
  return (
    <section class="panel" aria-labelledby={titleId}>
      <header class="panel-head">
        <h2 id={titleId}>
          <ProviderMark provider={props.provider} size="small" />
          {props.displayName} items
        </h2>
        <a
          href="/"
          class="button secondary"
          data-close-panel={`items-${props.provider}`}
          data-return-to={`card-${props.provider}`}
        >
          Close<span class="visually-hidden">{props.displayName} items</span>
        </a>
      </header>
      {props.children}
    </section>
  );
}

/** The filter form and the first page of results. Works as a plain GET form without JS. */
export function ItemsBrowser(props: { model: ItemsPageModel }) {
  const m = props.model;
  return (
    <div class="items-browser">
      <form
        class="filters"
        method="get"
        action={`/items/${m.provider}`}
        hx-get={`/ui/${m.provider}/items`}
        hx-trigger="input changed delay:300ms, submit"
        hx-target={`#${resultsId(m.provider)}`}
        hx-indicator={`#${resultsId(m.provider)}-loading`}
        role="search"
      >
        <label class="field field-grow">
          <span class="field-label">Filter by name</span>
          <input
            type="search"
            name="q"
            value={m.filters.q}
            maxlength={200}
            autocomplete="off"
            placeholder="Part of a name"
          />
        </label>
        <label class="field">
          <span class="field-label">Type</span>
          <select name="type">
            <option value="" selected={m.filters.type === ""}>All types</option>
            {m.types.map((type) => (
              <option value={type} selected={m.filters.type === type}>{type}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">Apply</button>
        <span id={`${resultsId(m.provider)}-loading`} class="htmx-indicator" role="status">
          Loading…
        </span>
      </form>
      <div id={resultsId(m.provider)}>
        <ItemsResults model={m} />
      </div>
    </div>
  );
}

/** Summary, export links and the table of one listing's first page. */
export function ItemsResults(props: { model: ItemsPageModel }) {
  const m = props.model;
  return (
    <>
      <div class="results-bar">
        <Summary model={m} />
      </div>
      <div class="table-scroll" tabindex={0} aria-label={`Items from ${m.provider}`}>
        <table class="items-table">
          <caption class="visually-hidden">Items from {m.provider}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Parent</th>
              <th scope="col">Last modified</th>
              <th scope="col">Link</th>
            </tr>
          </thead>
          <tbody id={rowsId(m.provider)}>
            <ItemRows model={m} />
          </tbody>
        </table>
      </div>
    </>
  );
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** Counts per type and the export links, swapped out of band as more pages load. */
function Summary(props: { model: ItemsPageModel; outOfBand?: boolean }) {
  const m = props.model;
  const total = Object.values(m.counts).reduce((a, b) => a + b, 0);
  const exportQuery = new URLSearchParams(itemsQuery(m, null));
  exportQuery.set("pages", String(m.pages));
  return (
    <>
      <p
        id={summaryId(m.provider)}
        class="summary"
        hx-swap-oob={props.outOfBand ? "true" : undefined}
      >
        <span class="total">
          <strong>{total}</strong> loaded{m.nextCursor ? " so far" : ""}
          {m.totals ? ` of ${sum(m.totals).toLocaleString("en-US")} in the copy` : null}
        </span>
        {Object.keys({ ...m.totals, ...m.counts }).map((type) => (
          <span class="count">
            {type} <strong>{m.counts[type] ?? 0}</strong>
            {m.totals ? ` of ${(m.totals[type] ?? 0).toLocaleString("en-US")}` : null}
          </span>
        ))}
      </p>
      <p
        id={exportId(m.provider)}
        class="export"
        hx-swap-oob={props.outOfBand ? "true" : undefined}
      >
        <span class="export-label">Export what is loaded</span>
        <a
          class="button secondary small"
          href={`/ui/${m.provider}/export.json?${exportQuery}`}
          download
        >
          JSON
        </a>
        <a
          class="button secondary small"
          href={`/ui/${m.provider}/export.csv?${exportQuery}`}
          download
        >
          CSV
        </a>
      </p>
    </>
  );
}

/** Rows of one page, then the row that loads the next page in its place. */
export function ItemRows(props: { model: ItemsPageModel; appended?: boolean }) {
  const m = props.model;
  return (
    <>
      {m.items.length === 0 && !props.appended
        ? (
          <tr class="empty">
            <td colspan={5}>No items match.</td>
          </tr>
        )
        : null}
      {m.items.map((item) => (
        <tr>
          <td>{item.name}</td>
          <td>
            <span class="tag">{item.type}</span>
          </td>
          <td>{item.parent_path_or_name ?? ""}</td>
          <td>
            {item.last_modified_time
              ? (
                <time datetime={item.last_modified_time}>
                  {item.last_modified_time.slice(0, 10)}
                </time>
              )
              : ""}
          </td>
          <td>
            {item.url
              ? (
                <a class="external" href={item.url} target="_blank" rel="noopener noreferrer">
                  Open<span class="visually-hidden">{item.name}</span>
                </a>
              )
              : null}
          </td>
        </tr>
      ))}
      {m.nextCursor
        ? (
          <tr class="more">
            <td colspan={5}>
              <a
                href={`/items/${m.provider}?${itemsQuery(m, m.nextCursor)}`}
                hx-get={`/ui/${m.provider}/items?${itemsQuery(m, m.nextCursor)}`}
                hx-target="closest tr"
                hx-swap="outerHTML"
                class="button secondary"
              >
                Load more
              </a>
            </td>
          </tr>
        )
        : null}
      {props.appended ? <Summary model={m} outOfBand /> : null}
    </>
  );
}

/** A provider failure shown where the items would be, with a retry. */
export function ItemsError(
  props: { provider: string; message: string; retryQuery: string; reconnect?: boolean },
) {
  if (props.reconnect) {
    // Retrying cannot help: the grant is gone until the user approves again.
    return (
      <div class="error" role="alert">
        <p>{props.message}</p>
        <form method="post" action={`/integrations/${props.provider}/connect`}>
          <button type="submit">Reconnect</button>
        </form>
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      <p>{props.message}</p>
      <a
        href={`/items/${props.provider}?${props.retryQuery}`}
        hx-get={`/ui/${props.provider}/items?${props.retryQuery}`}
        hx-target="closest div"
        hx-swap="outerHTML"
        class="button"
      >
        Retry
      </a>
    </div>
  );
}
