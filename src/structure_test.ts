/**
 * The shape issue 17 asked for, kept: no two parts of src/ import each other (a part is a
 * top-level folder, or one file at the top), counting every import of non-test modules,
 * types included. Tests and their helpers' tests may reach anywhere. And no source file in
 * src/ or views/, tests included, is over 300 lines.
 */
import assert from "node:assert/strict";

const SRC = new URL("./", import.meta.url);
const IMPORT =
  /(?:import|export)[^"';]*?from\s+"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

/** src-relative paths of every non-test module. */
async function modules(dir = SRC, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory && entry.name !== "testdata") {
      found.push(...await modules(new URL(`${entry.name}/`, dir), `${path}/`));
    } else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

/** The part of src/ a module belongs to. */
const partOf = (path: string): string => path.includes("/") ? path.split("/")[0] : path;

/** Each part's imports of other parts, with one module import that makes each. */
async function partImports(): Promise<Map<string, Map<string, string>>> {
  const parts = new Map<string, Map<string, string>>();
  for (const path of await modules()) {
    const text = await Deno.readTextFile(new URL(path, SRC));
    for (const match of text.matchAll(IMPORT)) {
      const target = new URL(match[1] ?? match[2], new URL(path, SRC)).href;
      if (!target.startsWith(SRC.href)) continue;
      const [from, to] = [partOf(path), partOf(target.slice(SRC.href.length))];
      if (from === to) continue;
      if (!parts.has(from)) parts.set(from, new Map());
      if (!parts.get(from)!.has(to)) parts.get(from)!.set(to, `${path} -> ${match[1] ?? match[2]}`);
    }
  }
  return parts;
}

Deno.test("no two folders of src/ import each other", async () => {
  const parts = await partImports();
  assert.ok(parts.get("providers")?.has("contract"), "the scan sees the specs' imports");
  const cycles: string[] = [];
  for (const [a, targets] of parts) {
    for (const [b, via] of targets) {
      const back = parts.get(b)?.get(a);
      if (a < b && back !== undefined) cycles.push(`${a} <-> ${b}: ${via}; ${back}`);
    }
  }
  assert.deepEqual(cycles, []);
});

const MAX_LINES = 300;

/** Every .ts and .tsx file below `dir`, tests included, as paths from the repository root. */
async function sourceFiles(dir: URL, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) {
      found.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${path}/`));
    } else if (/\.tsx?$/.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

Deno.test("no source file is over 300 lines", async () => {
  const root = new URL("../", import.meta.url);
  const files = [
    ...await sourceFiles(new URL("src/", root), "src/"),
    ...await sourceFiles(new URL("views/", root), "views/"),
  ];
  assert.ok(files.includes("src/structure_test.ts"), "the walk sees the tests");
  assert.ok(files.some((path) => path.startsWith("views/")), "the walk sees views/");
  const over: string[] = [];
  for (const path of files.sort()) {
    const text = await Deno.readTextFile(new URL(path, root));
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES) over.push(`${path}: ${lines} lines`);
  }
  assert.deepEqual(over, [], `files over ${MAX_LINES} lines`);
});
