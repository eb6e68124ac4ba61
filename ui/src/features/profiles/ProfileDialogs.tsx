import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Select,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DocumentArrowUp20Regular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError, queryKeys } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { pickFiles } from "../../app/files";
import { PATHS, PROFILE_PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import type { ProfileSummary } from "../../bindings/ProfileSummary";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { ConfirmDeleteDialog } from "../../components/ConfirmDeleteDialog";
import { ErrorAlert, ErrorState } from "../../components/ErrorState";
import { plural } from "./format";

const useStyles = makeStyles({
  content: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  paragraph: {
    margin: 0,
  },
});

type DialogProps = {
  profile: ProfileSummary;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

/** PRO-15: delete, unless devices hold the profile or it is the token's default (the backend says). */
export function DeleteProfileDialog({ profile, open, onOpenChange }: DialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => call("profiles.delete", { id: profile.id }),
    onSuccess: async () => {
      onOpenChange(false);
      // Leave the deleted profile's page before its data goes.
      if (window.location.hash.startsWith(`#${PROFILE_PATHS.detail(profile.id)}`)) {
        navigate(PATHS.profiles);
      }
      client.removeQueries({ queryKey: queryKeys.profile(profile.id) });
      await refreshAfter(client, "profile");
    },
    onError: (error) => {
      // The list may be out of date (devices assigned, a new default): show the current state.
      if (isApiError(error) && error.code === "PROFILE_IN_USE") {
        void refreshAfter(client, "profile");
      }
    },
  });
  const close = () => {
    onOpenChange(false);
    remove.reset();
  };
  const inUse = isApiError(remove.error) && remove.error.code === "PROFILE_IN_USE";

  return (
    <ConfirmDeleteDialog
      open={open}
      onClose={close}
      title={`Delete ${profile.name}?`}
      blockers={
        inUse ? (
          <ErrorAlert
            title="This profile is still in use"
            code="PROFILE_IN_USE"
            testId="delete-profile-in-use"
          >
            <span>{remove.error?.message}</span>
          </ErrorAlert>
        ) : null
      }
      action={{
        run: () => remove.mutate(),
        pending: remove.isPending,
        error: inUse ? null : remove.error,
        errorTitle: "Couldn't delete the profile",
      }}
      cancelLabel={inUse ? "Close" : "Cancel"}
      testIds={{
        dialog: "delete-profile-dialog",
        confirm: "delete-profile-confirm",
        cancel: "delete-profile-cancel",
      }}
    >
      <Body1 className={styles.paragraph}>
        Depot forgets this profile and all {plural(profile.version, "version", "versions")}. Apple
        keeps the profile it received, and devices that already enrolled with it are not affected. A
        profile that devices still hold, or that is the default for new devices, can&apos;t be
        deleted.
      </Body1>
    </ConfirmDeleteDialog>
  );
}

