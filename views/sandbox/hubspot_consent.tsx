import { ConsentButtons, SandboxPage } from "./sandbox_page.tsx";

export interface HubspotConsentProps {
  /** Where the form posts (the authorize URL's own path). */
  action: string;
  hubId: number;
  scopes: string[];
  optionalScopes: string[];
  /** The authorization request, carried back in hidden fields. */
  fields: Record<string, string>;
}

function ScopeList(props: { scopes: string[] }) {
  return (
    <ul>
      {props.scopes.map((scope) => (
        <li>
          <code>{scope}</code>
        </li>
      ))}
    </ul>
  );
}

/** HubSpot's install screen, emulated: which account, which scopes, approve or deny. */
export function HubspotConsent(props: HubspotConsentProps) {
  return (
    <SandboxPage provider="HubSpot" title="Connect app">
      <section class="message">
        <h1>Connect the Integrations hub to HubSpot</h1>
        <p>
          This is the <strong>HubSpot sandbox</strong>: no real HubSpot account is involved.
        </p>
        <p>
          Account: <strong>Sandbox Portal {props.hubId}</strong>
        </p>
        <p>The app asks for:</p>
        <ScopeList scopes={props.scopes} />
        {props.optionalScopes.length > 0 && (
          <>
            <p>And, optionally:</p>
            <ScopeList scopes={props.optionalScopes} />
          </>
        )}
        <ConsentButtons action={props.action} fields={props.fields} />
      </section>
    </SandboxPage>
  );
}
