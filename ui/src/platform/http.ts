import { RpcError, isApiError } from "./errors";
import type { Transport } from "./transport";

/**
 * Where `depot serve` is: the page's own origin (the server serves the UI),
 * or `VITE_DEPOT_API` for a development build pointed at another server.
 */
export function serverOrigin(): string {
  const configured: unknown = import.meta.env.VITE_DEPOT_API;
  return typeof configured === "string" ? configured.replace(/\/+$/, "") : "";
}

/** The server's paths (src-tauri/crates/server). */
export const API_PATHS = {
  rpc: "/api/v1/rpc",
  session: "/api/v1/session",
  events: "/api/v1/events",
  oidc: "/api/v1/oidc",
} as const;

/**
 * Every request a browser session makes carries this header: the server
 * refuses a cookie session's change without it, and a page of another site
 * cannot set it (CSRF).
 */
export const CSRF_HEADER = { "X-Depot-Request": "1" } as const;

/** Told when the server says the session is gone (signed out elsewhere, expired). */
export type OnUnauthenticated = (message: string) => void;

/**
 * The browser transport: `POST /api/v1/rpc` with `{name, payload}`, the
 * session cookie and the CSRF header. A non-2xx answer carries the same
 * `{code, message}` as the desktop's errors; anything else is reported as
 * `INTERNAL` with what actually came back, so the admin sees a real reason.
 */
export function createHttpTransport(
  origin: string = serverOrigin(),
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  onUnauthenticated: OnUnauthenticated = () => undefined,
  onForbidden: () => void = () => undefined,
): Transport {
  const url = `${origin.replace(/\/+$/, "")}${API_PATHS.rpc}`;
  return async (name, payload) => {
    const response = await send(fetchFn, url, {
      method: "POST",
      headers: { "content-type": "application/json", ...CSRF_HEADER },
      body: JSON.stringify({ name, payload: payload ?? {} }),
    });
    const body = parseJson(await response.text());
    if (!response.ok) {
      const error = errorOf(response, body, `"${name}"`);
      if (error.code === "UNAUTHENTICATED") onUnauthenticated(error.message);
      // The role may have changed since the page learnt it: worth asking again.
      if (error.code === "FORBIDDEN") onForbidden();
      throw error;
    }
    if (body === undefined) {
      throw new RpcError(
        "INTERNAL",
        `Depot's server sent a response to "${name}" that is not JSON.`,
      );
    }
    return body;
  };
}

/** One request with the session cookie; an unreachable server is an `RpcError`. */
export async function send(fetchFn: typeof fetch, url: string, init: RequestInit) {
  try {
    return await fetchFn(url, { credentials: "same-origin", ...init });
  } catch (cause) {
    const where = url.replace(/\/api\/v1\/.*$/, "") || "this address";
    throw new RpcError(
      "INTERNAL",
      `Depot's server did not answer at ${where}. Check that it is running, then retry.`,
      { cause },
    );
  }
}

/** The `RpcError` of a non-2xx answer: its `{code, message}`, or the status. */
export function errorOf(response: Response, body: unknown, what: string): RpcError {
  if (isApiError(body)) return new RpcError(body.code, body.message, { cause: body });
  return new RpcError(
    "INTERNAL",
    `Depot's server answered HTTP ${response.status} for ${what} without an error description.`,
  );
}

export function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
