/** Word pools for the seeded CRM: plain, accented and non-Latin names, plausible firms and deals. */

export const FIRST_NAMES = [
  "Ada",
  "Grace",
  "Alan",
  "Margaret",
  "Linus",
  "Katherine",
  "Zoë",
  "José",
  "Søren",
  "Łukasz",
  "François",
  "Aiyana",
  "Wei",
  "Priya",
  "Oluwaseun",
  "Siobhán",
  "Mateo",
  "Hannah",
  "Yūki",
  "Amélie",
  "Nikolai",
  "Fatima",
  "Björn",
  "Chloé",
] as const;

export const LAST_NAMES = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Hamilton",
  "Johnson",
  "Müller",
  "García",
  "O'Brien",
  "Nguyễn",
  "Kowalski",
  "Dubois",
  "Okafor",
  "Sørensen",
  "Patel",
  "Tanaka",
  "van der Berg",
  "Ólafsdóttir",
  "Smith",
  "Rossi",
  "Ivanova",
] as const;

export const COMPANY_WORDS = [
  "Northwind",
  "Globex",
  "Initech",
  "Umbrella",
  "Hooli",
  "Vandelay",
  "Soylent",
  "Tyrell",
  "Wonka",
  "Cyberdyne",
  "Bluth",
  "Pied Piper",
  "Stark",
  "Wayne",
  "Aperture",
  "Massive Dynamic",
] as const;

export const COMPANY_KINDS = [
  "Traders",
  "Industries",
  "Logistics",
  "Software",
  "Foods",
  "Consulting",
  "Labs",
] as const;
export const COMPANY_SUFFIXES = ["Inc.", "GmbH", "Ltd", "S.A.", "LLC", "AB", "K.K."] as const;
export const INDUSTRIES = [
  "COMPUTER_SOFTWARE",
  "LOGISTICS_AND_SUPPLY_CHAIN",
  "FOOD_PRODUCTION",
  "MANAGEMENT_CONSULTING",
  "RETAIL",
] as const;
export const CITIES = [
  ["Berlin", "Germany"],
  ["Lisbon", "Portugal"],
  ["Boston", "United States"],
  ["Kraków", "Poland"],
  ["Osaka", "Japan"],
  ["Lagos", "Nigeria"],
  ["Montréal", "Canada"],
] as const;

export const JOB_TITLES = ["CTO", "Head of Sales", "Office Manager", "Engineer", "CFO", "Founder"];
export const LIFECYCLE_STAGES = ["subscriber", "lead", "marketingqualifiedlead", "customer"];
export const FREEMAIL_DOMAINS = ["mail.example", "inbox.example", "post.example"] as const;

export const DEAL_PRODUCTS = [
  "annual renewal",
  "pilot",
  "enterprise upgrade",
  "onboarding package",
  "support contract",
  "expansion: 25 seats",
] as const;

/** The stages of HubSpot's default sales pipeline ("default"). */
export const DEAL_STAGES = [
  "appointmentscheduled",
  "qualifiedtobuy",
  "presentationscheduled",
  "decisionmakerboughtin",
  "contractsent",
  "closedwon",
  "closedlost",
] as const;

const FOLD: Record<string, string> = { ø: "o", ł: "l", æ: "ae", ß: "ss", đ: "d" };

/** A lower-case ASCII slug for e-mail local parts and domains ("Søren Ólafsdóttir" → "soren.olafsdottir"). */
export function slug(text: string, separator = "."): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[øłæßđ]/g, (ch) => FOLD[ch]).split(/[^a-z0-9]+/).filter((part) => part !== "")
    .join(separator);
}
