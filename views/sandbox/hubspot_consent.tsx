import { ConsentButtons, SandboxPage } from "./sandbox_page.tsx";

export interface HubspotConsentProps {
  action: string;
  hubId: number;
  scopes: string[];
  fields: Record<string, string>;
}

/** HubSpot's install screen, emulated: which account, which scopes, approve or deny. */
export function HubspotConsent(props: HubspotConsentProps) {
  return (
    <SandboxPage provider="HubSpot" title="Connect app">
      <section class="message">
        <h1>Connect the Integrations hub to HubSpot</h1>
        <p>
          Account: <strong>Sandbox Portal {props.hubId}</strong>
        </p>
        <p>The app asks for:</p>
        <ul>
          {props.scopes.map((scope) => (
            <li>
              <code>{scope}</code>
            </li>
          ))}
        </ul>
        <ConsentButtons action={props.action} fields={props.fields} />
      </section>
    </SandboxPage>
  );
}
