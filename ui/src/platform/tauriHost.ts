import { browserHost, type Host } from "./host";

// The plugins are loaded when first used: only the desktop shell needs them.

/** Native dialogs; the backend reads and writes the chosen paths. */
export const tauriHost: Host = {
  nativeDialogs: true,
  // Linux's WebKitGTK fills an empty date input with today's date.
  dateInput:
    typeof navigator !== "undefined" &&
    /Linux/.test(navigator.userAgent) &&
    !/Chrome|Android/.test(navigator.userAgent)
      ? "text"
      : "date",
  async pickTokenFile() {
    const { open } = await import("@tauri-apps/plugin-dialog");
    const path = await open({
      title: "Choose the server token from Apple",
      multiple: false,
      directory: false,
      filters: [{ name: "Apple server token", extensions: ["p7m"] }],
    });
    return typeof path === "string" ? { kind: "path", path } : null;
  },
  async pickSavePath(defaultName, filterName, extensions) {
    const { save } = await import("@tauri-apps/plugin-dialog");
    return save({
      defaultPath: defaultName,
      filters: [{ name: filterName, extensions: [...extensions] }],
    });
  },
  // Not used with native dialogs; kept so the Host is complete.
  downloadText: browserHost.downloadText,
  // The webview's own file input: the bytes are read in the UI, no path needed.
  pickFiles: browserHost.pickFiles,
  async pickFolder(title) {
    const { open } = await import("@tauri-apps/plugin-dialog");
    const path = await open({ title, multiple: false, directory: true });
    return typeof path === "string" ? path : null;
  },
  async openExternal(url) {
    const { openUrl } = await import("@tauri-apps/plugin-opener");
    await openUrl(url);
  },
};
