import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";
import { PROVIDER_IDS } from "./providers/registry.ts";

const KEY = "k1:" + btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));

const productionEnv = {
  APP_ENV: "production",
  APP_URL: "https://hub.example.com",
  UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token",
  ENCRYPTION_KEYS: KEY,
  SESSION_SECRET: "s".repeat(40),
  API_KEYS: "a-very-long-api-key-1",
  HUBSPOT_CLIENT_ID: "id",
  HUBSPOT_CLIENT_SECRET: "secret",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

Deno.test("an empty environment gives development defaults with every sandbox provider", () => {
  const config = loadConfig({});
  assert.equal(config.appEnv, "development");
  assert.equal(config.port, 8000);
  assert.equal(config.appUrl, "http://localhost:8000");
  assert.equal(config.sandbox, true);
  assert.equal(config.upstash, null);
  assert.deepEqual(Object.keys(config.providers), PROVIDER_IDS);
  assert.equal(
    config.providers.hubspot?.tokenUrl,
    "http://localhost:8000/sandbox/hubspot/oauth/v1/token",
  );
  assert.equal(
    config.providers.hubspot?.redirectUri,
    "http://localhost:8000/integrations/hubspot/oauth2callback",
  );
});

Deno.test("with APP_URL unset in development, the hub's URL and callbacks follow PORT", () => {
  const config = loadConfig({ PORT: "8123" });
  assert.equal(config.port, 8123);
  assert.equal(config.appUrl, "http://localhost:8123");
  assert.equal(
    config.providers.notion?.redirectUri,
    "http://localhost:8123/integrations/notion/oauth2callback",
  );
  assert.equal(
    config.providers.notion?.authorizeUrl,
    "http://localhost:8123/sandbox/notion/v1/oauth/authorize",
  );
  const named = loadConfig({ PORT: "8123", APP_URL: "http://hub.test:9000/" });
  assert.equal(named.appUrl, "http://hub.test:9000");
});

Deno.test("production requires APP_URL rather than guessing it from PORT", () => {
  const env: Record<string, string> = { ...productionEnv, PORT: "8443" };
  delete env.APP_URL;
  assert.ok(problemsOf(env).includes("APP_URL: required in production"));
});

Deno.test("a provider with credentials uses the real endpoints unless they are overridden", () => {
  const config = loadConfig({
    HUBSPOT_CLIENT_ID: "id",
    HUBSPOT_CLIENT_SECRET: "secret",
    HUBSPOT_API_URL: "http://127.0.0.1:9999/",
  });
  assert.equal(config.sandbox, false);
  assert.equal(config.providers.hubspot?.authorizeUrl, "https://app.hubspot.com/oauth/authorize");
  assert.equal(config.providers.hubspot?.apiUrl, "http://127.0.0.1:9999");
  assert.equal(config.providers.airtable, undefined);
});

Deno.test("production with everything set starts", () => {
  const config = loadConfig(productionEnv);
  assert.equal(config.sandbox, false);
  assert.equal(config.encryptionKeys?.[0].id, "k1");
  assert.deepEqual(config.apiKeys, ["a-very-long-api-key-1"]);
});

Deno.test("production refuses to start naming each missing or unsafe setting", () => {
  for (
    const name of [
      "UPSTASH_REDIS_REST_URL",
      "ENCRYPTION_KEYS",
      "SESSION_SECRET",
      "API_KEYS",
    ]
  ) {
    const env: Record<string, string> = { ...productionEnv };
    delete env[name];
    const problems = problemsOf(env);
    assert.ok(problems.some((p) => p.includes(name)), `${name} not named in ${problems}`);
  }
  assert.ok(problemsOf({ ...productionEnv, SANDBOX: "true" }).some((p) => p.startsWith("SANDBOX")));
  assert.ok(
    problemsOf({ ...productionEnv, APP_URL: "http://hub.example.com" }).some((p) =>
      p.startsWith("APP_URL")
    ),
  );
});

Deno.test("bad values are all reported in one message", () => {
  const problems = problemsOf({
    PORT: "eighty",
    APP_ENV: "staging",
    ENCRYPTION_KEYS: "k1:short",
  });
  assert.ok(problems.some((p) => p.startsWith("PORT")));
  assert.ok(problems.some((p) => p.startsWith("APP_ENV")));
  const keyProblems = problemsOf({ ENCRYPTION_KEYS: "k1:short", API_KEYS: "tiny" });
  assert.ok(keyProblems.some((p) => p.startsWith("ENCRYPTION_KEYS")));
  assert.ok(keyProblems.some((p) => p.startsWith("API_KEYS")));
});

Deno.test("a client id without its secret is refused", () => {
  const problems = problemsOf({ NOTION_CLIENT_ID: "id" });
  assert.ok(problems.some((p) => p.startsWith("NOTION_CLIENT_SECRET")));
});

Deno.test("a bad value and missing production settings are named together", () => {
  const env: Record<string, string> = { ...productionEnv, PORT: "0" };
  delete env.API_KEYS;
  const problems = problemsOf(env);
  assert.ok(problems.some((p) => p.startsWith("PORT")));
  assert.ok(problems.some((p) => p.startsWith("API_KEYS")));
});

Deno.test("every wait has a bound: defaults, overrides, and bad values named", () => {
  assert.deepEqual(loadConfig({}).limits, {
    storeTimeoutMs: 2_000,
    providerTryTimeoutMs: 10_000,
    providerCallTimeoutMs: 20_000,
    rateLimitWaitMs: 10_000,
    shutdownDrainMs: 10_000,
  });
  assert.deepEqual(
    loadConfig({
      STORE_TIMEOUT_MS: "500",
      PROVIDER_TRY_TIMEOUT_MS: "3000",
      PROVIDER_CALL_TIMEOUT_MS: "7000",
      RATE_LIMIT_WAIT_MS: "0",
      SHUTDOWN_DRAIN_SECONDS: "2.5",
    }).limits,
    {
      storeTimeoutMs: 500,
      providerTryTimeoutMs: 3_000,
      providerCallTimeoutMs: 7_000,
      rateLimitWaitMs: 0,
      shutdownDrainMs: 2_500,
    },
  );
  assert.deepEqual(
    problemsOf({
      STORE_TIMEOUT_MS: "soon",
      PROVIDER_TRY_TIMEOUT_MS: "20000",
      PROVIDER_CALL_TIMEOUT_MS: "10000",
      RATE_LIMIT_WAIT_MS: "-1",
      SHUTDOWN_DRAIN_SECONDS: "3600",
    }),
    [
      "STORE_TIMEOUT_MS: must be a whole number of milliseconds",
      "RATE_LIMIT_WAIT_MS: must be at least 0",
      "SHUTDOWN_DRAIN_SECONDS: must be at most 600",
      "PROVIDER_CALL_TIMEOUT_MS: must be at least PROVIDER_TRY_TIMEOUT_MS",
    ],
  );
});

Deno.test("SANDBOX_TOKEN_TTL_SECONDS sets the sandbox token lifetime, within 1 to 86400 s", () => {
  assert.equal(loadConfig({}).sandboxTokenTtlSeconds, null);
  assert.equal(loadConfig({ SANDBOX_TOKEN_TTL_SECONDS: "90" }).sandboxTokenTtlSeconds, 90);
  for (const bad of ["0", "86401", "1.5", "soon"]) {
    const problems = problemsOf({ SANDBOX_TOKEN_TTL_SECONDS: bad });
    assert.ok(problems.some((p) => p.startsWith("SANDBOX_TOKEN_TTL_SECONDS")), bad);
  }
});
