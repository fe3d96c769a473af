// From @hono/zod-openapi: the same zod, extended so these schemas can carry OpenAPI metadata.
import { z } from "@hono/zod-openapi";

/** A user or org id as callers send it: visible characters only, bounded length. */
export const idSchema = z.string({ error: "required" }).trim().min(1, "required").max(
  128,
  "at most 128 characters",
).regex(/^[^\p{Cc}\p{Cf}]+$/u, "must not contain control characters");

/** user_id and org_id in a query or form: optional here, required or checked by the caller rules. */
export const ownerFieldsSchema = z.object({
  user_id: idSchema.optional(),
  org_id: idSchema.optional(),
});
export type OwnerFields = z.infer<typeof ownerFieldsSchema>;
