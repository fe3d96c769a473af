/**
 * A minimal browser for HTTP-level tests: keeps cookies per origin, sends Origin on POSTs like
 * a real browser does, asks for HTML, and never follows redirects on its own so tests can see each hop.
 */
export class TestBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    // What a browser asks for on a navigation: the hub answers its errors as pages.
    if (!headers.has("Accept")) headers.set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    const jar = this.#cookies.get(target.origin);
    if (jar && jar.size > 0) {
      headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    if ((init.method ?? "GET") !== "GET" && !headers.has("Origin")) {
      headers.set("Origin", target.origin);
    }
    const response = await fetch(target, { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) this.#store(target.origin, cookie);
    return response;
  }

  /** The values of the cookies held for an origin (to search logs and answers for them). */
  cookieValues(origin: string): string[] {
    return [...(this.#cookies.get(origin)?.values() ?? [])];
  }

  /** Submits a form as application/x-www-form-urlencoded. */
  postForm(
    url: string,
    fields: Record<string, string>,
    headers: HeadersInit = {},
  ): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  cookie(origin: string, name: string): string | undefined {
    return this.#cookies.get(origin)?.get(name);
  }

  #store(origin: string, setCookie: string): void {
    const [pair, ...attributes] = setCookie.split(";");
    const index = pair.indexOf("=");
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    const jar = this.#cookies.get(origin) ?? new Map<string, string>();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
    if (expired) jar.delete(name);
    else jar.set(name, value);
    this.#cookies.set(origin, jar);
  }
}

/** Reads the hidden and named inputs of the first form in an HTML page. */
export function formFields(
  html: string,
): { action: string | null; fields: Record<string, string> } {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  const action = form ? /action="([^"]*)"/i.exec(form[0])?.[1] ?? null : null;
  const fields: Record<string, string> = {};
  for (const input of (form?.[1] ?? "").matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    const value = /value="([^"]*)"/i.exec(input[0])?.[1] ?? "";
    if (name) fields[decodeEntities(name)] = decodeEntities(value);
  }
  return { action: action === null ? null : decodeEntities(action), fields };
}

function decodeEntities(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/**
 * Opens a provider's consent page and submits the decision, as a user would; answers where the
 * provider redirects to (the hub's callback, with a code or an error).
 */
export async function decideOnConsent(
  authorizeUrl: string | URL,
  decision: "approve" | "deny",
): Promise<URL> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}`);
  const form = formFields(await page.text());
  const posted = await fetch(new URL(form.action ?? authorizeUrl, authorizeUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, decision }),
    redirect: "manual",
  });
  const location = posted.headers.get("location");
  if (posted.status !== 302 || location === null) {
    throw new Error(`the consent form answered ${posted.status} without a redirect`);
  }
  return new URL(location);
}

/**
 * Signs in as `user` of org "acme", connects `provider` through its consent page (approved) and
 * follows the callback, as a user would; answers the signed-in browser.
 */
export async function connectThroughConsent(
  hubUrl: string,
  provider: string,
  user = "ada",
): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.postForm(`${hubUrl}/login`, { user_id: user, org_id: "acme" });
  const start = await browser.postForm(`${hubUrl}/integrations/${provider}/connect`, {});
  const consent = new URL(start.headers.get("location")!, hubUrl);
  const callback = await decideOnConsent(consent, "approve");
  const done = await browser.request(callback.href);
  if (done.status !== 303) throw new Error(`the callback answered ${done.status}, not 303`);
  return browser;
}
