import type { Child } from "hono/jsx";
import { raw } from "hono/html";

export interface LayoutProps {
  title: string;
  /** Who is signed in, shown in the header with a sign-out button. */
  signedInAs?: { userId: string; orgId: string } | null;
  children?: Child;
}

/** The page shell: one stylesheet and htmx, both served by the hub itself. */
export function Layout(props: LayoutProps) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · Integrations hub</title>
          <link
            rel="preload"
            href="/static/fonts/inter-latin-wght-normal.woff2"
            as="font"
            type="font/woff2"
            crossorigin=""
          />
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          {/* The stylesheet carries htmx's indicator rules, so htmx need not inject a <style>. */}
          <meta name="htmx-config" content='{"includeIndicatorCSS": false}' />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/app.js" defer></script>
        </head>
        <body>
          <header class="site-header">
            <a href="/" class="brand">
              <img src="/static/favicon.svg" alt="" width="24" height="24" />
              Integrations hub
            </a>
            {props.signedInAs
              ? (
                <form method="post" action="/logout" class="who">
                  <span>
                    {props.signedInAs.userId} · {props.signedInAs.orgId}
                  </span>
                  <button type="submit" class="secondary small">Sign out</button>
                </form>
              )
              : null}
          </header>
          <main id="main">{props.children}</main>
          <footer class="site-footer">
            <a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI document</a>
          </footer>
        </body>
      </html>
    </>
  );
}
