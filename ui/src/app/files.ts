import type { TokenFile } from "../bindings/TokenFile";
import { host, type FileToSave, type SavedTo } from "../platform";

// Features reach the machine (dialogs, downloads, links) through here, never
// through `platform` directly.

/** Lets the admin pick an Apple server token (.p7m); `null` when cancelled. */
export function pickTokenFile(): Promise<TokenFile | null> {
  return host().pickTokenFile();
}

/**
 * Lets the admin pick an Apps and Books token (.vpptoken, Base64 text from
 * Apple's portal); `null` when cancelled.
 */
export async function pickVppTokenFile(): Promise<TokenFile | null> {
  const [picked] = await host().pickFiles(".vpptoken", false);
  if (!picked) return null;
  return {
    kind: "contents",
    fileName: picked.name,
    contents: new TextDecoder().decode(picked.bytes),
  };
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
  /** Asks the backend for the output: what to report, and the file's text. */
  produce: () => Promise<{ result: R; text: string }>;
};

export type Saved<R> = { result: R } & SavedTo;

/**
 * Saves something the backend produces: the native save dialog on the desktop,
 * a browser download otherwise. Resolves with `null` when the admin cancels.
 */
export async function saveOutput<R>({
  fileName,
  filterName,
  extensions,
  mimeType,
  produce,
}: SaveOptions<R>): Promise<Saved<R> | null> {
  const { result, text } = await produce();
  const saved = await host().saveFile({
    fileName,
    filterName,
    extensions,
    mimeType,
    contents: text,
  });
  return saved === null ? null : { result, ...saved };
}

export type { PickedFile } from "../platform";

/** Lets the admin pick files the UI reads itself; an empty list when cancelled. */
export function pickFiles(accept: string, multiple: boolean) {
  return host().pickFiles(accept, multiple);
}

/**
 * Saves several files into a folder the admin picks (desktop). Resolves with
 * the folder, or `null` when cancelled or in a browser.
 */
export function saveFilesToFolder(
  title: string,
  files: readonly { name: string; contents: string }[],
): Promise<string | null> {
  return host().saveFilesToFolder(title, files);
}

/**
 * Saves text the UI built itself (a CSV of results): the native save dialog
 * on the desktop, a download in a browser. `null` when cancelled.
 */
export function saveText(file: FileToSave): Promise<SavedTo | null> {
  return host().saveFile(file);
}
