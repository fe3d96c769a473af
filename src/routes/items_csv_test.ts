import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { toCsv } from "./items_csv.ts";

const HEADER = "id,type,name,parent_id,parent_path_or_name,creation_time,last_modified_time,url";

function rows(csv: string): string[] {
  assert.ok(csv.endsWith("\r\n"));
  return csv.slice(0, -2).split("\r\n");
}

Deno.test("toCsv quotes every cell, doubles quotes and leaves missing values empty", () => {
  const item = makeItem({ id: "7", type: "contact", name: 'Ada "the Countess"' });
  assert.deepEqual(rows(toCsv([item])), [
    HEADER,
    '"7","contact","Ada ""the Countess""","","","","",""',
  ]);
});

Deno.test("toCsv neutralises spreadsheet formulas in every user-controlled cell", () => {
  for (const lead of ["=", "+", "-", "@", "\t", "\r"]) {
    const text = `${lead}HYPERLINK("http://evil.test")`;
    const item = makeItem({
      id: `${lead}1`,
      type: "page",
      name: `x${text}`,
      parent_path_or_name: text,
    });
    const [, row] = rows(toCsv([item]));
    const cells = row.match(/"(?:[^"]|"")*"/g)!;
    assert.equal(cells[0], `"'${lead}1"`, JSON.stringify(lead));
    // Only a leading formula character is neutralised, not one further in.
    assert.equal(cells[2], `"x${text.replaceAll('"', '""')}"`);
    assert.equal(cells[4], `"'${text.replaceAll('"', '""')}"`, JSON.stringify(lead));
  }
});

Deno.test("toCsv of no items is the header line alone", () => {
  assert.equal(toCsv([]), HEADER + "\r\n");
});
