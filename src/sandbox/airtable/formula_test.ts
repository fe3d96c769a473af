import assert from "node:assert/strict";
import type { AirtableRecord } from "./data.ts";
import { parseFormula } from "./formula.ts";

const at = (time: string): AirtableRecord => ({
  id: "recAAAAAAAAAAAAAA",
  createdTime: "2024-01-01T00:00:00.000Z",
  lastModifiedTime: time,
  fields: {},
});

Deno.test("IS_AFTER(LAST_MODIFIED_TIME(), ...) keeps records changed strictly after the time", () => {
  for (
    const formula of [
      "IS_AFTER(LAST_MODIFIED_TIME(), '2025-01-01T10:00:00.000Z')",
      `is_after( last_modified_time() , "2025-01-01T10:00:00Z" )`,
      "IS_AFTER(LAST_MODIFIED_TIME(), DATETIME_PARSE('2025-01-01T10:00:00.000Z'))",
    ]
  ) {
    const filter = parseFormula(formula);
    assert.equal(typeof filter, "function", formula);
    if (typeof filter !== "function") continue;
    assert.equal(filter(at("2025-01-01T10:00:00.001Z")), true);
    assert.equal(filter(at("2025-01-01T10:00:00.000Z")), false);
    assert.equal(filter(at("2024-12-31T23:00:00.000Z")), false);
  }
});

Deno.test("AND, OR and IS_BEFORE combine; anything else is refused with Airtable's message", () => {
  const window = parseFormula(
    "AND(IS_AFTER(LAST_MODIFIED_TIME(), '2025-01-01'), IS_BEFORE(LAST_MODIFIED_TIME(), '2025-02-01'))",
  );
  assert.equal(typeof window, "function");
  if (typeof window === "function") {
    assert.equal(window(at("2025-01-15T00:00:00.000Z")), true);
    assert.equal(window(at("2025-02-15T00:00:00.000Z")), false);
  }
  const either = parseFormula(
    "OR(IS_BEFORE(LAST_MODIFIED_TIME(), '2025-01-01'), IS_AFTER(LAST_MODIFIED_TIME(), '2025-02-01'))",
  );
  assert.equal(typeof either === "function" && either(at("2025-01-15T00:00:00.000Z")), false);
  for (
    const formula of [
      "1",
      "{Name} = 'x'",
      "IS_AFTER(CREATED_TIME(), '2025-01-01')",
      "IS_AFTER(LAST_MODIFIED_TIME(), 'yesterday')",
      "IS_AFTER(LAST_MODIFIED_TIME(), '2025-01-01'",
      "IS_AFTER(LAST_MODIFIED_TIME(), '2025-01-01') extra",
      "IS_AFTER(LAST_MODIFIED_TIME(), '2025-01-01)",
    ]
  ) {
    const refused = parseFormula(formula);
    assert.ok(typeof refused !== "function", formula);
    if (typeof refused !== "function") {
      assert.match(refused.error, /^The formula for filtering records is invalid/);
    }
  }
});
