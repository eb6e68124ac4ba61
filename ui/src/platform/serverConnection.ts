import { toRpcError } from "./errors";
import { isTauri } from "./tauri";

/**
 * Where the desktop window works: this computer's workspace, or a Depot
 * server it is connected to (the shell's `server_*` commands,
 * src-tauri/src/server.rs). A browser is always on the server that served
 * the page, so it has no connection to manage.
 */
export type ServerStatus = {
  connected: boolean;
  url: string | null;
  /** The pinned certificate's SHA-256 (self-signed servers). */
  fingerprint: string | null;
  name: string | null;
  role: string | null;
  scopeTags: string[];
  /** Why the last connection ended or could not be made again. */
  problem: string | null;
  /** False when the computer has no keychain: the session ends with the window. */
  sessionKept: boolean;
};

export type ConnectRequest = {
  url: string;
  /** Pin this certificate; `null`: let the computer's certificate authorities decide. */
  fingerprint: string | null;
  username: string;
  password: string;
};

/** Single sign-on: the server's identity provider, in the system browser. */
export type BrowserConnectRequest = {
  url: string;
  fingerprint: string | null;
};

export type ServerConnection = {
  status: () => Promise<ServerStatus>;
  /** The certificate an https server presents, read without sending anything. */
  probe: (url: string) => Promise<string>;
  connect: (request: ConnectRequest) => Promise<ServerStatus>;
  /** Opens the system browser at the server's identity provider and waits (up to 5 minutes). */
  connectWithBrowser: (request: BrowserConnectRequest) => Promise<ServerStatus>;
  /** Signs out and goes back to this computer's workspace. */
  disconnect: () => Promise<ServerStatus>;
};

async function invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  const { invoke: tauriInvoke } = await import("@tauri-apps/api/core");
  try {
    return await tauriInvoke<T>(command, args);
  } catch (reason) {
    throw toRpcError(reason);
  }
}

const tauriServerConnection: ServerConnection = {
  status: () => invoke<ServerStatus>("server_status"),
  probe: (url) => invoke<string>("server_probe", { url }),
  connect: (request) => invoke<ServerStatus>("server_connect", { request }),
  connectWithBrowser: (request) => invoke<ServerStatus>("server_connect_browser", { request }),
  disconnect: () => invoke<ServerStatus>("server_disconnect"),
};

let injected: ServerConnection | null = null;

/** Replaces the connection service (tests). `null` goes back to detecting it. */
export function setServerConnection(connection: ServerConnection | null): void {
  injected = connection;
}

/** The desktop window's server connection; `null` in a browser. */
export function serverConnection(): ServerConnection | null {
  return injected ?? (isTauri() ? tauriServerConnection : null);
}
