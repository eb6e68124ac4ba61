import type { TokenFile } from "../bindings/TokenFile";
import { browserHost, type Host, type SavedTo } from "./host";

// The shell's own file commands (src-tauri/src/files.rs) show the native
// dialogs and read or write the chosen file themselves: the webview only ever
// sees contents, and no path it could name reaches the backend.

async function invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  const { invoke: tauriInvoke } = await import("@tauri-apps/api/core");
  return tauriInvoke<T>(command, args);
}

export const tauriHost: Host = {
  nativeDialogs: true,
  // Linux's WebKitGTK fills an empty date input with today's date.
  dateInput:
    typeof navigator !== "undefined" &&
    /Linux/.test(navigator.userAgent) &&
    !/Chrome|Android/.test(navigator.userAgent)
      ? "text"
      : "date",
  pickTokenFile: () => invoke<TokenFile | null>("open_token_file"),
  async saveFile({ fileName, filterName, extensions, contents }): Promise<SavedTo | null> {
    const savedTo = await invoke<string | null>("save_file", {
      request: { fileName, filterName, extensions: [...extensions], contents },
    });
    return savedTo === null ? null : { savedTo, download: false };
  },
  saveFilesToFolder: (title, files) =>
    invoke<string | null>("save_files", {
      request: { title, files: files.map(({ name, contents }) => ({ name, contents })) },
    }),
  // The webview's own file input: the bytes are read in the UI, no path needed.
  pickFiles: browserHost.pickFiles,
  async openExternal(url) {
    const { openUrl } = await import("@tauri-apps/plugin-opener");
    await openUrl(url);
  },
};