/** A copy of the profile's current settings under a new name, saved and uploaded. */
export function DuplicateProfileDialog({ profile, open, onOpenChange }: DialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const [name, setName] = useState(`${profile.name} (copy)`);
  const duplicate = useMutation({
    mutationFn: () => call("profiles.duplicate", { id: profile.id, name: name.trim() }),
    onSuccess: async (detail) => {
      onOpenChange(false);
      client.setQueryData(queryKeys.profile(detail.summary.id), detail);
      navigate(`${PROFILE_PATHS.detail(detail.summary.id)}?created=1`);
      await refreshAfter(client, "profile");
    },
  });
  const close = () => {
    onOpenChange(false);
    duplicate.reset();
    setName(`${profile.name} (copy)`);
  };
  // A taken or invalid name comes back as PROFILE_INVALID: show it at the field.
  const nameError =
    isApiError(duplicate.error) &&
    (duplicate.error.code === "PROFILE_INVALID" || duplicate.error.code === "INVALID_INPUT")
      ? duplicate.error.message
      : name.trim() === ""
        ? "Enter a name for the copy."
        : undefined;

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? onOpenChange(true) : close())}>
      <DialogSurface data-testid="duplicate-dialog">
        <DialogBody>
          <DialogTitle>Duplicate {profile.name}</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 className={styles.paragraph}>
              The copy gets this profile&apos;s current settings, belongs to the same token, and is
              uploaded to Apple as a profile of its own. No devices move to it.
            </Body1>
            <Field
              label="Name of the copy"
              required
              data-testid="duplicate-name-field"
              {...(nameError
                ? { validationMessage: nameError, validationState: "error" as const }
                : {})}
            >
              <Input
                value={name}
                onChange={(_, data) => {
                  setName(data.value);
                  if (duplicate.isError) duplicate.reset();
                }}
                data-testid="duplicate-name"
              />
            </Field>
            {duplicate.isError && !nameError ? (
              <ErrorState title="Couldn't duplicate the profile" error={duplicate.error} />
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={() => duplicate.mutate()}
              disabled={duplicate.isPending || name.trim() === ""}
              data-testid="duplicate-confirm"
            >
              {duplicate.isPending ? "Duplicating…" : "Duplicate"}
            </Button>
            <Button onClick={close}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

type ImportDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  tokens: readonly TokenSummary[];
  /** The token the list is filtered to, if any. */
  initialTokenId: string | null;
};

/** PRO-16: a depot.profile/v1 file becomes a new profile of the chosen token. */
export function ImportProfileDialog({
  open,
  onOpenChange,
  tokens: tokenList,
  initialTokenId,
}: ImportDialogProps) {
  const styles = useStyles();
  const client = useQueryClient();
  const only = tokenList.length === 1 ? (tokenList[0]?.id ?? null) : null;
  const [tokenId, setTokenId] = useState<string | null>(initialTokenId ?? only);
  const [fileName, setFileName] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (chosenToken: string) => {
      const [file] = await pickFiles(".json,application/json", false);
      if (!file) return null;
      setFileName(file.name);
      const text = new TextDecoder().decode(file.bytes);
      return call("profiles.import", { tokenId: chosenToken, text });
    },
    onSuccess: async (detail) => {
      if (!detail) return;
      onOpenChange(false);
      client.setQueryData(queryKeys.profile(detail.summary.id), detail);
      navigate(`${PROFILE_PATHS.detail(detail.summary.id)}?created=1`);
      await refreshAfter(client, "profile");
    },
  });
  const close = () => {
    onOpenChange(false);
    run.reset();
    setFileName(null);
  };

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? onOpenChange(true) : close())}>
      <DialogSurface data-testid="import-dialog">
        <DialogBody>
          <DialogTitle>Import a profile file</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1 className={styles.paragraph}>
              Choose a Depot profile file (.json, format depot.profile/v1), for example one exported
              from another workspace or written for the command line. Depot checks it like the
              wizard does, saves it as a new profile and uploads it to Apple.
            </Body1>
            <Field label="Enrollment program token" required>
              <Select
                value={tokenId ?? ""}
                onChange={(_, data) => setTokenId(data.value === "" ? null : data.value)}
                data-testid="import-token"
              >
                <option value="">Choose a token…</option>
                {tokenList.map((token) => (
                  <option key={token.id} value={token.id}>
                    {token.serverName}
                  </option>
                ))}
              </Select>
            </Field>
            {run.isError ? (
              <ErrorAlert
                title={fileName ? `Couldn't import ${fileName}` : "Couldn't import the file"}
                code={isApiError(run.error) ? run.error.code : undefined}
                testId="import-error"
              >
                <span>{run.error.message}</span>
                <span>
                  {isApiError(run.error) && run.error.code === "PROFILE_INVALID"
                    ? "Correct these settings in the file, or create the profile in the wizard instead."
                    : "Check that this is a Depot profile file."}
                </span>
              </ErrorAlert>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              icon={<DocumentArrowUp20Regular />}
              disabled={tokenId === null || run.isPending}
              onClick={() => tokenId !== null && run.mutate(tokenId)}
              data-testid="import-pick-file"
            >
              {run.isPending ? "Importing…" : "Choose file and import…"}
            </Button>
            <Button onClick={close}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
