import { Layout } from "./layout.tsx";

export interface LoginPageProps {
  error?: string;
  userId?: string;
  orgId?: string;
}

/** Development sign-in: type a user and an org; production callers arrive by connect link. */
export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <section class="login">
        <h1>Sign in</h1>
        <p class="lede">
          Development sign-in: choose any user and organisation. Connections belong to that pair.
        </p>
        {props.error ? <p class="error" role="alert">{props.error}</p> : null}
        <form method="post" action="/login">
          <div class="field">
            <label for="user_id" class="field-label">User</label>
            <input
              id="user_id"
              name="user_id"
              required
              maxlength={128}
              autocomplete="username"
              value={props.userId ?? ""}
            />
          </div>
          <div class="field">
            <label for="org_id" class="field-label">Organisation</label>
            <input id="org_id" name="org_id" required maxlength={128} value={props.orgId ?? ""} />
          </div>
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
