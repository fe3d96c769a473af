/** Deterministic seeded CRM data for the HubSpot sandbox: the records the list API pages through. */
import { companyProperties, contactProperties, dealProperties } from "./records.ts";
import { prng } from "../prng.ts";

export type ObjectType = "contacts" | "companies" | "deals";

/** Values are strings as HubSpot sends them; `null` is a property the record has no value for. */
export type Properties = Record<string, string | null>;

export interface CrmRecord {
  id: string;
  properties: Properties;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export type CrmData = Record<ObjectType, CrmRecord[]>;

export interface SeedCounts {
  contacts: number;
  companies: number;
  deals: number;
}

export const DEFAULT_COUNTS: SeedCounts = { contacts: 430, companies: 60, deals: 90 };

/** Contacts name it `lastmodifieddate`; companies and deals `hs_lastmodifieddate`. */
export const LAST_MODIFIED: Record<ObjectType, string> = {
  contacts: "lastmodifieddate",
  companies: "hs_lastmodifieddate",
  deals: "hs_lastmodifieddate",
};

/** Sent on every record whatever the request names. */
export function alwaysReturned(type: ObjectType): string[] {
  return ["createdate", LAST_MODIFIED[type], "hs_object_id"];
}

/** What HubSpot returns beside `alwaysReturned` when the request names no properties. */
export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ["firstname", "lastname", "email"],
  companies: ["name", "domain"],
  deals: ["dealname", "amount", "dealstage", "pipeline", "closedate"],
};

/** A small seeded random source. */
export interface Rng {
  next(): number;
  pick<T>(list: readonly T[]): T;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
}

export function rng(seed: number): Rng {
  const next = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (list) => list[int(0, list.length - 1)],
    chance: (probability) => next() < probability,
  };
}

/** Every type's IDs start at 101, so contact 101, company 101 and deal 101 all exist. */
const FIRST_ID = 101;
const DAY = 86_400_000;
const EPOCH = Date.UTC(2023, 0, 16, 8, 0, 0, 0);
/** One archived record in every `stride` (so a few of each type when counts are the defaults). */
const ARCHIVED_STRIDE: Record<ObjectType, number> = { contacts: 37, companies: 19, deals: 23 };

/** Ascending numeric IDs with occasional gaps, as deleted records leave in a real portal. */
function ids(random: Rng, count: number): string[] {
  const list: string[] = [];
  let next = FIRST_ID;
  for (let i = 0; i < count; i++) {
    list.push(String(next));
    next += random.chance(0.15) ? random.int(2, 6) : 1;
  }
  return list;
}

export interface RecordFrame {
  index: number;
  id: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Records are created over at most this span (a large account more densely), so every time
 * in the account is in the past, as search on the last-modified date expects.
 */
const CREATION_SPAN = 900 * DAY;

function frames(random: Rng, count: number): RecordFrame[] {
  const spacing = Math.min(0.8 * DAY, CREATION_SPAN / Math.max(1, count));
  return ids(random, count).map((id, index) => {
    const created = EPOCH + index * spacing + random.int(0, DAY - 1);
    const updated = created + random.int(60_000, 120 * DAY);
    return {
      index,
      id,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(updated).toISOString(),
    };
  });
}

function build(
  type: ObjectType,
  list: RecordFrame[],
  properties: (frame: RecordFrame) => Properties,
): CrmRecord[] {
  return list.map((frame) => {
    const archived = frame.index % ARCHIVED_STRIDE[type] === ARCHIVED_STRIDE[type] - 1;
    return {
      id: frame.id,
      properties: {
        ...properties(frame),
        createdate: frame.createdAt,
        [LAST_MODIFIED[type]]: frame.updatedAt,
        hs_object_id: frame.id,
      },
      createdAt: frame.createdAt,
      updatedAt: frame.updatedAt,
      archived,
      ...(archived ? { archivedAt: frame.updatedAt } : {}),
    };
  });
}

/** The same seed and counts give the same records, byte for byte. */
export function seedCrm(seed: number, counts: SeedCounts): CrmData {
  const random = rng(seed);
  const companies = build(
    "companies",
    frames(random, counts.companies),
    (f) => companyProperties(random, f),
  );
  const emails = new Set<string>();
  const contacts = build(
    "contacts",
    frames(random, counts.contacts),
    (f) => contactProperties(random, f, companies, emails),
  );
  const deals = build(
    "deals",
    frames(random, counts.deals),
    (f) => dealProperties(random, f, companies),
  );
  return { contacts, companies, deals };
}
