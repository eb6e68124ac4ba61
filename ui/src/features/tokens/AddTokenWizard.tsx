import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowDownload20Regular,
  ArrowLeft20Regular,
  ArrowRight20Regular,
  Beaker20Regular,
  DocumentArrowUp20Regular,
  KeyReset20Regular,
  Open20Regular,
} from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import {
  call,
  invalidateAfterTokenChange,
  isApiError,
  queryKeys,
  usePendingKey,
} from "../../app/api";
import { openExternal, saveOutput } from "../../app/files";
import { PATHS, TOKEN_PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import type { PendingKey } from "../../bindings/PendingKey";
import type { TokenFile } from "../../bindings/TokenFile";
import { ErrorState } from "../../components/ErrorState";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { Page } from "../../components/Page";
import { ScopeTagInput } from "../../components/ScopeTagInput";
import { SimulatorBadge } from "../../components/SimulatorBadge";
import { WizardSteps, useWizardFrameStyles } from "../../components/WizardSteps";
import {
  CheckingTokenSpinner,
  ChosenFileBox,
  NoFileChosen,
  SimulatedPortalError,
  chooseTokenFile,
} from "./TokenFileChoice";
import { TokenFileError } from "./TokenFileError";
import { TokenPreviewCard } from "./TokenPreviewCard";
import { daysLeftText, formatDate, formatDateTime, isEmailShaped } from "./format";
import {
  EMPTY_PROGRESS,
  clearProgress,
  fileLabel,
  loadProgress,
  saveProgress,
  type WizardProgress,
} from "./wizardProgress";

export const BUSINESS_PORTAL = "https://business.apple.com/";
export const SCHOOL_PORTAL = "https://school.apple.com/";

const STEPS = [
  { title: "Consent", caption: "Data shared with Apple" },
  { title: "Public key", caption: "Download Depot's key" },
  { title: "Apple portal", caption: "Create the MDM server" },
  { title: "Apple ID", caption: "Who made the token" },
  { title: "Token file", caption: "Upload the .p7m" },
  { title: "Scope tags", caption: "Optional" },
  { title: "Review + create", caption: "Check and finish" },
] as const;

const LAST_STEP = STEPS.length;

const useStyles = makeStyles({
  paragraph: {
    margin: 0,
    color: tokens.colorNeutralForeground1,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    alignItems: "center",
  },
  checklist: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    "& li::marker": {
      fontWeight: tokens.fontWeightSemibold,
      color: tokens.colorBrandForeground1,
    },
  },
  checklistItem: {
    paddingLeft: tokens.spacingHorizontalXS,
  },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  field: {
    maxWidth: "420px",
  },
  fileRow: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
  },
  fileName: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
  consentBox: {
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  simulatorBox: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  simulatorHeading: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    margin: 0,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: tokens.lineHeightBase300,
  },
  receivedFile: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
  },
  chosenFileAction: {
    marginLeft: "auto",
  },
  simulatorIcon: {
    display: "flex",
    color: tokens.colorPaletteBerryForeground2,
  },
});

