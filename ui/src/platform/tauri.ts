import { invoke } from "@tauri-apps/api/core";
import type { Transport } from "./transport";

/** True inside the desktop shell's webview. */
export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The desktop transport: every command goes through the shell's single `rpc` command. */
export const tauriTransport: Transport = (name, payload) => invoke("rpc", { name, payload });
