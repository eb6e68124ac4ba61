import type { ChangeEvent } from "../bindings/ChangeEvent";
import type { ChangeSource } from "./changes";
import { wait } from "./clock";
import { API_PATHS, serverOrigin } from "./http";

/** The part of `EventSource` the change source uses (tests pass a fake). */
export type EventStream = {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
};

/** How long to wait before opening the stream again once the server closed it. */
export const RECONNECT_MS = 5_000;

/** EventSource.CLOSED: the browser gave up (an error answer such as 401); it will not retry itself. */
const CLOSED = 2;

/**
 * Everything may have changed: what the UI is told when events were missed
 * (the server's `lagged` event, or a reconnect). It refreshes as much as a
 * finished sync does.
 */
const EVERYTHING: ChangeEvent = { kind: "syncFinished", tokenId: "", runId: null };

function changeOf(data: string): ChangeEvent | null {
  try {
    const value = JSON.parse(data) as Partial<ChangeEvent> | null;
    if (
      typeof value === "object" &&
      value !== null &&
      typeof value.kind === "string" &&
      typeof value.tokenId === "string"
    ) {
      return { kind: value.kind, tokenId: value.tokenId, runId: value.runId ?? null };
    }
  } catch {
    // not JSON: ignored
  }
  return null;
}

/**
 * Background changes from `depot serve`: `GET /api/v1/events`, server-sent
 * events named `change` whose data is the same `ChangeEvent` the desktop
 * shell emits, so features get the same shape from either. The browser
 * reconnects by itself after a dropped connection; when the server closed
 * the stream (signed out, restarted into an error) it is opened again after
 * a pause. After any reconnect the UI refreshes, since events may have been
 * missed meanwhile.
 */
export function createEventSourceChanges(
  url: string = `${serverOrigin()}${API_PATHS.events}`,
  open: (url: string) => EventStream = (u) => new EventSource(u, { withCredentials: true }),
): ChangeSource {
  return (listener) => {
    let stopped = false;
    let stream: EventStream | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let opened = false;

    const connect = () => {
      if (stopped) return;
      const current = open(url);
      stream = current;
      current.addEventListener("open", () => {
        // A reconnect: whatever happened while away is unknown.
        if (opened) listener(EVERYTHING);
        opened = true;
      });
      current.addEventListener("change", (event) => {
        const change = changeOf(event.data);
        if (change) listener(change);
      });
      current.addEventListener("lagged", () => listener(EVERYTHING));
      current.addEventListener("error", () => {
        if (stopped || current.readyState !== CLOSED) return;
        current.close();
        timer = setTimeout(connect, wait(RECONNECT_MS));
      });
    };
    connect();

    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      stream?.close();
    };
  };
}
