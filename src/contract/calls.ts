import type { z } from "zod";

/** How the hub sends HTTP requests: the runtime's fetch, unless the entry point gives another. */
export type Fetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** A provider API request, relative to the provider's API base URL. */
export interface ApiRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** The scope of `per: "request_key"` rules (an Airtable base id). */
  rateKey?: string;
  /** What log lines show for a path that holds a secret (HubSpot's token metadata URL). */
  logPath?: string;
}

/** Authenticated, paced, retried calls to the provider on behalf of one connection. */
export interface ProviderApi {
  call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T>;
}