/** A token file the admin chose, and where Depot should check it. */
type ChosenFile = {
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

export function AddTokenWizard() {
  const styles = useStyles();
  const frame = useWizardFrameStyles();
  const client = useQueryClient();
  const [progress, setProgress] = useState<WizardProgress>(() => {
    const saved = loadProgress();
    return { ...saved, step: resumeStep(saved) };
  });
  // In memory only: a simulator file is the encrypted token itself, never written to storage.
  const [chosen, setChosen] = useState<ChosenFile | null>(null);
  const file = chosen?.file ?? null;
  const fromSimulator = chosen !== null && chosen.appleUrl !== null;
  const [appleIdTouched, setAppleIdTouched] = useState(false);
  const finished = useRef(false);
  const panelRef = useRef<HTMLDivElement>(null);
  const headingId = useId();

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

  const [keyLost, setKeyLost] = useState(false);
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
      await invalidateAfterTokenChange(client);
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

  const appleIdError =
    (appleIdTouched || appleId.length > 0) && !isEmailShaped(appleId)
      ? appleId.trim() === ""
        ? "Enter the Apple ID."
        : "Enter the Apple ID as an email address, for example it-admin@contoso.com."
      : undefined;

  let body: ReactNode;
  switch (step) {
    case 1:
      body = (
        <>
          <Body1 className={styles.paragraph}>
            To enroll your organisation&apos;s devices automatically, Depot exchanges information
            with Apple on your behalf: the serial numbers, models and enrollment status of the
            devices assigned to your MDM server, the enrollment profiles you create (including
            support contact details), and the Apple ID of the administrator who created the token.
            Apple handles this information under its own terms for Apple Business Manager and Apple
            School Manager.
          </Body1>
          <div className={styles.consentBox}>
            <Checkbox
              checked={consent}
              onChange={(_, data) => update({ consent: data.checked === true })}
              label="I agree that Depot may send user and device information to Apple."
              data-testid="consent-checkbox"
            />
          </div>
          {!consent ? (
            <Caption1 className={styles.muted}>
              The other steps become available once you agree.
            </Caption1>
          ) : null}
        </>
      );
      break;
    case 2:
      body = (
        <KeyStep
          keyLost={keyLost}
          pendingKey={pendingKey}
          keyValue={key}
          generating={generate.isPending}
          generateError={generate.error}
          onRegenerate={() => generate.mutate(true)}
          savedTo={progress.keySavedTo}
          onSaved={(where) => update({ keySavedTo: where })}
        />
      );
      break;
    case 3:
      body = (
        <>
          <Body1 className={styles.paragraph}>
            Now create the MDM server in Apple&apos;s portal. Keep this window open or come back
            later — Depot keeps your public key and your place in this wizard.
          </Body1>
          <ol className={styles.checklist} data-testid="portal-checklist">
            <li className={styles.checklistItem}>
              Sign in to <strong>Apple Business Manager</strong> (or{" "}
              <strong>Apple School Manager</strong>) with an account that is allowed to manage MDM
              servers.
            </li>
            <li className={styles.checklistItem}>
              Open your account menu, choose <strong>Preferences</strong>, then{" "}
              <strong>Your MDM Servers</strong>, and choose <strong>Add</strong>. Give the server a
              name you will recognise in Depot.
            </li>
            <li className={styles.checklistItem}>
              Under the server&apos;s settings, upload the public key file
              {progress.keySavedTo ? (
                <>
                  {" "}
                  (<span className={styles.fileName}>{progress.keySavedTo}</span>)
                </>
              ) : (
                " (.pem) from the previous step"
              )}{" "}
              and save.
            </li>
            <li className={styles.checklistItem}>
              Assign devices to the new server: choose them by <strong>serial number</strong>, by{" "}
              <strong>order number</strong>, or by uploading a <strong>CSV file</strong>, and set
              the new server as their MDM server. You can assign more devices at any time.
            </li>
            <li className={styles.checklistItem}>
              Back on the server&apos;s page, choose <strong>Download Token</strong>. Apple gives
              you a <strong>.p7m</strong> file — you upload it in step 5.
            </li>
          </ol>
          <div className={styles.actions}>
            <Button
              appearance="primary"
              icon={<Open20Regular />}
              onClick={() => void openExternal(BUSINESS_PORTAL)}
              data-testid="open-portal"
            >
              Open Apple Business Manager
            </Button>
            <Link
              as="button"
              onClick={() => void openExternal(SCHOOL_PORTAL)}
              data-testid="open-school-portal"
            >
              Open Apple School Manager instead
            </Link>
          </div>
          <section className={styles.simulatorBox} aria-labelledby={`${headingId}-sim`}>
            <h3 id={`${headingId}-sim`} className={styles.simulatorHeading}>
              <span className={styles.simulatorIcon} aria-hidden="true">
                <Beaker20Regular />
              </span>
              No Apple Business Manager account at hand?
            </h3>
            <Body1 className={styles.paragraph}>
              Use Depot&apos;s built-in simulator instead: it plays Apple&apos;s portal and issues a
              real token file for your key. The token then talks to the simulator, not to Apple, and
              is marked <strong>Simulator</strong> everywhere in Depot.
            </Body1>
            <div className={styles.actions}>
              <Button
                icon={<Beaker20Regular />}
                onClick={() => issue.mutate()}
                disabled={issue.isPending || key === null}
                data-testid="simulator-portal"
              >
                {issue.isPending
                  ? "Getting a token…"
                  : fromSimulator
                    ? "Get another token from the simulated portal"
                    : "Get a token from the simulated portal"}
              </Button>
            </div>
            {issue.isError &&
            !(isApiError(issue.error) && issue.error.code === "NO_PENDING_KEY") ? (
              <SimulatedPortalError error={issue.error} />
            ) : null}
            {fromSimulator && chosen ? (
              <MessageBar intent="success" layout="multiline" data-testid="simulator-file-received">
                <MessageBarBody>
                  <MessageBarTitle>Token file received from the simulator</MessageBarTitle>
                  <div className={styles.receivedFile}>
                    <span className={styles.fileName}>{fileLabel(chosen.file)}</span>
                    <span>
                      Enter the Apple ID in the next step; the file is already chosen in step 5.
                    </span>
                  </div>
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </section>
        </>
      );
      break;
    case 4:
      body = (
        <>
          <Body1 className={styles.paragraph}>
            Enter the Apple ID you signed in to Apple&apos;s portal with to create this token. Depot
            stores it with the token, so that whoever renews the token next year knows which account
            to sign in with — renewing requires the same Apple ID.
          </Body1>
          <Field
            label="Apple ID"
            required
            className={styles.field}
            hint="Usually a Managed Apple ID, such as it-admin@contoso.com."
            {...(appleIdError
              ? { validationMessage: appleIdError, validationState: "error" as const }
              : {})}
          >
            <Input
              type="email"
              value={appleId}
              onChange={(_, data) => update({ appleId: data.value })}
              onBlur={() => setAppleIdTouched(true)}
              autoComplete="off"
              data-testid="apple-id-input"
            />
          </Field>
        </>
      );
      break;
    case 5:
      body = (
        <>
          {fromSimulator ? (
            <Body1 className={styles.paragraph}>
              The token file from the simulated portal is already chosen. Depot opens it with the
              key from step 2 and asks the simulator which organisation and MDM server it belongs
              to. Nothing is saved until you choose Create.
            </Body1>
          ) : (
            <Body1 className={styles.paragraph}>
              Choose the server token (.p7m) you downloaded from Apple&apos;s portal. Depot opens it
              with the key from step 2 and asks Apple which organisation and MDM server it belongs
              to. Nothing is saved until you choose Create.
            </Body1>
          )}
          {file ? (
            <ChosenFileBox
              file={file}
              fromSimulator={fromSimulator}
              testId="picked-file"
              action={
                <Button
                  className={styles.chosenFileAction}
                  size="small"
                  icon={<DocumentArrowUp20Regular />}
                  onClick={() => void chooseFile()}
                  disabled={inspect.isPending}
                  data-testid="pick-token-file"
                >
                  {fromSimulator ? "Choose a file from Apple instead…" : "Choose another file…"}
                </Button>
              }
            />
          ) : (
            <div className={styles.fileRow}>
              <Button
                icon={<DocumentArrowUp20Regular />}
                onClick={() => void chooseFile()}
                disabled={inspect.isPending}
                data-testid="pick-token-file"
              >
                Choose token file…
              </Button>
              <NoFileChosen />
            </div>
          )}
          {inspect.isPending ? (
            <CheckingTokenSpinner simulator={fromSimulator} />
          ) : inspect.isError ? (
            <TokenFileError error={inspect.error} onKeyStep={() => goTo(2)} />
          ) : preview ? (
            <>
              <TokenPreviewCard preview={preview} appleId={appleId} />
              {preview.existingTokenId ? (
                <MessageBar intent="warning" layout="multiline" data-testid="preview-duplicate">
                  <MessageBarBody>
                    <MessageBarTitle>This MDM server already has a token in Depot</MessageBarTitle>
                    Renew that token instead of adding it twice; its profiles and devices are kept.{" "}
                    <Link href={`#${TOKEN_PATHS.detail(preview.existingTokenId)}`}>
                      Open the existing token
                    </Link>
                  </MessageBarBody>
                </MessageBar>
              ) : null}
            </>
          ) : file && !key ? (
            <LoadingState label="Loading the public key…" />
          ) : null}
        </>
      );
      break;
    case 6:
      body = (
        <>
          <Body1 className={styles.paragraph}>
            Scope tags are optional labels. The token&apos;s profiles and devices inherit them, and
            you can filter by them across Depot. You can change them later on the token&apos;s page.
          </Body1>
          <ScopeTagInput value={scopeTags} onChange={(tags) => update({ scopeTags: tags })} />
        </>
      );
      break;
    default:
      body = (
        <>
          <Body1 className={styles.paragraph}>
            Check the details below and choose <strong>Create</strong>. Depot saves the token, its
            key and the Apple facts in one go.
          </Body1>
          {preview ? (
            <Facts
              testId="review-summary"
              facts={[
                {
                  label: "MDM server",
                  value: (
                    <span className={styles.actions}>
                      {preview.serverName}
                      {preview.simulator ? <SimulatorBadge size="small" /> : null}
                    </span>
                  ),
                },
                { label: "Organisation", value: preview.orgName },
                { label: "Server UUID", value: preview.serverUuid, mono: true },
                { label: "Apple ID", value: appleId.trim() },
                {
                  label: "Expires",
                  value: `${formatDate(preview.expiresAt)} (${daysLeftText(preview.daysLeft)})`,
                },
                {
                  label: "Scope tags",
                  value: scopeTags.length > 0 ? scopeTags.join(", ") : "None",
                },
                { label: "Public key", value: key?.fingerprint ?? "—", mono: true },
              ]}
            />
          ) : null}
          {add.isError ? <TokenFileError error={add.error} onKeyStep={() => goTo(2)} /> : null}
        </>
      );
  }

  const canGoNext = step < LAST_STEP && valid(step);

  return (
    <Page
      testId="add-token"
      title="Add enrollment program token"
      description="Connect Depot to an MDM server in Apple Business Manager or Apple School Manager."
      actions={
        <>
          <Button appearance="subtle" onClick={restart} data-testid="wizard-restart">
            Start over
          </Button>
          <Button
            icon={<ArrowLeft20Regular />}
            onClick={() => navigate(PATHS.tokens)}
            data-testid="wizard-close"
          >
            Back to tokens
          </Button>
        </>
      }
    >
      <div className={frame.layout}>
        <WizardSteps
          steps={STEPS}
          current={step}
          reachable={reachable}
          done={(n) => n < step && valid(n)}
          onSelect={goTo}
          label="Add token steps"
        />
        <div
          className={frame.panel}
          ref={panelRef}
          tabIndex={-1}
          role="group"
          aria-labelledby={headingId}
        >
          <section className={frame.panelBody} data-testid={`wizard-step-${step}`}>
            <Subtitle1 as="h2" id={headingId} className={frame.panelHeading}>
              {step}. {STEPS[step - 1]?.title}
            </Subtitle1>
            {body}
          </section>
          <div className={frame.footer}>
            <Button
              icon={<ArrowLeft20Regular />}
              disabled={step === 1 || add.isPending}
              onClick={() => goTo(step - 1)}
              data-testid="wizard-back"
            >
              Back
            </Button>
            {step < LAST_STEP ? (
              <Button
                appearance="primary"
                icon={<ArrowRight20Regular />}
                iconPosition="after"
                disabled={!canGoNext}
                onClick={() => goTo(step + 1)}
                data-testid="wizard-next"
              >
                Next
              </Button>
            ) : (
              <Button
                appearance="primary"
                disabled={!reachable(LAST_STEP) || add.isPending}
                onClick={() => add.mutate()}
                data-testid="wizard-create"
              >
                {add.isPending ? "Creating…" : "Create"}
              </Button>
            )}
            <Caption1 className={frame.footerNote}>
              Your progress is kept if you leave this page.
            </Caption1>
          </div>
        </div>
      </div>
    </Page>
  );
}

type KeyStepProps = {
  /** The simulated portal found no key waiting: say why the admin is back here. */
  keyLost: boolean;
  pendingKey: ReturnType<typeof usePendingKey>;
  keyValue: PendingKey | null;
  generating: boolean;
  generateError: unknown;
  onRegenerate: () => void;
  savedTo: string | null;
  onSaved: (where: string) => void;
};

function KeyStep({
  keyLost,
  pendingKey,
  keyValue,
  generating,
  generateError,
  onRegenerate,
  savedTo,
  onSaved,
}: KeyStepProps) {
  const styles = useStyles();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const save = useMutation({
    mutationFn: (key: PendingKey) =>
      saveOutput({
        fileName: key.fileName,
        filterName: "PEM certificate",
        extensions: ["pem"],
        mimeType: "application/x-pem-file",
        produce: () => Promise.resolve({ result: null, text: key.certificatePem }),
      }),
    onSuccess: (saved) => {
      if (saved) onSaved(saved.savedTo);
    },
  });

  if (pendingKey.isError) {
    return (
      <ErrorState
        title="Couldn't load the public key"
        error={pendingKey.error}
        onRetry={() => void pendingKey.refetch()}
        retrying={pendingKey.isFetching}
      />
    );
  }
  if (generateError) {
    return <ErrorState title="Couldn't create a key pair" error={generateError} />;
  }
  if (!keyValue || generating) {
    return (
      <LoadingState
        label={generating ? "Creating a key pair for this token…" : "Loading the public key…"}
      />
    );
  }

  return (
    <>
      {keyLost ? (
        <MessageBar intent="warning" layout="multiline" data-testid="key-lost">
          <MessageBarBody>
            <MessageBarTitle>No public key was waiting</MessageBarTitle>
            The simulated portal needs Depot&apos;s public key to make a token for it. Depot has
            made the key below; continue to step 3 and get the token file again.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Body1 className={styles.paragraph}>
        Apple encrypts the token it issues with this public key, so only this Depot workspace can
        open it. Download the key and upload it in Apple&apos;s portal in the next step. Depot keeps
        the matching private key safely until the token is created — you can close the app and
        continue later.
      </Body1>
      <Facts
        testId="pending-key"
        facts={[
          { label: "Subject", value: keyValue.subject },
          {
            label: "Fingerprint (SHA-256)",
            value: keyValue.fingerprint,
            mono: true,
            testId: "key-fingerprint",
          },
          { label: "Created", value: formatDateTime(keyValue.createdAt) },
          { label: "Valid until", value: formatDate(keyValue.certificateExpiresAt) },
          { label: "File", value: keyValue.fileName, mono: true },
        ]}
      />
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<ArrowDownload20Regular />}
          onClick={() => save.mutate(keyValue)}
          disabled={save.isPending}
          data-testid="download-key"
        >
          Download public key
        </Button>
        <Button
          icon={<KeyReset20Regular />}
          onClick={() => setConfirmOpen(true)}
          data-testid="generate-new-key"
        >
          Generate a new key
        </Button>
      </div>
      {save.isError ? <ErrorState title="Couldn't save the public key" error={save.error} /> : null}
      {savedTo ? (
        <MessageBar intent="success" layout="multiline" data-testid="key-saved">
          <MessageBarBody>
            Saved as <span className={styles.fileName}>{savedTo}</span>. Upload this file in
            Apple&apos;s portal.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Dialog open={confirmOpen} onOpenChange={(_, data) => setConfirmOpen(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Replace the public key?</DialogTitle>
            <DialogContent>
              <p className={styles.paragraph}>
                Depot will forget the current key. If you already uploaded it to Apple&apos;s
                portal, a token Apple made for it can no longer be imported: you would have to
                upload the new key to the MDM server and download the token again.
              </p>
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  setConfirmOpen(false);
                  onRegenerate();
                }}
                data-testid="generate-new-key-confirm"
              >
                Generate a new key
              </Button>
              <Button onClick={() => setConfirmOpen(false)}>Keep the current key</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
