/**
 * The sandbox workspace: a hand-shaped default with the awkward cases Notion produces, and a
 * generated one of any size for benchmarks.
 */
import { Builder } from "./builder.ts";
import { type NotionData, type NotionObject, text, underPage, WORKSPACE } from "./data.ts";

/** Rows in the "Sprint tasks" database: more than one search page of 100. */
export const LARGE_DATABASE_ROWS = 120;

function frame(b: Builder): Omit<NotionData, "objects" | "unshared"> {
  return {
    workspace: { id: b.uuid(), name: "Acme Sandbox", icon: "🧪" },
    owner: {
      object: "user",
      id: b.user.id,
      name: "Sandbox User",
      avatar_url: null,
      type: "person",
      person: { email: "sandbox.user@example.com" },
    },
  };
}

/** Nested pages and databases, awkward titles and parents outside what search shows. */
export function seedDefault(seed = 7): NotionData {
  const b = new Builder(seed);
  const head = frame(b);
  const all: NotionObject[] = [];
  const add = <T extends NotionObject>(o: T): T => (all.push(o), o);

  const home = add(b.page([text("Company Home")], WORKSPACE, { icon: emoji("🏠") }));
  const engineering = add(b.page([text("Engineering")], underPage(home), { icon: emoji("🛠️") }));
  const architecture = add(b.page([text("Architecture")], underPage(engineering)));
  add(b.page([text("Decision log")], underPage(architecture), { icon: emoji("📜") }));
  add(b.page([text("ADR 7: "), text("queues", true)], underPage(architecture)));

  const tasks = add(b.database([text("Sprint tasks")], underPage(engineering), "Task"));
  for (let i = 1; i <= LARGE_DATABASE_ROWS; i++) {
    add(
      b.row(tasks, i % 40 === 0 ? [] : [text(`Task ${i}: ${b.pick(VERBS)} the ${b.pick(NOUNS)}`)]),
    );
  }

  const notes = add(b.page([text("Meeting notes")], underPage(home), { icon: emoji("🗓️") }));
  const meetings = add(b.database([text("Meetings 📅")], underPage(notes), "Name"));
  for (const title of ["Weekly sync", "Retro", "Planning", "1:1 with Dana", "Offsite"]) {
    add(b.row(meetings, [text(title)]));
  }

  const roadmap = add(b.page([text("Roadmap 🚀")], WORKSPACE));
  const projects = add(b.database([text("Projects")], underPage(roadmap), "Project name"));
  for (const title of ["Apollo", "Borealis", "", "Cassini"]) {
    add(b.row(projects, title === "" ? [] : [text(title)]));
  }
  const reading = add(b.database([text("Reading list")], WORKSPACE, "Title", emoji("📚")));
  add(b.row(reading, [text("The Pragmatic Programmer")]));
  add(b.row(reading, [text("   ")]));
  add(b.database([], underPage(roadmap), "Name"));

  add(b.page([], WORKSPACE));
  add(b.page([text("🎉🎉🎉")], WORKSPACE, { icon: emoji("🎉") }));
  add(b.page([text("x".repeat(1992) + " the end")], WORKSPACE));
  add(b.page([text("מסמך בעברית")], underPage(home)));
  add(b.page([text("ملاحظات الاجتماع")], underPage(home)));
  add(b.page([text("Inside a toggle")], { type: "block_id", block_id: b.uuid() }));

  const secret = b.page([text("Private notes")], WORKSPACE);
  add(b.page([text("Shared child of a private page")], underPage(secret)));
  const trashed = add(b.page([text("Old draft")], underPage(home)));
  trashed.archived = true;
  trashed.in_trash = true;
  return { ...head, objects: all, unshared: [secret] };
}

/** About `pages` pages in a random tree, one database per 15 objects, reproducible by seed. */
export function seedGenerated(seed: number, pages: number): NotionData {
  const b = new Builder(seed);
  const head = frame(b);
  const all: NotionObject[] = [];
  const containers: NotionObject[] = [];
  let made = 0;
  while (made < pages) {
    const parent = containers.length === 0 || b.chance(0.1) ? null : b.pick(containers);
    if (all.length % 15 === 14) {
      const key = b.pick(["Name", "Task", "Title", "Item"]);
      const db = b.database(
        [text(`${b.pick(NOUNS)} tracker`)],
        parent ? underPage(parent) : WORKSPACE,
        key,
      );
      all.push(db);
      for (let i = 0; i < 5 && made < pages; i++, made++) {
        all.push(b.row(db, [text(`${b.pick(VERBS)} ${b.pick(NOUNS)} ${made}`)]));
      }
      continue;
    }
    const title = b.chance(0.03) ? [] : [text(`${b.pick(NOUNS)} ${made}`)];
    const page = b.page(title, parent ? underPage(parent) : WORKSPACE);
    all.push(page);
    containers.push(page);
    made++;
  }
  return { ...head, objects: all, unshared: [] };
}

const emoji = (value: string) => ({ type: "emoji" as const, emoji: value });

const VERBS = ["Fix", "Ship", "Review", "Draft", "Measure", "Refactor", "Document", "Plan"];
const NOUNS = ["login flow", "billing page", "search index", "onboarding", "API docs", "cache"];
