import { z } from "zod";
import { anyProviderCredentials, httpUrl, resolveProviders } from "./provider_config.ts";
import type { ProviderId } from "./providers/registry.ts";
import type { ProviderConfig } from "./providers/spec.ts";
import { DEFAULT_STORE_TIMEOUT_MS } from "./store/store.ts";

export interface EncryptionKey {
  id: string;
  /** 32 raw bytes, base64 in the environment. */
  key: Uint8Array;
}

export interface Config {
  appEnv: "development" | "production";
  port: number;
  /** Public base URL, without a trailing slash; in development `http://localhost:${port}` when unset. */
  appUrl: string;
  upstash: { url: string; token: string } | null;
  /** Mount the emulated providers under /sandbox/{provider}. */
  sandbox: boolean;
  /** How long sandbox access tokens live; null: each emulated provider's own default. */
  sandboxTokenTtlSeconds: number | null;
  /** Providers with an app (real or sandbox); a provider absent here is not configured. */
  providers: Partial<Record<ProviderId, ProviderConfig>>;
  /** Null in development when unset: the Deno entry generates and keeps them. */
  encryptionKeys: EncryptionKey[] | null;
  /** Null in development when unset: the Deno entry generates and keeps one. */
  sessionSecret: string | null;
  apiKeys: string[];
  /** Most provider calls one items request may make; null: no bound (the Workers entry sets one). */
  providerCallBudget: number | null;
  limits: Limits;
  /**
   * How often each connection's copy is brought up to date in the background; null: never in
   * the background (no first sync on connect either), only when POST .../sync asks.
   */
  syncIntervalMs: number | null;
  /** How long a sync's lease lasts unrenewed: how soon another process takes over a dead one's. */
  syncLeaseMs: number;
}

/** Every wait the hub makes is bounded by one of these. */
export interface Limits {
  /** One store command (a round trip to Upstash or Deno KV). */
  storeTimeoutMs: number;
  /** One HTTP request to a provider (API or token endpoint), one try. */
  providerTryTimeoutMs: number;
  /** One provider call with its retries and backoff, from first try to answer. */
  providerCallTimeoutMs: number;
  /** Longest wait for a rate-limit slot on a request path; beyond it: 503 with Retry-After. */
  rateLimitWaitMs: number;
  /** On SIGTERM/SIGINT, how long in-flight requests may still run before the process exits. */
  shutdownDrainMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  storeTimeoutMs: DEFAULT_STORE_TIMEOUT_MS,
  providerTryTimeoutMs: 10_000,
  providerCallTimeoutMs: 20_000,
  rateLimitWaitMs: 10_000,
  shutdownDrainMs: 10_000,
};

