import type { TokenFile } from "../../bindings/TokenFile";

/**
 * What the Add token wizard remembers between visits (TOK-1: the admin can
 * leave for Apple's portal and come back days later). No secrets: the key
 * pair lives in the backend, and a token file is not remembered at all (it
 * is picked again after a restart; the UI never holds a path to it).
 */
export type WizardProgress = {
  consent: boolean;
  /** The step on screen, 1–7. */
  step: number;
  appleId: string;
  scopeTags: string[];
  /** Where the public key was last saved, for the reminder on step 3. */
  keySavedTo: string | null;
};

export const STORAGE_KEY = "depot.addTokenWizard.v1";

export const EMPTY_PROGRESS: WizardProgress = {
  consent: false,
  step: 1,
  appleId: "",
  scopeTags: [],
  keySavedTo: null,
};

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.localStorage : null;
  } catch {
    return null;
  }
}

export function loadProgress(): WizardProgress {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return EMPTY_PROGRESS;
  try {
    const value = JSON.parse(raw) as Partial<Record<keyof WizardProgress, unknown>>;
    const step =
      typeof value.step === "number" && value.step >= 1 && value.step <= 7 ? value.step : 1;
    return {
      consent: value.consent === true,
      step: Math.floor(step),
      appleId: typeof value.appleId === "string" ? value.appleId : "",
      scopeTags: Array.isArray(value.scopeTags)
        ? value.scopeTags.filter((tag): tag is string => typeof tag === "string")
        : [],
      keySavedTo: typeof value.keySavedTo === "string" ? value.keySavedTo : null,
    };
  } catch {
    return EMPTY_PROGRESS;
  }
}

export function saveProgress(progress: WizardProgress): void {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(progress));
  } catch {
    // Storage full or disabled: the wizard still works, it just won't resume.
  }
}

export function clearProgress(): void {
  try {
    storage()?.removeItem(STORAGE_KEY);
  } catch {
    // Nothing to clear.
  }
}

/** The name to show for a picked file. */
export function fileLabel(file: TokenFile): string {
  return file.fileName;
}
