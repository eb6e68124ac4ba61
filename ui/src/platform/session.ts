import { RpcError } from "./errors";
import { API_PATHS, CSRF_HEADER, errorOf, parseJson, send, serverOrigin } from "./http";

/** The roles of a served workspace (domain::access::Role). */
export type Role = "administrator" | "help-desk" | "read-only";

/** What a role may do (domain::access::Action); the server names them per session. */
export type Action = "read" | "export" | "assign" | "sync" | "manage" | "manage-users";

/** Who is signed in to `depot serve` (GET /api/v1/session). */
export type SessionUser = {
  name: string;
  /** One of `Role`; shown as the server sends it. */
  role: string;
  scopeTags: string[];
  /** The actions the role allows. */
  actions: string[];
};

/**
 * Signing in, where there is anything to sign in to. The desktop app on its
 * own workspace has no sign-in (`signInRequired: false`); a browser talking
 * to `depot serve` signs in with a session cookie.
 */
export type SessionService = {
  signInRequired: boolean;
  /** Who is signed in; `null` when nobody is (the server answered 401). */
  current: () => Promise<SessionUser | null>;
  /** Signs in; rejects with an `RpcError` carrying the server's reason (wrong password, too many tries). */
  signIn: (username: string, password: string) => Promise<SessionUser>;
  signOut: () => Promise<void>;
  /**
   * Where the organisation's identity provider sign-in starts (OpenID
   * Connect, when the server has it configured); `null` when it has none.
   */
  identityProvider?: () => Promise<string | null>;
};

/** No sign-in: the desktop app works on its own workspace as its owner. */
export const localSession: SessionService = {
  signInRequired: false,
  current: () => Promise.resolve(null),
  signIn: () =>
    Promise.reject(new RpcError("BAD_REQUEST", "This window works on its own workspace.")),
  signOut: () => Promise.resolve(),
};

function isSessionUser(value: unknown): value is SessionUser {
  const v = value as Partial<SessionUser> | null;
  return (
    typeof v === "object" && v !== null && typeof v.name === "string" && typeof v.role === "string"
  );
}

function userOf(body: unknown): SessionUser {
  if (!isSessionUser(body)) {
    throw new RpcError("INTERNAL", "Depot's server answered the sign-in without naming the user.");
  }
  return {
    name: body.name,
    role: body.role,
    scopeTags: Array.isArray(body.scopeTags) ? body.scopeTags : [],
    actions: Array.isArray(body.actions) ? body.actions : [],
  };
}

/** Sign-in against `depot serve` (src-tauri/crates/server): an HttpOnly session cookie. */
export function createHttpSession(
  origin: string = serverOrigin(),
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): SessionService {
  const url = `${origin.replace(/\/+$/, "")}${API_PATHS.session}`;
  const current = async (): Promise<SessionUser | null> => {
    const response = await send(fetchFn, url, { method: "GET", headers: { ...CSRF_HEADER } });
    const body = parseJson(await response.text());
    if (response.status === 401) return null;
    if (!response.ok) throw errorOf(response, body, "who is signed in");
    return userOf(body);
  };
  return {
    signInRequired: true,
    current,
    async signIn(username, password) {
      const response = await send(fetchFn, url, {
        method: "POST",
        headers: { "content-type": "application/json", ...CSRF_HEADER },
        body: JSON.stringify({ username, password }),
      });
      const body = parseJson(await response.text());
      if (!response.ok) throw errorOf(response, body, "the sign-in");
      // The answer names the user; ask again for the role's actions as well.
      const user = await current();
      if (!user) throw new RpcError("UNAUTHENTICATED", "The server did not keep the session.");
      return user;
    },
    async identityProvider() {
      const oidc = `${origin.replace(/\/+$/, "")}${API_PATHS.oidc}`;
      const response = await send(fetchFn, oidc, { method: "GET" });
      if (!response.ok) return null;
      const body = parseJson(await response.text()) as { enabled?: unknown; loginUrl?: unknown };
      return body?.enabled === true && typeof body.loginUrl === "string" ? body.loginUrl : null;
    },
    async signOut() {
      const response = await send(fetchFn, url, { method: "DELETE", headers: { ...CSRF_HEADER } });
      if (!response.ok && response.status !== 401) {
        throw errorOf(response, parseJson(await response.text()), "the sign-out");
      }
    },
  };
}

type SignedOutListener = (message: string) => void;
const signedOutListeners = new Set<SignedOutListener>();

/** Calls `listener` when the server says the session has ended; returns the function that stops. */
export function onSignedOut(listener: SignedOutListener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const accessListeners = new Set<() => void>();

/**
 * Calls `listener` when what the person may do may have changed (a call was
 * refused for their role: an administrator may have changed it meanwhile).
 */
export function onAccessChanged(listener: () => void): () => void {
  accessListeners.add(listener);
  return () => accessListeners.delete(listener);
}

/** Tells every listener that the role may have changed (a call answered 403). */
export function accessMayHaveChanged(): void {
  for (const listener of [...accessListeners]) listener();
}

/** Tells every listener that the session has ended (a call answered 401). */
export function signedOut(message: string): void {
  for (const listener of [...signedOutListeners]) listener(message);
}
