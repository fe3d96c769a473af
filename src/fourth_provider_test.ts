/**
 * The README's "Adding a fourth provider", done for real: a copy of the hub gets one new spec
 * module in src/providers/ and its name on the PROVIDERS line of src/providers/registry.ts,
 * nothing else; then a type-checked run of that copy shows config reading the new provider's
 * variables and defaults (and its sandbox endpoints derived from the real ones), the
 * unknown-provider message listing it, and the routes serving it.
 */
import assert from "node:assert/strict";
import { TEST_API_KEY } from "./testing/hub.ts";

const ROOT = new URL("../", import.meta.url);

/** A provider of data only: what the README says its file holds. */
const SPEC = `import type { ProviderSpec } from "./spec.ts";

export const fakedesk: ProviderSpec<"fakedesk"> = {
  id: "fakedesk",
  displayName: "Fakedesk",
  description: "Tickets.",
  itemTypes: ["ticket"],
  endpoints: {
    authorizeUrl: "https://auth.fakedesk.example/oauth/authorize",
    tokenUrl: "https://auth.fakedesk.example/oauth/token",
    apiUrl: "https://api.fakedesk.example",
  },
  oauth: {
    scopes: ["tickets.read"],
    pkce: true,
    clientAuth: "basic",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: false,
  },
  apiHeaders: {},
  rateLimits: {
    rules: [{ name: "token", requests: 10, windowMs: 1000, per: "connection", penaltyMs: 1000 }],
    honoursRetryAfter: true,
    statuses: [429],
  },
  maxPageSize: 100,
  readAccount: () => Promise.resolve({ account: { id: "a", name: "A" }, extra: {}, scopes: [] }),
  startChains: () => [{ chain: "tickets", cursor: null }],
  fetchPage: () => Promise.resolve({ items: [], next: null }),
};
`;

/** Runs in the copy: what config and the routes make of the new provider. */
const PROBE = `import { createApp } from "./src/app.ts";
import { loadConfig } from "./src/config.ts";
import { createKvStore } from "./src/store/kv_store.ts";

const base = { APP_URL: "http://hub.test", API_KEYS: "${TEST_API_KEY}" };
const config = loadConfig({
  ...base,
  FAKEDESK_CLIENT_ID: "fake-client",
  FAKEDESK_CLIENT_SECRET: "fake-secret",
});
const sandboxed = loadConfig({ ...base, SANDBOX: "true" });
const kv = await Deno.openKv(":memory:");
const app = createApp({
  config,
  store: createKvStore(kv),
  encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(3) }],
  sessionSecret: "fourth-provider-session-secret-0123456789",
  log: { info() {}, warn() {}, error() {} },
});
const get = async (path: string) => {
  const response = await app.request("http://hub.test" + path, {
    headers: { Authorization: "Bearer ${TEST_API_KEY}" },
  });
  return { status: response.status, body: await response.json() };
};
const owner = "user_id=ada&org_id=acme";
console.log(JSON.stringify({
  configured: config.providers.fakedesk,
  sandboxed: sandboxed.providers.fakedesk,
  unknown: await get("/integrations/nowhere/status?" + owner),
  authorize: await get("/integrations/fakedesk/authorize?" + owner),
  status: await get("/integrations/fakedesk/status?" + owner),
  list: await get("/integrations?" + owner),
}));
kv.close();
`;

async function copyOfHub(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "fourth-provider-" });
  for (const part of ["src", "views"]) {
    const copied = await new Deno.Command("cp", {
      args: ["-r", new URL(part, ROOT).pathname, dir],
    }).output();
    assert.equal(copied.code, 0);
  }
  for (const file of ["deno.json", "deno.lock", "package.json"]) {
    await Deno.copyFile(new URL(file, ROOT), `${dir}/${file}`);
  }
  await Deno.symlink(new URL("node_modules", ROOT).pathname, `${dir}/node_modules`);
  return dir;
}

Deno.test("a fourth provider is one spec module and its name on the registry's PROVIDERS line", async () => {
  const dir = await copyOfHub();
  try {
    await Deno.writeTextFile(`${dir}/src/providers/fakedesk.ts`, SPEC);
    const registryPath = `${dir}/src/providers/registry.ts`;
    const registry = await Deno.readTextFile(registryPath);
    const line = "export const PROVIDERS = registry({ hubspot, airtable, notion });";
    assert.ok(registry.includes(line), "the registry line the README names");
    await Deno.writeTextFile(
      registryPath,
      `import { fakedesk } from "./fakedesk.ts";\n` +
        registry.replace(line, line.replace("notion }", "notion, fakedesk }")),
    );
    await Deno.writeTextFile(`${dir}/probe.ts`, PROBE);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--check", "--allow-all", "probe.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    const seen = JSON.parse(new TextDecoder().decode(run.stdout));

    assert.deepEqual(seen.configured, {
      clientId: "fake-client",
      clientSecret: "fake-secret",
      redirectUri: "http://hub.test/integrations/fakedesk/oauth2callback",
      authorizeUrl: "https://auth.fakedesk.example/oauth/authorize",
      tokenUrl: "https://auth.fakedesk.example/oauth/token",
      apiUrl: "https://api.fakedesk.example",
      sandbox: false,
    });
    assert.equal(seen.sandboxed.authorizeUrl, "http://hub.test/sandbox/fakedesk/oauth/authorize");
    assert.equal(seen.sandboxed.tokenUrl, "http://hub.test/sandbox/fakedesk/oauth/token");
    assert.equal(seen.sandboxed.apiUrl, "http://hub.test/sandbox/fakedesk");

    assert.equal(seen.unknown.status, 404);
    assert.equal(
      seen.unknown.body.error.message,
      'There is no provider named "nowhere". Use one of: hubspot, airtable, notion, fakedesk.',
    );
    assert.equal(seen.authorize.status, 200);
    const authorize = new URL(seen.authorize.body.authorize_url);
    assert.equal(
      authorize.origin + authorize.pathname,
      "https://auth.fakedesk.example/oauth/authorize",
    );
    assert.equal(authorize.searchParams.get("client_id"), "fake-client");
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.equal(seen.status.status, 200);
    assert.equal(seen.status.body.provider, "fakedesk");
    assert.equal(seen.list.status, 200, JSON.stringify(seen.list.body));
    assert.ok(
      JSON.stringify(seen.list.body).includes('"fakedesk"'),
      JSON.stringify(seen.list.body),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
