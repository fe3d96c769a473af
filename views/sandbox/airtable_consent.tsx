import { ConsentButtons, SandboxPage } from "./sandbox_page.tsx";

export interface AirtableConsentProps {
  /** Where the form posts (the authorize URL's own path). */
  action: string;
  userEmail: string;
  /** The requested scopes, each with what it lets the integration do. */
  scopes: { name: string; meaning: string }[];
  /** The bases the grant covers. */
  bases: string[];
  /** The authorization request, carried back in hidden fields. */
  fields: Record<string, string>;
}

/** Airtable's "grant access" screen, emulated: who, which scopes, which bases, approve or deny. */
export function AirtableConsent(props: AirtableConsentProps) {
  return (
    <SandboxPage provider="Airtable" title="Grant access">
      <section class="message">
        <h1>Airtable sandbox: grant the Integrations hub access</h1>
        <p>
          This is the{" "}
          <strong>Airtable sandbox</strong>: no real Airtable account is involved. Signed in as{" "}
          {props.userEmail}.
        </p>
        <p>The integration asks to:</p>
        <ul>
          {props.scopes.map((scope) => (
            <li>
              <code>{scope.name}</code> {scope.meaning}
            </li>
          ))}
        </ul>
        <p>In these bases:</p>
        <ul>
          {props.bases.map((name) => <li>{name}</li>)}
        </ul>
        <ConsentButtons action={props.action} fields={props.fields} />
      </section>
    </SandboxPage>
  );
}
