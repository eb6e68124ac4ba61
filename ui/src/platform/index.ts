// The only module tree that knows how the UI reaches the backend.
import { toRpcError } from "./errors";
import { createHttpTransport } from "./http";
import { browserHost, type Host } from "./host";
import { noChanges, type ChangeListener, type ChangeSource } from "./changes";
import { createEventSourceChanges } from "./events";
import {
  accessMayHaveChanged,
  createHttpSession,
  localSession,
  signedOut,
  type SessionService,
} from "./session";
import { noNotifier, tauriNotifier, type Notifier } from "./notifications";
import { isTauri, tauriChanges, tauriTransport } from "./tauri";
import { tauriHost } from "./tauriHost";
import type { Transport } from "./transport";

export { RpcError, isApiError } from "./errors";
export type { Transport } from "./transport";
export type { FileToSave, Host, PickedFile, SavedTo } from "./host";
export { download } from "./host";
export type { ChangeListener, ChangeSource } from "./changes";
export type { DesktopNotification, Notifier } from "./notifications";
export type { Action, Role, SessionService, SessionUser } from "./session";
export { onAccessChanged, onSignedOut } from "./session";
export type {
  BrowserConnectRequest,
  ConnectRequest,
  ServerConnection,
  ServerStatus,
} from "./serverConnection";
export { serverConnection, setServerConnection } from "./serverConnection";
export { now, nowIso, todayStamp, wait, setClock, setWaitScale, type Clock } from "./clock";

let injected: Transport | null = null;
// A call answered 401 means the session ended (expired, signed out elsewhere):
// whoever shows the sign-in page hears it through onSignedOut.
// A call refused for the role (403): the role may have changed; ask again.
const httpTransport = createHttpTransport(undefined, undefined, signedOut, accessMayHaveChanged);

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

let injectedHost: Partial<Host> | null = null;

/** Replaces parts of the host (tests, previews). `null` goes back to detecting it. */
export function setHost(host: Partial<Host> | null): void {
  injectedHost = host;
}

/** File dialogs, downloads and external links for the machine the UI runs on. */
export function host(): Host {
  const detected = isTauri() ? tauriHost : browserHost;
  return injectedHost ? { ...detected, ...injectedHost } : detected;
}

let injectedChanges: ChangeSource | null = null;

/** Replaces where background changes come from (tests). `null` goes back to detecting it. */
export function setChangeSource(source: ChangeSource | null): void {
  injectedChanges = source;
}

/**
 * Calls `listener` with each change the backend makes in the background
 * (syncs, assignment runs). Returns the function that stops listening.
 */
export function onBackendChange(listener: ChangeListener): () => void {
  return currentChangeSource()(listener);
}

let browserChanges: ChangeSource | null = null;

function currentChangeSource(): ChangeSource {
  if (injectedChanges) return injectedChanges;
  if (isTauri()) return tauriChanges;
  // An injected transport is a test or a preview: no server to listen to.
  if (injected) return noChanges;
  browserChanges ??= createEventSourceChanges();
  return browserChanges;
}

let injectedSession: SessionService | null = null;
let httpSession: SessionService | null = null;

/** Replaces the sign-in service (tests). `null` goes back to detecting it. */
export function setSession(service: SessionService | null): void {
  injectedSession = service;
}

/**
 * Signing in: in a browser served by `depot serve`, with a session cookie;
 * nothing to sign in to in the desktop app on its own workspace (nor with an
 * injected transport, as in tests).
 */
export function session(): SessionService {
  if (injectedSession) return injectedSession;
  if (isTauri() || injected) return localSession;
  httpSession ??= createHttpSession();
  return httpSession;
}

let injectedNotifier: Notifier | null = null;

/** Replaces how notifications are shown (tests). `null` goes back to detecting it. */
export function setNotifier(replacement: Notifier | null): void {
  injectedNotifier = replacement;
}

/** OS notifications: the desktop app's plugin; none in a browser. */
export function notifier(): Notifier {
  if (injectedNotifier) return injectedNotifier;
  return isTauri() ? tauriNotifier : noNotifier;
}
