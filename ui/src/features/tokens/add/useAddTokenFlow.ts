import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type RefObject } from "react";
import { call, isApiError, queryKeys, usePendingKey } from "../../../app/api";
import { refreshAfter } from "../../../app/invalidation";
import { TOKEN_PATHS } from "../../../app/paths";
import { navigate } from "../../../app/router";
import type { PendingKey } from "../../../bindings/PendingKey";
import type { TokenFile } from "../../../bindings/TokenFile";
import { chooseTokenFile } from "../TokenFileChoice";
import { isEmailShaped } from "../format";
import {
  EMPTY_PROGRESS,
  clearProgress,
  loadProgress,
  saveProgress,
  type WizardProgress,
} from "../wizardProgress";

export const STEPS = [
  { title: "Consent", caption: "Data shared with Apple" },
  { title: "Public key", caption: "Download Depot's key" },
  { title: "Apple portal", caption: "Create the MDM server" },
  { title: "Apple ID", caption: "Who made the token" },
  { title: "Token file", caption: "Upload the .p7m" },
  { title: "Scope tags", caption: "Optional" },
  { title: "Review + create", caption: "Check and finish" },
] as const;

export const LAST_STEP = STEPS.length;

/** A token file the admin chose, and where Depot should check it. */
export type ChosenFile = {
  file: TokenFile;
  /** `"simulator"` for a file from the simulated portal; Apple otherwise. */
  appleUrl: string | null;
};

/** The request fields that say where a token lives; nothing for Apple's default. */
function whereFrom(chosen: ChosenFile): { appleUrl?: string } {
  return chosen.appleUrl === null ? {} : { appleUrl: chosen.appleUrl };
}

/** Which step a saved visit resumes at: never past a step whose input is gone. */
function resumeStep(progress: WizardProgress): number {
  if (!progress.consent) return 1;
  let step = progress.step;
  if (step > 4 && !isEmailShaped(progress.appleId)) step = 4;
  // Apple's answer for the token file is not kept; it is asked again at step 5.
  if (step > 5) step = 5;
  return Math.max(1, step);
}

/** What the Apple ID field says once the admin has typed or left it. */
function appleIdProblem(appleId: string, touched: boolean): string | undefined {
  if (!(touched || appleId.length > 0) || isEmailShaped(appleId)) return undefined;
  return appleId.trim() === ""
    ? "Enter the Apple ID."
    : "Enter the Apple ID as an email address, for example it-admin@contoso.com.";
}

export type AddTokenFlow = ReturnType<typeof useAddTokenFlow>;

/**
 * The Add token wizard's state (TOK-1): the remembered progress, the pending
 * key, the chosen token file and Apple's answer for it, which steps are done
 * and reachable, and the mutations that move the flow on. The steps render it;
 * `panelRef` is the step panel, focused when the step changes.
 */
