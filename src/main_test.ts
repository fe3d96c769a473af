/** The Deno entry itself: production start-up refuses missing or unsafe settings by name. */
import assert from "node:assert/strict";

const PRODUCTION = {
  APP_ENV: "production",
  APP_URL: "https://hub.example.com",
  UPSTASH_REDIS_REST_URL: "https://upstash.example.com",
  UPSTASH_REDIS_REST_TOKEN: "token",
  ENCRYPTION_KEYS: `k1:${btoa("k".repeat(32))}`,
  SESSION_SECRET: "s".repeat(40),
  API_KEYS: "production-api-key-123",
  HUBSPOT_CLIENT_ID: "id",
  HUBSPOT_CLIENT_SECRET: "secret",
  PORT: "8123",
};

async function start(env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "src/main.ts"],
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("production refuses to start without each required setting, naming it", async () => {
  const cases: [string, Record<string, string>][] = [
    ["UPSTASH_REDIS_REST_URL", { UPSTASH_REDIS_REST_URL: "", UPSTASH_REDIS_REST_TOKEN: "" }],
    ["ENCRYPTION_KEYS", { ENCRYPTION_KEYS: "" }],
    ["SESSION_SECRET", { SESSION_SECRET: "" }],
    ["API_KEYS", { API_KEYS: "" }],
    ["SANDBOX", { SANDBOX: "true" }],
    ["APP_URL", { APP_URL: "http://hub.example.com" }],
  ];
  await Promise.all(cases.map(async ([name, change]) => {
    const { code, stderr } = await start({ ...PRODUCTION, ...change });
    assert.equal(code, 1, `${name}: ${stderr}`);
    assert.match(stderr, new RegExp(`- ${name}\\b`), `${name} not named in: ${stderr}`);
    assert.ok(!stderr.includes("production-api-key-123"), "a secret was printed");
  }));
});
