/**
 * Keeps `deno task bench` working: runs it on the smallest account, in its own processes as
 * usual, and reads the row it prints. Speed itself is measured by the bench, not asserted here.
 */
import assert from "node:assert/strict";

Deno.test("the bench lists an account and prints its bound, calls and memory", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("items_bench.tsx", import.meta.url).pathname],
    env: { BENCH_ONLY: "Notion, seed", BENCH_LATENCY_MS: "5" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const row = text.split("\n").find((line) => line.startsWith("| Notion, seed workspace |"));
  assert.ok(row, text);
  const cells = row.split("|").map((cell) => cell.trim());
  const [, , items, wall, bound, ratio, , , perCall, calls, throttled, memory] = cells;
  assert.ok(Number(items) > 0, row);
  assert.match(wall, /^\d+\.\d\d s$/);
  assert.match(bound, /^\d+\.\d\d s$/);
  assert.ok(Number(ratio) >= 1, `a listing cannot beat its lower bound: ${row}`);
  assert.match(perCall, /^\d+\.\d ms$/);
  assert.ok(Number(perCall.split(" ")[0]) >= 5, `the added latency is part of each call: ${row}`);
  assert.equal(calls, "2");
  assert.equal(throttled, "0");
  assert.match(memory, /^\d+ MB \(\+\d+\)$/);
  assert.match(text, /Notion, seed workspace: max\(chain 2 x [\d.]+ ms/);
  assert.match(text, /hub's first request after starting/);
});
