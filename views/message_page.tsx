import { Layout } from "./layout.tsx";

export interface MessagePageProps {
  title: string;
  message: string;
  /** Where the user can go from here. */
  link?: { href: string; label: string };
  /** A button that posts to `href`, offered before the link (try again). */
  action?: { href: string; label: string };
}

/** A page that says what happened in words, used for errors and refusals shown to browsers. */
export function MessagePage(props: MessagePageProps) {
  return (
    <Layout title={props.title}>
      <section class="message" role="alert">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.action
          ? (
            <form method="post" action={props.action.href}>
              <button type="submit">{props.action.label}</button>
            </form>
          )
          : null}
        <p>
          <a href={props.link?.href ?? "/"}>{props.link?.label ?? "Back to the dashboard"}</a>
        </p>
      </section>
    </Layout>
  );
}
