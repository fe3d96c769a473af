import type { Context } from "hono";
import type { z } from "zod";
import { InvalidRequestError } from "../errors.ts";

/**
 * Turns zod's issues into one sentence per bad field, written for people: "user_id: required",
 * "limt: not a parameter of this route", "limit: given more than once". A field's first issue
 * speaks for it; the schemas carry their own wording, so zod's is never shown.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const problems = new Map<string, string>();
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const name = printable(key);
        if (!problems.has(name)) problems.set(name, `${name}: not a parameter of this route`);
      }
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "request";
    if (problems.has(field)) continue;
    problems.set(field, `${printable(field)}: ${wording(issue, valueAt(input, issue.path))}`);
  }
  return [...problems.values()];
}

function wording(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return "required";
  if (Array.isArray(value) && issue.code === "invalid_type" && issue.expected !== "array") {
    return "given more than once; send it once";
  }
  return issue.message;
}

/** The value an issue is about, read from the input (zod's issues leave it out). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A key as it can be named back to its sender: short, no control characters. */
function printable(key: string): string {
  return key.replace(/[\p{Cc}\p{Cf}]/gu, "?").slice(0, 40);
}

export function invalidRequest(problems: string[]): InvalidRequestError {
  return new InvalidRequestError(`Invalid request. ${problems.join("; ")}.`);
}

/** Parses route input with zod; a failure is a 400 that names every bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidRequest(describeIssues(result.error.issues, input));
}

/** A query as the validators see it: a repeated parameter is an array, others a string. */
export function queryOf(c: Context): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
  );
}

/**
 * The OpenAPI routes' validation hook: a failure throws the same 400 as parseInput. The
 * validator hands over the raw input as `data` beside a failure.
 */
export function rejectInvalid(
  result: { data?: unknown } & ({ success: true } | { success: false; error: z.ZodError }),
): void {
  if (!result.success) throw invalidRequest(describeIssues(result.error.issues, result.data));
}
