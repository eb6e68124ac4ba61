// The only module tree that knows how the UI reaches the backend.
import { toRpcError } from "./errors";
import { createHttpTransport } from "./http";
import { isTauri, tauriTransport } from "./tauri";
import type { Transport } from "./transport";

export { RpcError, isApiError } from "./errors";
export type { Transport } from "./transport";

let injected: Transport | null = null;
const httpTransport = createHttpTransport();

/** Replaces the transport (tests, previews). `null` goes back to detecting it. */
export function setTransport(transport: Transport | null): void {
  injected = transport;
}

function currentTransport(): Transport {
  if (injected) return injected;
  return isTauri() ? tauriTransport : httpTransport;
}

/**
 * Sends one command to the backend. Resolves with the response JSON; rejects
 * with an `RpcError` (`{ code, message }`) whatever the transport failed with.
 */
export async function rpc(name: string, payload: unknown): Promise<unknown> {
  try {
    return await currentTransport()(name, payload);
  } catch (reason) {
    throw toRpcError(reason);
  }
}
