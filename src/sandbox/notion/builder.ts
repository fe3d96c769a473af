/** A deterministic builder of Notion objects: the same seed always builds the same workspace. */
import {
  type Icon,
  type NotionDatabase,
  type NotionPage,
  notionUrl,
  type ObjectBase,
  type Parent,
  plain,
  type PropertyValue,
  type RichText,
  STATUS_OPTIONS,
  type UserRef,
} from "./data.ts";
import { prng as random } from "../prng.ts";

/** Builds objects with deterministic ids and times from one seed. */
export class Builder {
  readonly #next: () => number;
  #minutes = 0;
  readonly user: UserRef;

  constructor(seed: number, private readonly start = Date.UTC(2025, 0, 6, 9, 0)) {
    this.#next = random(seed);
    this.user = { object: "user", id: this.uuid() };
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.#next() * 16).toString(16));
    hex[12] = "4";
    hex[16] = "89ab"[Math.floor(this.#next() * 4)];
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
      h.slice(20)
    }`;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.#next() * list.length)];
  }

  #base(parent: Parent, icon: Icon, title: string): ObjectBase {
    this.#minutes += 1 + Math.floor(this.#next() * 90);
    const created = this.start + this.#minutes * 60_000;
    const edited = created + Math.floor(this.#next() * 60 * 24 * 40) * 60_000;
    const id = this.uuid();
    return {
      id,
      created_time: new Date(created).toISOString(),
      last_edited_time: new Date(edited).toISOString(),
      created_by: this.user,
      last_edited_by: this.user,
      cover: null,
      icon,
      parent,
      archived: false,
      in_trash: false,
      url: notionUrl(id, title),
      public_url: null,
    };
  }

  /** A page; `titleKey` is "title" for standalone pages, the column name for database rows. */
  page(
    title: RichText[],
    parent: Parent,
    options: { icon?: Icon; titleKey?: string; extra?: Record<string, PropertyValue> } = {},
  ): NotionPage {
    const key = options.titleKey ?? "title";
    return {
      object: "page",
      ...this.#base(parent, options.icon ?? null, plain(title)),
      properties: { ...options.extra, [key]: { id: "title", type: "title", title } },
    };
  }

  /** A database whose title column is named `titleKey`, with a Status select and a Done box. */
  database(title: RichText[], parent: Parent, titleKey: string, icon: Icon = null): NotionDatabase {
    const base = this.#base(parent, icon, "");
    return {
      object: "database",
      ...base,
      title,
      description: [],
      is_inline: parent.type === "block_id",
      properties: {
        [titleKey]: { id: "title", name: titleKey, type: "title", title: {} },
        Status: {
          id: "%3AStu",
          name: "Status",
          type: "select",
          select: { options: STATUS_OPTIONS },
        },
        Done: { id: "D%3Fne", name: "Done", type: "checkbox", checkbox: {} },
      },
    };
  }

  /** A row of `database`: a page whose title property carries the database's column name. */
  row(database: NotionDatabase, title: RichText[]): NotionPage {
    const titleKey = Object.entries(database.properties).find(([, p]) => p.type === "title")![0];
    return this.page(title, { type: "database_id", database_id: database.id }, {
      titleKey,
      extra: {
        Status: { id: "%3AStu", type: "select", select: this.pick(STATUS_OPTIONS) },
        Done: { id: "D%3Fne", type: "checkbox", checkbox: this.#next() < 0.3 },
      },
    });
  }

  chance(p: number): boolean {
    return this.#next() < p;
  }
}
