import type { TokenFile } from "../bindings/TokenFile";
import { host } from "../platform";

// Features reach the machine (dialogs, downloads, links) through here, never
// through `platform` directly.

/** Lets the admin pick an Apple server token (.p7m); `null` when cancelled. */
export function pickTokenFile(): Promise<TokenFile | null> {
  return host().pickTokenFile();
}

/** Opens a web page (Apple's portals) in the admin's browser. */
export function openExternal(url: string): Promise<void> {
  return host().openExternal(url);
}

/** True in the desktop shell: files are saved through native dialogs. */
/** How date fields are typed in on this machine (see `Host.dateInput`). */
export function dateInputKind(): "date" | "text" {
  return host().dateInput;
}

export function hasNativeDialogs(): boolean {
  return host().nativeDialogs;
}

type SaveOptions<R> = {
  /** Suggested file name, also the download name in a browser. */
  fileName: string;
  filterName: string;
  extensions: readonly string[];
  mimeType: string;
  /**
   * Writes the output. With a path (desktop) the backend writes the file there;
   * with `null` (browser) it returns the text, which becomes a download.
   */
  write: (path: string | null) => Promise<{ result: R; text: string | null }>;
};

export type Saved<R> = { result: R; savedTo: string; download: boolean };

/**
 * Saves something the backend produces: the native save dialog on the desktop,
 * a browser download otherwise. Resolves with `null` when the admin cancels.
 */
export async function saveOutput<R>({
  fileName,
  filterName,
  extensions,
  mimeType,
  write,
}: SaveOptions<R>): Promise<Saved<R> | null> {
  const machine = host();
  if (machine.nativeDialogs) {
    const path = await machine.pickSavePath(fileName, filterName, extensions);
    if (path === null) return null;
    const { result } = await write(path);
    return { result, savedTo: path, download: false };
  }
  const { result, text } = await write(null);
  machine.downloadText(fileName, text ?? "", mimeType);
  return { result, savedTo: fileName, download: true };
}

export type { PickedFile } from "../platform";

/** Lets the admin pick files the UI reads itself; an empty list when cancelled. */
export function pickFiles(accept: string, multiple: boolean) {
  return host().pickFiles(accept, multiple);
}

/** A folder for the backend to write into (desktop); `null` when cancelled or in a browser. */
export function pickFolder(title: string): Promise<string | null> {
  return host().pickFolder(title);
}

/**
 * Hands text the UI built itself (a CSV of results) to the machine as a file:
 * a download in a browser, the webview's download in the desktop shell.
 */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  host().downloadText(fileName, text, mimeType);
}