/** Raised when the environment cannot make a valid configuration; lists every problem. */
export class ConfigError extends Error {
  readonly code = "invalid_configuration";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

const optionalText = z.string().trim().transform((v) => v === "" ? undefined : v).optional();

const envSchema = z.object({
  APP_ENV: z.enum(["development", "production"], {
    error: "must be development or production",
  }).default("development"),
  PORT: z.coerce.number({ error: "must be a port number" }).int().min(1).max(65535).default(
    8000,
  ),
  APP_URL: httpUrl.optional(),
  UPSTASH_REDIS_REST_URL: httpUrl.optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalText,
  SANDBOX: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  SANDBOX_TOKEN_TTL_SECONDS: z.coerce.number({ error: "must be a whole number of seconds" })
    .int().min(1, { error: "must be at least 1" }).max(86_400, { error: "must be at most 86400" })
    .optional(),
  ENCRYPTION_KEYS: optionalText,
  SESSION_SECRET: optionalText,
  API_KEYS: optionalText,
  PROVIDER_CALL_BUDGET: z.coerce.number({ error: "must be a whole number" }).int().min(1, {
    error: "must be at least 1",
  }).max(10_000).optional(),
  SYNC_INTERVAL_MINUTES: z.coerce.number({ error: "must be a whole number of minutes" }).int({
    error: "must be a whole number of minutes",
  }).min(0, { error: "must be 0 (off) or more" }).max(10_080, { error: "must be at most 10080" })
    .default(15),
  SYNC_LEASE_SECONDS: z.coerce.number({ error: "must be a whole number of seconds" }).int({
    error: "must be a whole number of seconds",
  }).min(5, { error: "must be at least 5" }).max(3600, { error: "must be at most 3600" })
    .default(60),
  STORE_TIMEOUT_MS: milliseconds(100, 60_000),
  PROVIDER_TRY_TIMEOUT_MS: milliseconds(100, 120_000),
  PROVIDER_CALL_TIMEOUT_MS: milliseconds(100, 300_000),
  RATE_LIMIT_WAIT_MS: milliseconds(0, 300_000),
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number({ error: "must be a number of seconds" }).min(0, {
    error: "must be 0 or more",
  }).max(600, { error: "must be at most 600" }).optional(),
});

function milliseconds(min: number, max: number) {
  return z.coerce.number({ error: "must be a whole number of milliseconds" }).int({
    error: "must be a whole number of milliseconds",
  }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` })
    .optional();
}

/** Reads and validates the whole configuration once; throws ConfigError naming each bad setting. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
  // Each setting is parsed on its own so that one message can name every bad one.
  const e = {} as z.infer<typeof envSchema>;
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const parsed = schema.safeParse(cleaned[name]);
    if (parsed.success) {
      (e as Record<string, unknown>)[name] = parsed.data;
    } else {
      problems.push(`${name}: ${parsed.error.issues[0].message}`);
      (e as Record<string, unknown>)[name] = schema.safeParse(undefined).data;
    }
  }
  const production = e.APP_ENV === "production";
  // In development the hub's own address follows PORT, so changing the port alone keeps callbacks
  // and the sandboxes reachable; production has no such guess and must name its public URL.
  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");

  const sandbox = e.SANDBOX === undefined
    ? !production && !anyProviderCredentials(cleaned)
    : e.SANDBOX === "true";
  const providers = resolveProviders(cleaned, appUrl, sandbox, problems);

  const upstashUrl = e.UPSTASH_REDIS_REST_URL;
  const upstashToken = e.UPSTASH_REDIS_REST_TOKEN;
  if ((upstashUrl === undefined) !== (upstashToken === undefined)) {
    problems.push(
      "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: set both or neither",
    );
  }
  const encryptionKeys = e.ENCRYPTION_KEYS === undefined
    ? null
    : parseEncryptionKeys(e.ENCRYPTION_KEYS, problems);
  const apiKeys = (e.API_KEYS ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
  if (apiKeys.some((k) => k.length < 16)) {
    problems.push("API_KEYS: each key must be at least 16 characters");
  }
  if (e.SESSION_SECRET !== undefined && e.SESSION_SECRET.length < 32) {
    problems.push("SESSION_SECRET: must be at least 32 characters");
  }

  const limits: Limits = {
    storeTimeoutMs: e.STORE_TIMEOUT_MS ?? DEFAULT_LIMITS.storeTimeoutMs,
    providerTryTimeoutMs: e.PROVIDER_TRY_TIMEOUT_MS ?? DEFAULT_LIMITS.providerTryTimeoutMs,
    providerCallTimeoutMs: e.PROVIDER_CALL_TIMEOUT_MS ?? DEFAULT_LIMITS.providerCallTimeoutMs,
    rateLimitWaitMs: e.RATE_LIMIT_WAIT_MS ?? DEFAULT_LIMITS.rateLimitWaitMs,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS === undefined
      ? DEFAULT_LIMITS.shutdownDrainMs
      : Math.round(e.SHUTDOWN_DRAIN_SECONDS * 1000),
  };
  if (limits.providerCallTimeoutMs < limits.providerTryTimeoutMs) {
    problems.push("PROVIDER_CALL_TIMEOUT_MS: must be at least PROVIDER_TRY_TIMEOUT_MS");
  }

  if (production) {
    if (!upstashUrl || !upstashToken) {
      problems.push("UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN: required in production");
    }
    if (encryptionKeys === null) problems.push("ENCRYPTION_KEYS: required in production");
    if (e.SESSION_SECRET === undefined) problems.push("SESSION_SECRET: required in production");
    if (apiKeys.length === 0) problems.push("API_KEYS: required in production");
    if (sandbox) problems.push("SANDBOX: must not be on in production");
    if (e.APP_URL === undefined) problems.push("APP_URL: required in production");
    else if (!appUrl.startsWith("https://")) problems.push("APP_URL: must be https in production");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    appEnv: e.APP_ENV,
    port: e.PORT,
    appUrl,
    upstash: upstashUrl && upstashToken ? { url: upstashUrl, token: upstashToken } : null,
    sandbox,
    sandboxTokenTtlSeconds: e.SANDBOX_TOKEN_TTL_SECONDS ?? null,
    providers,
    encryptionKeys,
    sessionSecret: e.SESSION_SECRET ?? null,
    apiKeys,
    providerCallBudget: e.PROVIDER_CALL_BUDGET ?? null,
    limits,
    syncIntervalMs: e.SYNC_INTERVAL_MINUTES === 0 ? null : e.SYNC_INTERVAL_MINUTES * 60_000,
    syncLeaseMs: e.SYNC_LEASE_SECONDS * 1000,
  };
}

function parseEncryptionKeys(raw: string, problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const [index, entry] of raw.split(",").map((s) => s.trim()).entries()) {
    const [id, b64, ...rest] = entry.split(":");
    const bytes = id && b64 && rest.length === 0 ? decodeBase64(b64) : null;
    if (!bytes || bytes.length !== 32 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      problems.push(
        `ENCRYPTION_KEYS: entry ${
          index + 1
        } must be keyid:base64 of 32 bytes (id of letters, digits, - or _)`,
      );
      continue;
    }
    if (keys.some((k) => k.id === id)) {
      problems.push(`ENCRYPTION_KEYS: key id "${id}" appears twice`);
      continue;
    }
    keys.push({ id, key: bytes });
  }
  return keys;
}

function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
