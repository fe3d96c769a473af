import { type Context, Hono } from "hono";
import { z } from "zod";
import { ownerFor } from "../auth/callers.ts";
import { redeemConnectLink } from "../auth/connect_links.ts";
import { idSchema } from "../auth/identity.ts";
import { endSession, startSession } from "../auth/session.ts";
import type { Owner } from "../connections/connections.ts";
import { disconnect } from "../connections/status.ts";
import { cardFor, cardsFor } from "./cards.ts";
import { deferTo } from "./integrations_api.ts";
import { InvalidRequestError, NotFoundError, UnauthenticatedError } from "../errors.ts";
import { limitBody, SMALL_BODY_BYTES } from "../http/body_limit.ts";
import { pageErrors } from "../http/errors.tsx";
import { parseInput } from "../http/validate.ts";
import {
  AuthorizationCancelledError,
  type CallbackQuery,
  CallbackStateError,
  CodeRefusedError,
  completeAuthorization,
  startAuthorization,
} from "../oauth/flow.ts";
import { PROVIDER_IDS } from "../providers/registry.ts";
import { resolveProvider } from "../providers/registry.ts";
import type { HubEnv, Services } from "../services.ts";
import {
  DashboardPage,
  DisconnectConfirmPage,
  ItemsPanelSlot,
  type Notice,
  NoticeArea,
  ProviderCard,
  type ProviderCardModel,
} from "../../views/dashboard.tsx";
import { LoginPage } from "../../views/login.tsx";
import { MessagePage } from "../../views/message_page.tsx";

/** The browser routes that read a submitted form. */
const FORM_PATHS = [
  "/login",
  "/logout",
  "/integrations/:provider/connect",
  "/ui/:provider/disconnect",
  "/ui/:provider/sync",
];

const dashboardQuerySchema = z.object({
  connected: z.enum(PROVIDER_IDS).optional(),
  disconnected: z.enum(PROVIDER_IDS).optional(),
  cancelled: z.enum(PROVIDER_IDS).optional(),
});

export const callbackQuerySchema = z.object({
  // An empty or absent state is refused by the flow with its own sentence.
  state: z.string().max(2048).transform((s) => s === "" ? null : s).default(null),
  code: z.string().min(1).max(4096).optional(),
  error: z.string().min(1).max(200).optional(),
}).refine((q) => q.code !== undefined || q.error !== undefined, {
  message: "the provider sent neither a code nor an error",
});

const loginFormSchema = z.object({ user_id: idSchema, org_id: idSchema });

/** Pages and htmx fragments for browsers; their errors render as HTML. */
export function browserRoutes(): Hono<HubEnv> {
  const ui = new Hono<HubEnv>();
  for (const path of FORM_PATHS) ui.post(path, limitBody(SMALL_BODY_BYTES));

  ui.get("/", pageErrors, async (c) => {
    const services = c.get("services");
    const caller = c.get("caller");
    if (caller?.kind !== "session") return unauthenticatedPage(c, services);
    const query = parseInput(dashboardQuerySchema, c.req.query());
    const cards = await cardsFor(services, caller.owner);
    return c.html(
      <DashboardPage owner={caller.owner} cards={cards} notice={noticeFor(query, cards)} />,
    );
  });

  ui.get("/login", pageErrors, (c) => {
    requireDevelopment(c.get("services"));
    return c.html(<LoginPage />);
  });

  ui.post("/login", pageErrors, async (c) => {
    const services = c.get("services");
    requireDevelopment(services);
    const parsed = loginFormSchema.safeParse(await readForm(c));
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      return c.html(
        <LoginPage error={`Please fix: ${fields.join("; ")}.`} />,
        400,
      );
    }
    await startSession(c, services.session, {
      userId: parsed.data.user_id,
      orgId: parsed.data.org_id,
    });
    return c.redirect("/", 303);
  });

  ui.post("/logout", pageErrors, async (c) => {
    await endSession(c, c.get("services").session);
    return c.redirect("/", 303);
  });

  ui.get("/connect/:token", pageErrors, async (c) => {
    const services = c.get("services");
    const owner = await redeemConnectLink(services.store, c.req.param("token"));
    if (owner === null) {
      return c.html(
        <MessagePage
          title="This link does not work"
          message="Connect links work once and expire after 10 minutes. Ask the application that sent you here for a new one."
        />,
        400,
      );
    }
    await startSession(c, services.session, owner);
    return c.redirect("/", 303);
  });

  ui.post("/integrations/:provider/connect", pageErrors, async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = sessionOwner(c);
    const url = await startAuthorization(services.oauth, provider, owner, { sessionBound: true });
    return c.redirect(url, 303);
  });

  ui.get("/integrations/:provider/oauth2callback", pageErrors, async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const q = parseInput(callbackQuerySchema, c.req.query());
    const query: CallbackQuery = q.code !== undefined && q.error === undefined
      ? { kind: "code", code: q.code, state: q.state }
      : { kind: "error", error: q.error ?? "", state: q.state };
    const caller = c.get("caller");
    const session = caller?.kind === "session" ? caller.owner : null;
    try {
      const oauth = { ...services.oauth, log: c.get("log") };
      const connection = await completeAuthorization(oauth, provider, query, session);
      await services.connections.save(connection);
      await services.sync.connected(provider, connection.owner, deferTo(c));
    } catch (error) {
      if (error instanceof AuthorizationCancelledError) {
        return c.redirect(`/?cancelled=${provider.spec.id}`, 303);
      }
      if (error instanceof CallbackStateError || error instanceof CodeRefusedError) {
        return callbackFailurePage(c, provider.spec, error, session);
      }
      throw error;
    }
    return c.redirect(`/?connected=${provider.spec.id}`, 303);
  });

  ui.get("/ui/:provider/disconnect", pageErrors, (c) => {
    const { spec } = resolveProvider(c.get("services"), c.req.param("provider"));
    return c.html(
      <DisconnectConfirmPage owner={sessionOwner(c)} id={spec.id} displayName={spec.displayName} />,
    );
  });

  ui.post("/ui/:provider/sync", pageErrors, async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = sessionOwner(c);
    const connection = await services.connections.get(provider.spec.id, owner);
    if (connection !== null) await services.sync.request(provider, owner, deferTo(c));
    if (c.req.header("HX-Request") === undefined) return c.redirect("/", 303);
    return c.html(<ProviderCard card={await cardFor(services, owner, provider.spec.id)} />);
  });

  ui.get("/ui/:provider/card", pageErrors, async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    return c.html(
      <ProviderCard card={await cardFor(services, sessionOwner(c), provider.spec.id)} />,
    );
  });

  ui.post("/ui/:provider/disconnect", pageErrors, async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = sessionOwner(c);
    await disconnect(services, provider, owner);
    const { id } = provider.spec;
    if (c.req.header("HX-Request") === undefined) return c.redirect(`/?disconnected=${id}`, 303);
    const cards = await cardsFor(services, owner);
    return c.html(
      <>
        <ProviderCard card={cards.find((m) => m.id === id)!} />
        <NoticeArea notice={noticeFor({ disconnected: id }, cards)} outOfBand />
        <ItemsPanelSlot provider={id} outOfBand />
      </>,
    );
  });

  return ui;
}

