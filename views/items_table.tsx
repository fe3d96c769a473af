import type { IntegrationItem } from "../src/items/item.ts";

export interface ItemsTableProps {
  provider: string;
  items: IntegrationItem[];
  nextCursor: string | null;
}

/** The items fragment: a table, and a "Load more" row that appends the next page in place. */
export function ItemsTable(props: ItemsTableProps) {
  return (
    <table class="items-table">
      <caption>{props.items.length === 0 ? "No items." : "Items"}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Last modified</th>
          <th scope="col">Open</th>
        </tr>
      </thead>
      <tbody>
        <ItemRows {...props} />
      </tbody>
    </table>
  );
}

/** Rows of one page, followed by the row that loads the next page. */
export function ItemRows(props: ItemsTableProps) {
  return (
    <>
      {props.items.map((item) => (
        <tr>
          <td>{item.name}</td>
          <td>{item.type}</td>
          <td>{item.last_modified_time ?? ""}</td>
          <td>
            {item.url
              ? <a href={item.url} target="_blank" rel="noopener noreferrer">open</a>
              : null}
          </td>
        </tr>
      ))}
      {props.nextCursor
        ? (
          <tr class="more">
            <td colspan={4}>
              <button
                type="button"
                hx-get={`/ui/${props.provider}/items?cursor=${
                  encodeURIComponent(props.nextCursor)
                }`}
                hx-target="closest tr"
                hx-swap="outerHTML"
              >
                Load more
              </button>
            </td>
          </tr>
        )
        : null}
    </>
  );
}

/** A provider failure shown where the items would be, with a retry. */
export function ItemsError(props: { provider: string; message: string }) {
  return (
    <div class="error" role="alert">
      <p>{props.message}</p>
      <button type="button" hx-get={`/ui/${props.provider}/items`} hx-target="closest .items">
        Retry
      </button>
    </div>
  );
}
