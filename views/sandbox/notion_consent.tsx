import { ConsentButtons, SandboxPage } from "./sandbox_page.tsx";

export interface NotionConsentProps {
  action: string;
  workspaceName: string;
  userEmail: string;
  /** The top-level pages and databases that will be shared, with their icons. */
  pages: { title: string; icon: string | null }[];
  /** How many nested pages and databases come with them. */
  nestedCount: number;
  fields: Record<string, string>;
}

/** Notion's consent screen and page picker, emulated: which workspace, which pages. */
export function NotionConsent(props: NotionConsentProps) {
  return (
    <SandboxPage provider="Notion" title="Connect integration">
      <section class="message">
        <h1>Notion sandbox: connect the Integrations hub</h1>
        <p>
          Workspace: <strong>{props.workspaceName}</strong> (signed in as {props.userEmail})
        </p>
        <p>The integration will be able to read these pages and everything inside them:</p>
        <ul>
          {props.pages.map((page) => (
            <li>
              {page.icon ? `${page.icon} ` : ""}
              {page.title === "" ? "Untitled" : page.title}
            </li>
          ))}
        </ul>
        <p class="muted">and {props.nestedCount} nested pages and databases.</p>
        <ConsentButtons action={props.action} fields={props.fields} />
      </section>
    </SandboxPage>
  );
}
