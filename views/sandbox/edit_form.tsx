import type { Child } from "hono/jsx";
import { SandboxPage } from "./sandbox_page.tsx";

/** The frame of a sandbox's edit page: what editing does, the last edit's outcome, the forms. */
export function EditFrame(
  props: {
    provider: string;
    title: string;
    what: string;
    message: string | null;
    children?: Child;
  },
) {
  return (
    <SandboxPage provider={props.provider} title={props.title}>
      <section class="message">
        <h1>Edit the sandbox {props.what}</h1>
        <p>
          Change it here, then press Sync now on the hub's dashboard: the next sync picks the change
          up. Edits last until the hub restarts.
        </p>
        {props.message ? <p role="status">{props.message}</p> : null}
        {props.children}
      </section>
    </SandboxPage>
  );
}

/** A labelled text input of an edit form. */
export function TextField(props: { name: string; label: string; required?: boolean; max: number }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      <input name={props.name} required={props.required} maxlength={props.max} />
    </label>
  );
}

/** A labelled choice among fixed values. */
export function ChoiceField(props: { name: string; label: string; values: readonly string[] }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      <select name={props.name}>
        {props.values.map((value) => <option value={value}>{value}</option>)}
      </select>
    </label>
  );
}

/** One form for every edit action: the action, the id it applies to and a name. */
export function ActionForm(props: { actions: readonly string[]; help: string }) {
  return (
    <form method="post" action="edit">
      <ChoiceField name="action" label="Action" values={props.actions} />
      <p class="muted">{props.help}</p>
      <TextField name="id" label="Id" max={40} />
      <TextField name="name" label="Name" max={200} />
      <button type="submit">Apply</button>
    </form>
  );
}
