/** Fakes for Airtable's chain tests (src/providers/airtable*_test.ts): an API and positions. */
import type { z } from "zod";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";
import type { ChainPosition } from "../contract/chains.ts";
import type { RecordsContext } from "../providers/airtable_cursors.ts";

/** Answers each call with `reply(request)`, validated by the caller's schema, and records it. */
export function fakeApi(
  reply: (request: ApiRequest) => unknown,
): ProviderApi & { requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  return {
    requests,
    async call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
      requests.push(request);
      return schema.parse(await reply(request));
    },
  };
}

/** A call with no extra settings. */
export const none = { extra: {} };

/** The recorded payloads' table (src/providers/testdata/airtable_records.json). */
export const APARTMENTS: RecordsContext = {
  baseId: "appLkNDICXNqxSDhG",
  tableId: "tbltp8DGLhqbUmjK1",
  tableName: "Apartments",
  primaryFieldId: "fld1VnoyuotSTyxW1",
};

/** A records chain's position at `cursor` in the table `context`. */
export const recordsAt = (
  cursor: string | null,
  context: RecordsContext = APARTMENTS,
): ChainPosition => ({
  chain: "records",
  cursor,
  group: context.baseId,
  context: { ...context },
});
