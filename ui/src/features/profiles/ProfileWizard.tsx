import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle1,
} from "@fluentui/react-components";
import { ArrowLeft20Regular, ArrowRight20Regular } from "@fluentui/react-icons";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type ReactNode } from "react";
import { call, isApiError, queryKeys } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import { PATHS, PROFILE_PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import type { ProfileCheckRequest } from "../../bindings/ProfileCheckRequest";
import type { ProfileDetail } from "../../bindings/ProfileDetail";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import type { SkipKeyCatalogue } from "../../bindings/SkipKeyCatalogue";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { ErrorState } from "../../components/ErrorState";
import { Page } from "../../components/Page";
import { WizardSteps, useWizardFrameStyles } from "../../components/WizardSteps";
import { BasicsStep } from "./BasicsStep";
import { LAST_STEP, WIZARD_STEPS, normalize, restartFor, stepOfField } from "./draft";
import { useDebounced } from "../../components/useDebounced";
import { ManagementStep } from "./ManagementStep";
import { ReviewStep } from "./ReviewStep";
import { SetupAssistantStep } from "./SetupAssistantStep";
import type { StepProps } from "./StepParts";

/** How long typing pauses before the draft is checked again (preview, certificates, JSON). */
export const CHECK_DEBOUNCE_MS = 300;

export type WizardProps =
  | {
      mode: "create";
      catalogue: SkipKeyCatalogue;
      tokens: readonly TokenSummary[];
      initialTokenId: string | null;
    }
  | { mode: "edit"; catalogue: SkipKeyCatalogue; profile: ProfileDetail };

/** Same JSON, same draft: the wizard compares drafts to find unsaved changes. */
const sameDraft = (a: ProfileDraft, b: ProfileDraft) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The four-step profile wizard (PRO-1..13), for a new profile and for a new
 * version of an existing one (PRO-14). Every Next asks `profiles.check` and
 * stays on the step while one of its settings has a problem.
 */
export function ProfileWizard(props: WizardProps) {
  const frame = useWizardFrameStyles();
  const client = useQueryClient();
  const editing = props.mode === "edit" ? props.profile : null;
  const initialDraft = editing ? editing.draft : props.catalogue.defaults;

  const [step, setStep] = useState(1);
  const [reached, setReached] = useState(editing ? LAST_STEP : 1);
  const [draft, setDraft] = useState<ProfileDraft>(initialDraft);
  const [tokenId, setTokenId] = useState<string | null>(
    editing ? editing.summary.tokenId : props.mode === "create" ? props.initialTokenId : null,
  );
  const [tokenTried, setTokenTried] = useState(false);
  const [attempted, setAttempted] = useState<ReadonlySet<number>>(() => new Set());
  const [certificateNames, setCertificateNames] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const headingId = useId();

  const tokenList = props.mode === "create" ? props.tokens : null;
  const tokenName = editing
    ? editing.summary.tokenName
    : (tokenList?.find((t) => t.id === tokenId)?.serverName ?? "—");

  const update: StepProps["update"] = (change) =>
    setDraft((current) =>
      normalize(typeof change === "function" ? change(current) : { ...current, ...change }),
    );

  // PLT-1: another platform starts from its own defaults; name and description stay.
  const choosePlatform = (platform: string) => {
    if (platform === draft.platform) return;
    setDraft((current) => restartFor(props.catalogue, platform, current));
    setCertificateNames([]);
  };

  // ----- checking -----------------------------------------------------------------------

  const [settled, flush] = useDebounced(draft, CHECK_DEBOUNCE_MS);
  const checkRequest = (d: ProfileDraft): ProfileCheckRequest => ({
    tokenId: tokenId ?? "",
    draft: d,
    ...(editing ? { editing: editing.summary.id } : {}),
  });
  const checkKey = (d: ProfileDraft) =>
    ["profiles.check", tokenId, editing?.summary.id ?? null, d] as const;
  const live = useQuery({
    queryKey: checkKey(settled),
    queryFn: () => call("profiles.check", checkRequest(settled)),
    enabled: tokenId !== null,
    placeholderData: keepPreviousData,
  });
  const check = live.data;
  const allProblems: readonly ProfileIssue[] = check?.problems ?? [];
  const problemsOf = (n: number) => allProblems.filter((p) => stepOfField(p.field) === n);
  const shownProblems = (n: number) => (attempted.has(n) || n === LAST_STEP ? problemsOf(n) : []);

  const goTo = (n: number) => {
    setStep(n);
    setReached((r) => Math.max(r, n));
    panelRef.current?.focus();
  };

  const next = async () => {
    if (tokenId === null) {
      setTokenTried(true);
      return;
    }
    setChecking(true);
    setCheckError(null);
    try {
      const result = await client.fetchQuery({
        queryKey: checkKey(draft),
        queryFn: () => call("profiles.check", checkRequest(draft)),
        staleTime: 0,
      });
      flush();
      setAttempted((a) => new Set(a).add(step));
      const blocking = result.problems.filter((p) => stepOfField(p.field) === step);
      if (blocking.length === 0) goTo(step + 1);
      else focusFirstProblem(panelRef.current);
    } catch (error) {
      setCheckError(error);
    } finally {
      setChecking(false);
    }
  };

  // ----- saving -------------------------------------------------------------------------

  const save = useMutation({
    mutationFn: async () => {
      if (editing) {
        const saved = await call("profiles.edit", { id: editing.summary.id, draft });
        return { detail: saved.detail, run: saved.reassignment };
      }
      if (tokenId === null) throw new Error("Choose a token first.");
      return { detail: await call("profiles.create", { tokenId, draft }), run: null };
    },
    onSuccess: async ({ detail, run }) => {
      const id = detail.summary.id;
      client.setQueryData(queryKeys.profile(id), detail);
      if (run) client.setQueryData(queryKeys.assignment(run.id), run);
      navigate(
        editing
          ? `${PROFILE_PATHS.detail(id)}?saved=1${run ? `&run=${encodeURIComponent(run.id)}` : ""}`
          : `${PROFILE_PATHS.detail(id)}?created=1`,
      );
      // The checks answered for drafts that are now saved (a name is taken now).
      client.removeQueries({ queryKey: ["profiles.check"] });
      await refreshAfter(client, "profile");
    },
    onError: (error) => {
      if (isApiError(error) && error.code === "PROFILE_INVALID") {
        // Something changed since the last check (a name taken, a setting cleared).
        void client.invalidateQueries({ queryKey: ["profiles.check"] });
        setAttempted(new Set(WIZARD_STEPS.map((_, i) => i + 1)));
      }
    },
  });

  const unchanged = editing !== null && sameDraft(draft, editing.draft);
  const checkedCurrent =
    check !== undefined &&
    sameDraft(settled, draft) &&
    !live.isFetching &&
    !live.isError &&
    !live.isPlaceholderData;
  const canSave =
    tokenId !== null && checkedCurrent && allProblems.length === 0 && !unchanged && !save.isPending;

  // ----- steps --------------------------------------------------------------------------

  const stepProps = { draft, update, problems: shownProblems(step) };
  let body: ReactNode;
  switch (step) {
    case 1:
      body = (
        <BasicsStep
          {...stepProps}
          tokens={tokenList}
          tokenId={tokenId}
          tokenName={tokenName}
          onToken={setTokenId}
          tokenError={
            tokenTried && tokenId === null ? "Choose the token this profile belongs to." : undefined
          }
          platforms={props.catalogue.platforms}
          onPlatform={editing ? null : choosePlatform}
        />
      );
      break;
    case 2:
      body = (
        <ManagementStep
          {...stepProps}
          catalogue={props.catalogue}
          certificates={check?.certificates ?? []}
          deviceNamePreview={check?.deviceNamePreview ?? null}
          certificateNames={certificateNames}
          onCertificateNames={setCertificateNames}
        />
      );
      break;
    case 3:
      body = (
        <SetupAssistantStep
          {...stepProps}
          catalogue={props.catalogue.keys}
          warnings={check?.warnings ?? []}
        />
      );
      break;
    default:
      body = (
        <ReviewStep
          {...stepProps}
          tokenId={tokenId ?? ""}
          tokenName={tokenName}
          catalogue={props.catalogue}
          check={check}
          allProblems={allProblems}
          onGoTo={goTo}
          editing={editing !== null}
        />
      );
  }

  const cancelTo = editing ? PROFILE_PATHS.detail(editing.summary.id) : PATHS.profiles;

  return (
    <Page
      testId={editing ? "profile-edit" : "profile-create"}
      title={editing ? `Edit ${editing.summary.name}` : "Create enrollment profile"}
      description={
        editing
          ? `Saving makes version ${editing.summary.version + 1} of this profile.`
          : "Choose how devices are set up the first time they are switched on."
      }
      actions={
        <Button
          icon={<ArrowLeft20Regular />}
          onClick={() => navigate(cancelTo)}
          data-testid="wizard-cancel"
        >
          {editing ? "Back to profile" : "Back to profiles"}
        </Button>
      }
    >
      {editing ? (
        <MessageBar intent="info" layout="multiline" data-testid="edit-note">
          <MessageBarBody>
            <MessageBarTitle>What an edit changes</MessageBarTitle>
            Depot uploads the new version to Apple and moves every device that had an earlier
            version to it. Devices that are already set up keep their current settings until they
            are erased and set up again; only the device name from the template changes on them, the
            next time they check in.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={frame.layout}>
        <WizardSteps
          steps={WIZARD_STEPS}
          current={step}
          label={editing ? "Edit profile steps" : "Create profile steps"}
          reachable={(n) => n <= reached}
          done={(n) => n < reached && attempted.has(n) && problemsOf(n).length === 0}
          problem={(n) => attempted.has(n) && problemsOf(n).length > 0}
          onSelect={goTo}
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
              {step}. {WIZARD_STEPS[step - 1]?.title}
            </Subtitle1>
            {body}
            {checkError || live.isError ? (
              <ErrorState
                title="Couldn't check the profile"
                error={checkError ?? live.error}
                onRetry={() => void live.refetch()}
                retrying={live.isFetching}
              />
            ) : null}
            {save.isError ? (
              <ErrorState
                title={editing ? "Couldn't save the new version" : "Couldn't create the profile"}
                error={save.error}
              />
            ) : null}
          </section>
          <div className={frame.footer}>
            <Button
              icon={<ArrowLeft20Regular />}
              disabled={step === 1 || save.isPending}
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
                disabled={checking}
                onClick={() => void next()}
                data-testid="wizard-next"
              >
                {checking ? "Checking…" : `Next: ${WIZARD_STEPS[step]?.title ?? ""}`}
              </Button>
            ) : (
              <Button
                appearance="primary"
                disabled={!canSave}
                onClick={() => save.mutate()}
                data-testid="wizard-create"
              >
                {save.isPending
                  ? editing
                    ? "Saving…"
                    : "Creating…"
                  : editing
                    ? "Save new version"
                    : "Create"}
              </Button>
            )}
            <Caption1 className={frame.footerNote}>
              {unchanged && step === LAST_STEP
                ? "Nothing has changed yet."
                : "Nothing is saved until the last step."}
            </Caption1>
          </div>
        </div>
      </div>
    </Page>
  );
}

/** Moves focus to the first setting with a problem, so keyboard users land on it. */
function focusFirstProblem(panel: HTMLElement | null) {
  // After React has rendered the messages.
  setTimeout(() => {
    const field = panel?.querySelector<HTMLElement>('[data-invalid="true"]');
    const control = field?.querySelector<HTMLElement>("input, textarea, select, button");
    (control ?? panel)?.focus();
  }, 0);
}
