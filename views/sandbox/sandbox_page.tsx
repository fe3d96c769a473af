import type { Child } from "hono/jsx";
import { raw } from "hono/html";

/** The frame of every sandbox page: clearly not the hub, clearly not the real provider. */
export function SandboxPage(props: { provider: string; title: string; children?: Child }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · {props.provider} sandbox</title>
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        </head>
        <body class="sandbox">
          <header class="site-header">
            <span class="brand">{props.provider} sandbox</span>
            <span class="muted">An emulation for development; no real account is used.</span>
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}

/** The provider's own refusal page: it does not send the user back to the app. */
export function SandboxErrorPage(props: { provider: string; message: string }) {
  return (
    <SandboxPage provider={props.provider} title="Authorization failed">
      <section class="message" role="alert">
        <h1>Authorization failed</h1>
        <p>{props.message}</p>
      </section>
    </SandboxPage>
  );
}

/** Approve and Deny buttons that post the authorization request back with the decision. */
export function ConsentButtons(props: { action: string; fields: Record<string, string> }) {
  return (
    <form method="post" action={props.action} class="consent-form">
      {Object.entries(props.fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <div class="actions">
        <button type="submit" name="decision" value="approve">Approve</button>
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
      </div>
    </form>
  );
}
