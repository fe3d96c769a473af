/** Deterministic seeded CRM data for the HubSpot sandbox. */

export type ObjectType = "contacts" | "companies" | "deals";

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export type CrmData = Record<ObjectType, CrmRecord[]>;

export interface SeedCounts {
  contacts: number;
  companies: number;
  deals: number;
}

export const DEFAULT_COUNTS: SeedCounts = { contacts: 430, companies: 60, deals: 90 };

/** mulberry32: small, fast, and the same sequence everywhere for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Zoë",
  "José",
  "Søren",
  "Aiyana",
  "Wei",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Torvalds",
  "Hamilton",
  "Müller",
  "García",
  "O'Brien",
];
const WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"];
const SUFFIX = ["Inc", "GmbH", "Ltd", "SA", "Group", "Labs"];
const STAGES = ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "closedwon"];

/** IDs of every type start at 101, so they overlap across types as HubSpot's may. */
const FIRST_ID = 101;

export function seedCrm(seed: number, counts: SeedCounts): CrmData {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const base = Date.UTC(2024, 0, 1);
  const times = (i: number) => {
    const created = base + i * 3_600_000 + Math.floor(random() * 3_600_000);
    const updated = created + Math.floor(random() * 90 * 86_400_000);
    return {
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(updated).toISOString(),
    };
  };
  const archivedEvery = 37;

  const contacts = Array.from({ length: counts.contacts }, (_, i): CrmRecord => {
    const t = times(i);
    const id = String(FIRST_ID + i);
    let firstname: string | null = pick(FIRST);
    let lastname: string | null = pick(LAST);
    let email: string | null = `${firstname.toLowerCase()}.${i}@example.com`;
    if (i % 11 === 3) firstname = lastname = null; // only an email
    if (i === 7) firstname = lastname = email = null; // nothing at all
    if (i === 9) firstname = "🚀 Rocket";
    if (i === 12) lastname = "Wolfeschlegelsteinhausenbergerdorff".repeat(4);
    return {
      id,
      properties: {
        firstname,
        lastname,
        email,
        createdate: t.createdAt,
        lastmodifieddate: t.updatedAt,
        hs_object_id: id,
      },
      ...t,
      archived: i % archivedEvery === archivedEvery - 1,
    };
  });

  const companies = Array.from({ length: counts.companies }, (_, i): CrmRecord => {
    const t = times(i);
    const id = String(FIRST_ID + i);
    const word = pick(WORDS);
    return {
      id,
      properties: {
        name: i === 4 ? "" : `${word} ${pick(SUFFIX)} ${i}`,
        domain: `${word.toLowerCase()}${i}.example.com`,
        createdate: t.createdAt,
        hs_lastmodifieddate: t.updatedAt,
        hs_object_id: id,
      },
      ...t,
      archived: i % archivedEvery === archivedEvery - 1,
    };
  });

  const deals = Array.from({ length: counts.deals }, (_, i): CrmRecord => {
    const t = times(i);
    const id = String(FIRST_ID + i);
    return {
      id,
      properties: {
        dealname: i === 2 ? "Ünïcödé deal 💼" : `${pick(WORDS)} renewal ${i}`,
        amount: String(Math.round(random() * 100_000)),
        dealstage: pick(STAGES),
        pipeline: "default",
        closedate: t.updatedAt,
        createdate: t.createdAt,
        hs_lastmodifieddate: t.updatedAt,
        hs_object_id: id,
      },
      ...t,
      archived: i % archivedEvery === archivedEvery - 1,
    };
  });

  return { contacts, companies, deals };
}

/** The properties HubSpot returns when the request names none. */
export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ["firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id"],
  companies: ["name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"],
  deals: [
    "dealname",
    "amount",
    "dealstage",
    "pipeline",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
    "hs_object_id",
  ],
};
