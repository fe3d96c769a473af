/**
 * The properties of each seeded contact, company and deal, awkward cases included: contacts
 * with only an e-mail or nothing at all, emoji, accents, right-to-left and very long names,
 * markup in names, companies without a name or domain, deals without an amount.
 */
import type { CrmRecord, Properties, RecordFrame, Rng } from "./data.ts";
import {
  CITIES,
  COMPANY_KINDS,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  DEAL_PRODUCTS,
  DEAL_STAGES,
  FIRST_NAMES,
  FREEMAIL_DOMAINS,
  INDUSTRIES,
  JOB_TITLES,
  LAST_NAMES,
  LIFECYCLE_STAGES,
  slug,
} from "./names.ts";

const LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff-Hubert-Blaine-".repeat(6) + "Sr.";

/** Awkward contacts at fixed positions, so every seed has them (when there are enough records). */
const ODD_CONTACTS: Record<number, { first: string | null; last: string | null }> = {
  10: { first: "🚀 Rocket", last: "Nguyễn 🌸" },
  12: { first: "Hubert", last: LONG_NAME },
  15: { first: 'Ben "<b>Bold</b>"', last: "O'Reilly & Sons" },
  18: { first: "Cher", last: null },
  23: { first: "  Padded  ", last: " Spaces " },
  24: { first: "محمد", last: "العلي" },
  25: { first: "太郎", last: "山田" },
};

function phone(random: Rng): string {
  return `+${random.int(1, 49)} ${random.int(20, 99)} ${random.int(100_000, 9_999_999)}`;
}

function uniqueEmail(local: string, domain: string, taken: Set<string>): string {
  let email = `${local}@${domain}`;
  for (let n = 2; taken.has(email.toLowerCase()); n++) email = `${local}${n}@${domain}`;
  taken.add(email.toLowerCase());
  return email;
}

export function contactProperties(
  random: Rng,
  frame: RecordFrame,
  companies: CrmRecord[],
  emails: Set<string>,
): Properties {
  const i = frame.index;
  const odd = ODD_CONTACTS[i];
  const first: string | null = odd ? odd.first : random.pick(FIRST_NAMES);
  const last: string | null = odd ? odd.last : random.pick(LAST_NAMES);
  const company = companies.length > 0 && random.chance(0.7) ? random.pick(companies) : null;
  const domain = company?.properties.domain ?? random.pick(FREEMAIL_DOMAINS);
  const local = slug(`${first ?? ""} ${last ?? ""}`) || `contact${frame.id}`;
  let email: string | null = uniqueEmail(local, domain, emails);
  let firstname = first;
  let lastname = last;
  if (i === 7 || i === 18) email = null; // nothing at all; a first name only
  if (i === 7 || i % 9 === 4) firstname = lastname = null; // i % 9 === 4: only an e-mail
  if (i === 20) email = uniqueEmail("Mixed.Case+crm", "Example.COM", emails);
  return {
    firstname,
    lastname,
    email,
    phone: random.chance(0.6) ? phone(random) : null,
    company: company?.properties.name ?? null,
    jobtitle: random.chance(0.5) ? random.pick(JOB_TITLES) : null,
    lifecyclestage: random.pick(LIFECYCLE_STAGES),
  };
}

export function companyProperties(random: Rng, frame: RecordFrame): Properties {
  const i = frame.index;
  const word = random.pick(COMPANY_WORDS);
  const kind = random.pick(COMPANY_KINDS);
  const [city, country] = random.pick(CITIES);
  let name: string | null = `${word} ${kind} ${random.pick(COMPANY_SUFFIXES)}`;
  let domain: string | null = `${slug(word, "-")}-${slug(kind, "-")}-${frame.id}.example`;
  if (i === 4) name = null; // a domain but no name
  if (i === 6) domain = null; // a name but no domain
  if (i === 8) {
    name = "Café Zürich 🍫 Chocolatiers GmbH & Co. KG";
    domain = `cafe-zurich-${frame.id}.example`;
  }
  if (i === 11) name = `${word} ${"International Holdings ".repeat(8)}Ltd`;
  return {
    name,
    domain,
    industry: random.pick(INDUSTRIES),
    city,
    country,
    phone: random.chance(0.7) ? phone(random) : null,
    numberofemployees: String(random.int(1, 5000)),
  };
}

function amount(random: Rng, i: number): string | null {
  if (i % 13 === 5) return null; // no amount entered
  if (i % 17 === 9) return "0";
  const value = random.int(5, 2000) * 50;
  return random.chance(0.2) ? `${value - 0.5}` : String(value);
}

export function dealProperties(
  random: Rng,
  frame: RecordFrame,
  companies: CrmRecord[],
): Properties {
  const i = frame.index;
  const company = companies.length > 0 ? random.pick(companies).properties.name : null;
  let dealname = `${company ?? "New customer"} – ${random.pick(DEAL_PRODUCTS)}`;
  if (i === 2) dealname = "Ünïcödé deal 💼 «Q3»";
  if (i === 6) dealname = `Multi-year ${"framework agreement ".repeat(12)}(draft)`;
  const closeDate = Date.parse(frame.createdAt) + random.int(14, 120) * 86_400_000;
  return {
    dealname,
    amount: amount(random, i),
    dealstage: random.pick(DEAL_STAGES),
    pipeline: "default",
    closedate: new Date(closeDate).toISOString(),
  };
}
