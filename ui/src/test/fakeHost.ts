import { vi } from "vitest";
import type { FileToSave, Host, SavedTo } from "../platform";

/**
 * The desktop shell's file side as tests see it: a save dialog the "admin"
 * answers with a folder of their home, and a record of every file the shell
 * was handed (its contents, never a path from the UI).
 */
export function desktopFiles(home = "/home/admin") {
  const saved: (FileToSave & { savedTo: string })[] = [];
  const folders: { dir: string; files: { name: string; contents: string }[] }[] = [];
  const host: Partial<Host> = {
    nativeDialogs: true,
    saveFile: vi.fn((file: FileToSave): Promise<SavedTo | null> => {
      const savedTo = `${home}/${file.fileName}`;
      saved.push({ ...file, savedTo });
      return Promise.resolve({ savedTo, download: false });
    }),
    saveFilesToFolder: vi.fn(
      (_title: string, files: readonly { name: string; contents: string }[]) => {
        const dir = `${home}/handoff`;
        folders.push({ dir, files: [...files] });
        return Promise.resolve(dir);
      },
    ),
  };
  return { host, saved, folders };
}

/** A browser's downloads as tests see them: each file handed over, in order. */
export function browserDownloads() {
  const downloads: FileToSave[] = [];
  const host: Partial<Host> = {
    nativeDialogs: false,
    saveFile: (file: FileToSave): Promise<SavedTo | null> => {
      downloads.push(file);
      return Promise.resolve({ savedTo: file.fileName, download: true });
    },
  };
  return { host, downloads };
}
