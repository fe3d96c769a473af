/**
 * The part of Airtable's formula language that `filterByFormula` is given by change feeds:
 * `IS_AFTER(LAST_MODIFIED_TIME(), '<ISO-8601>')` and `IS_BEFORE(...)`, the time also wrapped in
 * `DATETIME_PARSE('...')`, combined with `AND(...)` / `OR(...)`. Function names are
 * case-insensitive and strings take single or double quotes, as in Airtable. Anything else is
 * refused (422 INVALID_FILTER_BY_FORMULA), never silently ignored.
 */
import type { AirtableRecord } from "./data.ts";

export type RecordFilter = (record: AirtableRecord) => boolean;

type Token = { kind: "name"; text: string } | { kind: "string"; text: string } | {
  kind: "punct";
  text: "(" | ")" | ",";
};

/** Parses a formula into a filter, or answers why it cannot (Airtable's message style). */
export function parseFormula(formula: string): RecordFilter | { error: string } {
  const tokens = tokenize(formula);
  if (tokens === null) return invalid(formula);
  const parser = new Parser(tokens);
  const filter = parser.condition();
  return filter === null || !parser.done() ? invalid(formula) : filter;
}

function invalid(formula: string): { error: string } {
  return { error: `The formula for filtering records is invalid: ${formula.slice(0, 100)}` };
}

function tokenize(formula: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < formula.length) {
    const char = formula[i];
    if (/\s/.test(char)) {
      i++;
    } else if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: "punct", text: char });
      i++;
    } else if (char === "'" || char === '"') {
      const end = formula.indexOf(char, i + 1);
      if (end < 0) return null;
      tokens.push({ kind: "string", text: formula.slice(i + 1, end) });
      i = end + 1;
    } else {
      const name = /^[A-Za-z_]+/.exec(formula.slice(i))?.[0];
      if (name === undefined) return null;
      tokens.push({ kind: "name", text: name.toUpperCase() });
      i += name.length;
    }
  }
  return tokens;
}

class Parser {
  #at = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.#at === this.tokens.length;
  }

  /** A call that is true or false for a record. */
  condition(): RecordFilter | null {
    const name = this.#name();
    if (name === null || !this.#punct("(")) return null;
    if (name === "AND" || name === "OR") {
      const parts: RecordFilter[] = [];
      do {
        const part = this.condition();
        if (part === null) return null;
        parts.push(part);
      } while (this.#punct(","));
      if (!this.#punct(")")) return null;
      return name === "AND"
        ? (record) => parts.every((part) => part(record))
        : (record) => parts.some((part) => part(record));
    }
    if (name !== "IS_AFTER" && name !== "IS_BEFORE") return null;
    if (this.#name() !== "LAST_MODIFIED_TIME" || !this.#punct("(") || !this.#punct(")")) {
      return null;
    }
    if (!this.#punct(",")) return null;
    const time = this.#time();
    if (time === null || !this.#punct(")")) return null;
    return name === "IS_AFTER"
      ? (record) => Date.parse(record.lastModifiedTime) > time
      : (record) => Date.parse(record.lastModifiedTime) < time;
  }

  /** `'<ISO>'` or `DATETIME_PARSE('<ISO>')`, as epoch milliseconds. */
  #time(): number | null {
    const wrapped = this.#peek()?.kind === "name";
    if (wrapped && (this.#name() !== "DATETIME_PARSE" || !this.#punct("("))) return null;
    const token = this.tokens[this.#at];
    if (token?.kind !== "string") return null;
    this.#at++;
    if (wrapped && !this.#punct(")")) return null;
    const time = Date.parse(token.text);
    return /^\d{4}-\d{2}-\d{2}/.test(token.text) && Number.isFinite(time) ? time : null;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#at];
  }

  #name(): string | null {
    const token = this.#peek();
    if (token?.kind !== "name") return null;
    this.#at++;
    return token.text;
  }

  #punct(text: "(" | ")" | ","): boolean {
    const token = this.#peek();
    if (token?.kind !== "punct" || token.text !== text) return false;
    this.#at++;
    return true;
  }
}
