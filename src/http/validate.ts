import type { z } from "zod";
import { InvalidRequestError } from "../errors.ts";

/** Parses route input with zod; a failure is a 400 that names every bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "request";
    return `${field}: ${issue.message}`;
  });
  throw new InvalidRequestError(`Invalid request. ${problems.join("; ")}.`);
}
