/**
 * Notion objects as the API (version 2022-06-28) serialises them: dashed UUID ids, urls with
 * the undashed id, rich text with plain_text, one title property per page.
 */

export interface RichText {
  type: "text";
  text: { content: string; link: null };
  annotations: {
    bold: boolean;
    italic: boolean;
    strikethrough: boolean;
    underline: boolean;
    code: boolean;
    color: "default";
  };
  plain_text: string;
  href: null;
}

export type Parent =
  | { type: "workspace"; workspace: true }
  | { type: "page_id"; page_id: string }
  | { type: "database_id"; database_id: string }
  | { type: "block_id"; block_id: string };

export type Icon = { type: "emoji"; emoji: string } | {
  type: "external";
  external: { url: string };
} | null;

export interface UserRef {
  object: "user";
  id: string;
}

export type PropertyValue =
  | { id: string; type: "title"; title: RichText[] }
  | { id: string; type: "select"; select: { id: string; name: string; color: string } | null }
  | { id: string; type: "checkbox"; checkbox: boolean };

export type PropertySchema =
  | { id: string; name: string; type: "title"; title: Record<string, never> }
  | {
    id: string;
    name: string;
    type: "select";
    select: { options: { id: string; name: string; color: string }[] };
  }
  | { id: string; name: string; type: "checkbox"; checkbox: Record<string, never> };

export interface ObjectBase {
  id: string;
  created_time: string;
  last_edited_time: string;
  created_by: UserRef;
  last_edited_by: UserRef;
  cover: null;
  icon: Icon;
  parent: Parent;
  archived: boolean;
  in_trash: boolean;
  url: string;
  public_url: null;
}

export interface NotionPage extends ObjectBase {
  object: "page";
  properties: Record<string, PropertyValue>;
}

export interface NotionDatabase extends ObjectBase {
  object: "database";
  title: RichText[];
  description: RichText[];
  is_inline: boolean;
  properties: Record<string, PropertySchema>;
}

export type NotionObject = NotionPage | NotionDatabase;

export interface NotionUser {
  object: "user";
  id: string;
  name: string;
  avatar_url: null;
  type: "person";
  person: { email: string };
}

export interface NotionData {
  workspace: { id: string; name: string; icon: string | null };
  owner: NotionUser;
  /** Everything shared with the integration, trashed objects included (search skips those). */
  objects: NotionObject[];
  /** Objects in the workspace that were not shared: parents search never shows. */
  unshared: NotionObject[];
}

export const STATUS_OPTIONS = [
  { id: "s-todo", name: "To do", color: "gray" },
  { id: "s-doing", name: "In progress", color: "blue" },
  { id: "s-done", name: "Done", color: "green" },
];

export function text(content: string, bold = false): RichText {
  return {
    type: "text",
    text: { content, link: null },
    annotations: {
      bold,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: "default",
    },
    plain_text: content,
    href: null,
  };
}

/** Notion's page url: a slug of the title, then the undashed id. */
export function notionUrl(id: string, title: string): string {
  const slug = title.normalize("NFKD").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 60).replace(/-+$/, "");
  const bare = id.replaceAll("-", "");
  return `https://www.notion.so/${slug === "" ? bare : `${slug}-${bare}`}`;
}

export function plain(parts: RichText[]): string {
  return parts.map((p) => p.plain_text).join("");
}

export const WORKSPACE: Parent = { type: "workspace", workspace: true };
export const underPage = (page: NotionObject): Parent => ({ type: "page_id", page_id: page.id });

export function titleOf(object: NotionObject): string {
  if (object.object === "database") return plain(object.title);
  const title = Object.values(object.properties).find((p) => p.type === "title");
  return title?.type === "title" ? plain(title.title) : "";
}
