import type { TokenFile } from "../bindings/TokenFile";

/**
 * What the UI needs from the machine besides the backend: file dialogs, saving
 * a file, opening a web page. The UI never names a path: it receives the
 * contents of a file the admin picked, and hands over contents to be saved
 * where the admin chooses. The desktop shell answers with its native dialogs
 * (and does the file IO itself); a browser with a file input, a download and
 * a new tab.
 */
export type Host = {
  /** True when a native save dialog exists (the admin picks where each file goes). */
  nativeDialogs: boolean;
  /** Lets the admin pick an Apple server token (.p7m); its contents. `null` when cancelled. */
  pickTokenFile: () => Promise<TokenFile | null>;
  /**
   * Saves `contents` as a file: the native save dialog on the desktop, a
   * download in a browser. Resolves with where it went; `null` when cancelled.
   */
  saveFile: (file: FileToSave) => Promise<SavedTo | null>;
  /**
   * Saves several files into one folder the admin picks (desktop). `null`
   * when cancelled, and always in a browser (no folders there).
   */
  saveFilesToFolder: (
    title: string,
    files: readonly { name: string; contents: string }[],
  ) => Promise<string | null>;
  /** Opens a web page in the admin's browser. */
  openExternal: (url: string) => Promise<void>;
  /**
   * Lets the admin pick files whose bytes the UI reads itself (certificates, a
   * profile file). A file input in both the browser and the desktop webview;
   * an empty list when cancelled.
   */
  pickFiles: (accept: string, multiple: boolean) => Promise<PickedFile[]>;
  /**
   * How date fields are typed in: the web view's own date input, or text in
   * YYYY-MM-DD where the date input misleads (WebKitGTK shows today's date in
   * an empty one, so an unset filter looks set).
   */
  dateInput: "date" | "text";
};

/** Contents to save, with the name suggested to the admin. */
export type FileToSave = {
  fileName: string;
  /** The save dialog's filter, e.g. "CSV file" with ["csv"]. */
  filterName: string;
  extensions: readonly string[];
  mimeType: string;
  contents: string;
};

/** Where a saved file went: a path the admin chose, or a browser download's name. */
export type SavedTo = { savedTo: string; download: boolean };

/** A file read in the UI: its name and bytes. */
export type PickedFile = { name: string; bytes: Uint8Array };

/** A hidden `<input type=file>`; resolves with the file's text, or null when cancelled. */
export function pickFileInBrowser(accept: string): Promise<{ name: string; text: string } | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = accept;
    input.hidden = true;
    const done = () => input.remove();
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      done();
      if (!file) {
        resolve(null);
        return;
      }
      file.text().then(
        (text) => resolve({ name: file.name, text }),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    input.addEventListener("cancel", () => {
      done();
      resolve(null);
    });
    document.body.append(input);
    input.click();
  });
}

/** A hidden `<input type=file>`; resolves with every chosen file's bytes (empty when cancelled). */
export function pickBinaryFilesInBrowser(accept: string, multiple: boolean): Promise<PickedFile[]> {
  return new Promise((resolve, reject) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = accept;
    input.multiple = multiple;
    input.hidden = true;
    const done = () => input.remove();
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      done();
      Promise.all(
        files.map(async (file) => ({
          name: file.name,
          bytes: new Uint8Array(await file.arrayBuffer()),
        })),
      ).then(resolve, (error: unknown) =>
        reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    input.addEventListener("cancel", () => {
      done();
      resolve([]);
    });
    document.body.append(input);
    input.click();
  });
}

/** Hands `text` to the browser as a download named `fileName`. */
export function download(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled; the download keeps its own copy.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export const browserHost: Host = {
  nativeDialogs: false,
  async pickTokenFile() {
    const picked = await pickFileInBrowser(".p7m");
    return picked ? { kind: "contents", fileName: picked.name, contents: picked.text } : null;
  },
  saveFile({ fileName, contents, mimeType }) {
    download(fileName, contents, mimeType);
    return Promise.resolve({ savedTo: fileName, download: true });
  },
  saveFilesToFolder: () => Promise.resolve(null),
  openExternal(url) {
    window.open(url, "_blank", "noopener,noreferrer");
    return Promise.resolve();
  },
  pickFiles: pickBinaryFilesInBrowser,
  dateInput: "date",
};
