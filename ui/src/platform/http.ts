import { RpcError, isApiError } from "./errors";
import type { Transport } from "./transport";

/** Where the api crate's loopback HTTP host is mounted (browser tests, `npm run dev`). */
export function apiBase(): string {
  const configured: unknown = import.meta.env.VITE_DEPOT_API;
  return typeof configured === "string" && configured.length > 0 ? configured : "/api";
}

/**
 * The browser transport: `POST {base}/rpc/{name}` with the request as JSON.
 * A non-2xx answer carries an `ApiError` body; anything else is reported as
 * `INTERNAL` with what actually came back, so the admin sees a real reason.
 */
export function createHttpTransport(
  base: string = apiBase(),
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Transport {
  const root = base.replace(/\/+$/, "");
  return async (name, payload) => {
    const url = `${root}/rpc/${encodeURIComponent(name)}`;
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload ?? {}),
      });
    } catch (cause) {
      throw new RpcError(
        "INTERNAL",
        `Depot's backend did not answer at ${root}. Start the backend, then retry.`,
        { cause },
      );
    }

    const text = await response.text();
    const body = parseJson(text);

    if (!response.ok) {
      if (isApiError(body)) throw new RpcError(body.code, body.message, { cause: body });
      throw new RpcError(
        "INTERNAL",
        `Depot's backend answered HTTP ${response.status} for "${name}" without an error description.`,
      );
    }
    if (body === undefined) {
      throw new RpcError(
        "INTERNAL",
        `Depot's backend sent a response to "${name}" that is not JSON.`,
      );
    }
    return body;
  };
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
