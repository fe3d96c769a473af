/**
 * The API's input and answer schemas: the routes validate with the input ones, and the OpenAPI
 * document is generated from all of them.
 */
import { z } from "@hono/zod-openapi";
import { idSchema } from "../auth/identity.ts";
import { PROVIDER_IDS } from "../providers/registry.ts";

/** A whole number in decimal digits only: "1e2", "0x10" and " 5" are refused. */
export function wholeNumber(min: number, max: number) {
  const message = `a whole number from ${min} to ${max}`;
  return z.string({ error: message }).regex(/^[0-9]{1,9}$/, message).transform(Number)
    .pipe(z.number().min(min, message).max(max, message))
    .openapi({ type: "integer", minimum: min, maximum: max });
}

/** zod's own rendering of the id pattern is not a JSON Schema pattern; this one is. */
const ID_PATTERN = { pattern: "^[^\\p{Cc}\\p{Cf}]+$", minLength: 1, maxLength: 128 };
const requiredId = idSchema.openapi(ID_PATTERN);

const userId = requiredId.optional().openapi({
  description: "The user the call acts for; required with an API key, else the session's.",
  example: "ada",
});
const orgId = requiredId.optional().openapi({
  description: "The user's organisation; required with an API key, else the session's.",
  example: "acme",
});

export const ownerQuerySchema = z.strictObject({ user_id: userId, org_id: orgId });

export const providerParamsSchema = z.object({
  provider: z.string().openapi({
    param: { name: "provider", in: "path", description: "Which provider's connection." },
    enum: [...PROVIDER_IDS],
    example: "hubspot",
  }),
});

const cursorText = (name: string) =>
  z.string({ error: `the ${name} of an earlier answer, as it was given` })
    .min(1, "must not be empty")
    .max(8000, `longer than any ${name} the hub gives`);

export const itemsQuerySchema = z.strictObject({
  user_id: userId,
  org_id: orgId,
  limit: wholeNumber(1, 1000).optional().openapi({
    description: "Items per page; without it up to 10,000.",
    example: 100,
  }),
  cursor: cursorText("next_cursor").optional().openapi({
    description: "next_cursor of the previous page, with the same filters.",
  }),
  type: z.union([
    z.string({ error: "one of the provider's item types" }).max(200, "at most 200 characters"),
    z.array(z.string().max(200, "at most 200 characters")).max(10, "at most 10 values"),
  ], { error: "one of the provider's item types" }).optional().openapi({
    description: "Item types to list; repeatable or comma-separated (e.g. contact,deal).",
    example: "contact",
  }),
  q: z.string({ error: "1 to 200 characters" }).min(1, "1 to 200 characters")
    .max(200, "1 to 200 characters").optional().openapi({
      description: "Case-insensitive substring of the item's name.",
      example: "ada",
    }),
  modified_after: z.iso.datetime({
    offset: true,
    error: "an ISO-8601 date and time, such as 2026-01-31T12:00:00Z",
  }).optional().openapi({
    description: "Only items whose last_modified_time is later.",
    example: "2026-01-31T12:00:00Z",
  }),
});

export const changesQuerySchema = z.strictObject({
  user_id: userId,
  org_id: orgId,
  since: cursorText("next_since").optional().openapi({
    description: "next_since of an earlier answer; without it, the whole copy as upserts.",
  }),
  limit: wholeNumber(1, 1000).optional().openapi({
    description: "Changes per page (default 1000).",
    example: 500,
  }),
});

export const sessionRequestSchema = z.strictObject({ user_id: requiredId, org_id: requiredId })
  .openapi("SessionRequest", { example: { user_id: "ada", org_id: "acme" } });

export const emptyQuerySchema = z.strictObject({});

// Answers.

export const errorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "invalid_request" }),
    message: z.string().openapi({
      example: "Invalid request. limit: a whole number from 1 to 1000.",
    }),
  }),
}).openapi("Error");

const iso = z.string().openapi({ format: "date-time", example: "2026-01-31T12:00:00.000Z" });

export const itemSchema = z.object({
  id: z.string(),
  type: z.string(),
  directory: z.boolean(),
  parent_path_or_name: z.string().nullable(),
  parent_id: z.string().nullable(),
  name: z.string(),
  creation_time: iso.nullable(),
  last_modified_time: iso.nullable(),
  url: z.string().nullable(),
  children: z.array(z.string()).nullable(),
  mime_type: z.string().nullable(),
  delta: z.string().nullable(),
  drive_id: z.string().nullable(),
  visibility: z.boolean().nullable(),
}).openapi("IntegrationItem", {
  example: {
    id: "contact-101",
    type: "contact",
    directory: false,
    parent_path_or_name: null,
    parent_id: null,
    name: "Ada Lovelace",
    creation_time: "2026-01-02T10:00:00.000Z",
    last_modified_time: "2026-01-30T09:30:00.000Z",
    url: "https://app.hubspot.com/contacts/62515/record/0-1/101",
    children: null,
    mime_type: null,
    delta: null,
    drive_id: null,
    visibility: null,
  },
});

export const syncSchema = z.object({
  state: z.enum(["never", "running", "ok", "failed"]),
  started_at: iso.nullable(),
  finished_at: iso.nullable(),
  synced_at: iso.nullable(),
  items: z.number().int().nullable(),
  progress: z.object({ done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  last_error: z.object({ code: z.string(), message: z.string() }).nullable(),
}).openapi("Sync");

export const statusSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  status: z.enum(["not_connected", "connected", "reconnect_required"]),
  account: z.object({ id: z.string(), name: z.string() }).nullable(),
  connected_at: iso.nullable(),
  scopes: z.array(z.string()),
  last_error: z.object({ code: z.string(), message: z.string(), at: iso }).nullable(),
  sync: syncSchema,
}).openapi("Status");

export const integrationsSchema = z.object({ integrations: z.array(statusSchema) })
  .openapi("Integrations");

export const authorizeSchema = z.object({
  authorize_url: z.string().openapi({
    example: "https://app.hubspot.com/oauth/authorize?client_id=...&state=...",
  }),
}).openapi("Authorize");

export const itemsPageSchema = z.object({
  items: z.array(itemSchema),
  next_cursor: z.string().nullable().openapi({ description: "Opaque; null on the last page." }),
  synced_at: iso.nullable().openapi({
    description: "When the synced copy answered: when it became current; null when listed live.",
  }),
}).openapi("ItemsPage");

export const changesPageSchema = z.object({
  changes: z.array(z.object({
    action: z.enum(["upsert", "delete"]),
    id: z.string(),
    item: itemSchema.nullable(),
    changed_at: iso,
  })),
  next_since: z.string().openapi({ description: "Opaque; pass as since to read on." }),
  has_more: z.boolean(),
}).openapi("ChangesPage");

export const sessionLinkSchema = z.object({
  url: z.string().openapi({ example: "https://hub.example.com/connect/4Vb0..." }),
  expires_at: iso,
}).openapi("SessionLink");

export const healthSchema = z.object({
  ok: z.literal(true),
  store: z.enum(["upstash", "embedded", "memory"]),
}).openapi("Health");

export const healthDownSchema = z.object({
  ok: z.literal(false),
  store: z.enum(["upstash", "embedded", "memory"]),
  error: errorSchema.shape.error,
}).openapi("HealthDown");