export function useAddTokenFlow(panelRef: RefObject<HTMLElement | null>) {
  const client = useQueryClient();
  const [progress, setProgress] = useState<WizardProgress>(() => {
    const saved = loadProgress();
    return { ...saved, step: resumeStep(saved) };
  });
  // In memory only: a simulator file is the encrypted token itself, never written to storage.
  const [chosen, setChosen] = useState<ChosenFile | null>(null);
  const fromSimulator = chosen !== null && chosen.appleUrl !== null;
  const [appleIdTouched, setAppleIdTouched] = useState(false);
  const [keyLost, setKeyLost] = useState(false);
  const finished = useRef(false);

  const update = (patch: Partial<WizardProgress>) =>
    setProgress((current) => ({ ...current, ...patch }));

  useEffect(() => {
    if (!finished.current) saveProgress(progress);
  }, [progress]);

  const { step, consent, appleId, scopeTags } = progress;

  // Step 2: the pending key survives restarts in the backend; make one only if none waits.
  const pendingKey = usePendingKey(consent);
  const generate = useMutation({
    mutationFn: (replace: boolean) => call("tokens.generateKey", { replace }),
    onSuccess: (key, replace) => {
      client.setQueryData(queryKeys.pendingKey, { pending: key });
      if (replace) {
        // A token file made for the old key can no longer be imported.
        setChosen(null);
        inspect.reset();
        issue.reset();
        update({ keySavedTo: null });
      }
    },
  });
  const key: PendingKey | null = pendingKey.data?.pending ?? null;
  const keyMissing = pendingKey.isSuccess && key === null;

  useEffect(() => {
    if (step === 2 && keyMissing && generate.isIdle) generate.mutate(false);
  }, [step, keyMissing, generate]);

  if (step > 2 && keyMissing) {
    // The key was used up (or never made) while the admin was away: go back to step 2,
    // which makes a new one. Adjusted while rendering, so the later step never flashes.
    setProgress((current) => ({ ...current, step: 2 }));
  }

  // Step 3 (demo): the simulated portal's "Download token" for the pending key.
  const issue = useMutation({
    mutationFn: () => call("demo.issueToken", {}),
    onSuccess: (issued) => {
      setChosen({ file: issued.file, appleUrl: issued.appleUrl });
    },
    onError: (error) => {
      if (isApiError(error) && error.code === "NO_PENDING_KEY") {
        // The key is gone (used or replaced elsewhere): step 2 makes a new one.
        void client.invalidateQueries({ queryKey: queryKeys.pendingKey });
        setKeyLost(true);
        goTo(2);
      }
    },
  });
  // Step 5: Apple's (or the simulator's) answer for the chosen file.
  const inspect = useMutation({
    mutationFn: (what: ChosenFile) =>
      call("tokens.inspect", { file: what.file, ...whereFrom(what) }),
  });
  const preview = inspect.isSuccess && inspect.variables === chosen ? inspect.data : null;

  useEffect(() => {
    // A file not asked about yet (picked, from the simulated portal, or remembered
    // from an earlier visit): ask as soon as step 5 shows it.
    if (step === 5 && chosen && key && inspect.variables !== chosen && !inspect.isPending) {
      inspect.mutate(chosen);
    }
  }, [step, chosen, key, inspect]);

  const chooseFile = () =>
    chooseTokenFile((picked) => {
      setChosen({ file: picked, appleUrl: null });
    });

  const add = useMutation({
    mutationFn: () => {
      if (!chosen) throw new Error("Choose the token file first.");
      return call("tokens.add", {
        file: chosen.file,
        appleId: appleId.trim(),
        scopeTags,
        ...whereFrom(chosen),
      });
    },
    onSuccess: async (token) => {
      finished.current = true;
      clearProgress();
      client.removeQueries({ queryKey: queryKeys.pendingKey });
      await refreshAfter(client, "token");
      navigate(`${TOKEN_PATHS.detail(token.id)}?added=1`);
    },
  });

  const valid = (n: number): boolean => {
    switch (n) {
      case 1:
        return consent;
      case 2:
        return key !== null;
      case 3:
        return true;
      case 4:
        return isEmailShaped(appleId);
      case 5:
        return preview !== null && preview.existingTokenId === null && !inspect.isPending;
      case 6:
        return true;
      default:
        return false;
    }
  };
  const reachable = (n: number): boolean => {
    for (let k = 1; k < n; k++) if (!valid(k)) return false;
    return true;
  };

  const goTo = (n: number) => {
    update({ step: n });
    panelRef.current?.focus();
  };

  const restart = () => {
    clearProgress();
    setChosen(null);
    inspect.reset();
    issue.reset();
    add.reset();
    setKeyLost(false);
    setAppleIdTouched(false);
    setProgress(EMPTY_PROGRESS);
  };

  return {
    progress,
    update,
    goTo,
    restart,
    valid,
    reachable,
    canGoNext: step < LAST_STEP && valid(step),
    pendingKey,
    key,
    keyLost,
    generate,
    issue,
    chosen,
    fromSimulator,
    chooseFile,
    inspect,
    preview,
    appleIdError: appleIdProblem(appleId, appleIdTouched),
    touchAppleId: () => setAppleIdTouched(true),
    add,
  };
}