/** The submitted form, or a 400 when the body is not a readable form. */
async function readForm(c: Context<HubEnv>): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new InvalidRequestError("Invalid request. The body must be a submitted form.");
  }
}

function sessionOwner(c: Context<HubEnv>): Owner {
  const caller = c.get("caller");
  if (caller?.kind !== "session") {
    throw new UnauthenticatedError("Your session has ended; sign in again.");
  }
  return ownerFor(c, {});
}

function requireDevelopment(services: Services): void {
  if (services.config.appEnv !== "development") {
    throw new NotFoundError("There is no sign-in form in production; use your connect link.");
  }
}

function unauthenticatedPage(
  c: Context<HubEnv>,
  services: Services,
): Response | Promise<Response> {
  if (services.config.appEnv === "development") return c.redirect("/login", 303);
  return c.html(
    <MessagePage
      title="Sign in through your application"
      message="This hub opens through a connect link from the application you use. Ask it for a new link."
    />,
    401,
  );
}

/** The banner for what the user just did, as the redirect after it names it. */
function noticeFor(
  query: z.infer<typeof dashboardQuerySchema>,
  cards: ProviderCardModel[],
): Notice | null {
  const card = (id: string) => cards.find((m) => m.id === id);
  const named = (id: string) => card(id)?.displayName ?? id;
  if (query.connected) {
    const account = card(query.connected)?.accountName;
    return {
      kind: "connected",
      text: `Connected ${named(query.connected)}${account ? ` as ${account}` : ""}.`,
    };
  }
  if (query.disconnected) {
    return {
      kind: "disconnected",
      text: `Disconnected ${named(query.disconnected)}; the hub no longer holds its tokens.`,
    };
  }
  if (query.cancelled) {
    return {
      kind: "cancelled",
      text: `Connecting ${named(query.cancelled)} was cancelled; nothing was changed.`,
    };
  }
  return null;
}

/**
 * A callback that did not connect: what happened, and for a signed-in browser a button that
 * starts connecting again (a connection started by a program is restarted by that program).
 */
function callbackFailurePage(
  c: Context<HubEnv>,
  spec: { id: string; displayName: string },
  error: CallbackStateError | CodeRefusedError,
  session: Owner | null,
): Response | Promise<Response> {
  c.set("failure", { code: error.code, message: error.message });
  const title = error instanceof CodeRefusedError
    ? `${spec.displayName} refused the authorization code`
    : `Connecting ${spec.displayName} did not finish`;
  return c.html(
    <MessagePage
      title={title}
      message={error.message}
      action={session === null
        ? undefined
        : { href: `/integrations/${spec.id}/connect`, label: `Connect ${spec.displayName} again` }}
    />,
    error.status,
  );
}
