import { invoke } from "@tauri-apps/api/core";
import type { ChangeEvent } from "../bindings/ChangeEvent";
import type { ChangeSource } from "./changes";
import type { Transport } from "./transport";

/** The desktop event the shell emits for each background change (api::dto::CHANGE_EVENT). */
const CHANGE_EVENT = "depot:changed";

/** True inside the desktop shell's webview. */
export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The desktop transport: every command goes through the shell's single `rpc` command. */
export const tauriTransport: Transport = (name, payload) => invoke("rpc", { name, payload });

/** Background changes emitted by the desktop shell. */
export const tauriChanges: ChangeSource = (listener) => {
  let stop: (() => void) | null = null;
  let stopped = false;
  void import("@tauri-apps/api/event")
    .then(({ listen }) => listen<ChangeEvent>(CHANGE_EVENT, (event) => listener(event.payload)))
    .then(
      (unlisten) => {
        if (stopped) unlisten();
        else stop = unlisten;
      },
      () => undefined,
    );
  return () => {
    stopped = true;
    stop?.();
  };
};
