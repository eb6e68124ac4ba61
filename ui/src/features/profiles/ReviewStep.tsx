import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Body1,
  Button,
  Caption1,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEnrollmentSettings } from "../../app/api";
import { hrefTo } from "../../app/paths";
import type { ProfileCheck } from "../../bindings/ProfileCheck";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import type { SkipKeyCatalogue } from "../../bindings/SkipKeyCatalogue";
import { CodeBlock } from "../../components/CodeBlock";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { WIZARD_STEPS, stepOfField } from "./draft";
import { ProfileSummary } from "./ProfileSummary";
import { SettingField, StepSection, type StepProps } from "./StepParts";
import { useProfileStyles } from "./styles";

const useStyles = makeStyles({
  problemList: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  urls: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
});

const URL_FIELDS = ["enrollmentUrl", "configurationWebUrl"];

type ReviewStepProps = StepProps & {
  tokenId: string;
  tokenName: string;
  catalogue: SkipKeyCatalogue;
  /** The check of the current draft; undefined while the first one runs. */
  check: ProfileCheck | undefined;
  /** Every problem of the draft (all steps), to list here. */
  allProblems: readonly ProfileIssue[];
  onGoTo: (step: number) => void;
  editing: boolean;
};

/** Step 4: the whole profile in words, what Apple will receive, and what is left to fix. */
export function ReviewStep({
  draft,
  update,
  problems,
  tokenId,
  tokenName,
  catalogue,
  check,
  allProblems,
  onGoTo,
  editing,
}: ReviewStepProps) {
  const styles = useProfileStyles();
  const own = useStyles();
  const elsewhere = allProblems.filter((p) => !URL_FIELDS.includes(p.field));

  return (
    <>
      <Body1 className={styles.paragraph}>
        {editing
          ? "Check the changes below, then choose Save new version. Depot saves the new version, uploads it to Apple as a new profile, and moves the devices that had the old version to it."
          : "Check the settings below, then choose Create. Depot saves the profile and uploads it to Apple; nothing is saved before that."}
      </Body1>
      {elsewhere.length > 0 ? (
        <MessageBar intent="error" layout="multiline" data-testid="review-problems">
          <MessageBarBody>
            <MessageBarTitle>Fix these first</MessageBarTitle>
            <ul className={own.problemList}>
              {elsewhere.map((p) => {
                const step = stepOfField(p.field);
                return (
                  <li key={`${p.field}:${p.message}`} data-field={p.field}>
                    {p.message}{" "}
                    {step < WIZARD_STEPS.length ? (
                      <Link as="button" onClick={() => onGoTo(step)}>
                        Go to {WIZARD_STEPS[step - 1]?.title}
                      </Link>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <ProfileSummary
        draft={draft}
        tokenName={tokenName}
        catalogue={catalogue}
        deviceNamePreview={check?.deviceNamePreview}
        testId="review-summary"
      />

      <EnrollmentUrls draft={draft} update={update} problems={problems} tokenId={tokenId} />

      {check && check.warnings.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="review-warnings">
          <MessageBarBody>
            <MessageBarTitle>Worth knowing</MessageBarTitle>
            <ul className={own.problemList}>
              {check.warnings.map((w) => (
                <li key={`${w.field}:${w.message}`}>{w.message}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {check ? (
        <MessageBar intent="info" layout="multiline" data-testid="licensing-note">
          <MessageBarBody>
            <MessageBarTitle>Licensing</MessageBarTitle>
            {check.licensingNote}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <AppleJson json={check?.appleJson ?? null} checking={check === undefined} />
    </>
  );
}

/** The exact JSON Apple receives, collapsed until asked for. */
export function AppleJson({ json, checking = false }: { json: string | null; checking?: boolean }) {
  const styles = useProfileStyles();
  return (
    <Accordion collapsible data-testid="apple-json-section">
      <AccordionItem value="json">
        <AccordionHeader data-testid="apple-json-toggle">Apple profile JSON</AccordionHeader>
        <AccordionPanel>
          {json ? (
            <CodeBlock
              text={json}
              label="Apple profile JSON"
              testId="apple-json"
              copyTestId="apple-json-copy"
            />
          ) : checking ? (
            <LoadingState label="Building the JSON…" />
          ) : (
            <Caption1 className={styles.muted} data-testid="apple-json-unavailable">
              The JSON is built once every problem above is fixed.
            </Caption1>
          )}
        </AccordionPanel>
      </AccordionItem>
    </Accordion>
  );
}

type SourceLabel = { value: string | null; source: string };

function source(
  own: string | null,
  workspace: string | null,
  effective: string | null,
  simulator: boolean,
): SourceLabel {
  if (own) return { value: own, source: "set on this token" };
  if (workspace) return { value: workspace, source: "from the workspace settings" };
  if (effective && simulator) return { value: effective, source: "the simulator's demo address" };
  return { value: effective, source: effective ? "from Settings" : "not set" };
}

/** PRO-18: where devices enroll; from Settings unless this profile says otherwise. */
function EnrollmentUrls({
  draft,
  update,
  problems,
  tokenId,
}: Pick<StepProps, "draft" | "update" | "problems"> & { tokenId: string }) {
  const styles = useProfileStyles();
  const own = useStyles();
  const settings = useEnrollmentSettings();
  const token = settings.data?.tokens.find((t) => t.tokenId === tokenId);
  const override = draft.enrollmentUrl !== null || draft.configurationWebUrl !== null;
  const modern = draft.authentication === "setupAssistantModern";
  const urlProblems = problems.filter((p) => URL_FIELDS.includes(p.field));

  const enrollment = source(
    token?.enrollmentUrl ?? null,
    settings.data?.enrollmentUrl ?? null,
    token?.effectiveEnrollmentUrl ?? null,
    token?.isSimulator ?? false,
  );
  const web = source(
    token?.configurationWebUrl ?? null,
    settings.data?.configurationWebUrl ?? null,
    token?.effectiveConfigurationWebUrl ?? null,
    token?.isSimulator ?? false,
  );

  return (
    <StepSection title="Enrollment URLs">
      <div className={own.urls} data-testid="review-urls">
        <Facts
          facts={[
            {
              label: "Enrollment URL",
              value: enrollment.value ? `${enrollment.value} (${enrollment.source})` : "Not set",
              testId: "review-enrollment-url",
            },
            ...(modern
              ? [
                  {
                    label: "Configuration web URL",
                    value: web.value ? `${web.value} (${web.source})` : "Not set",
                    testId: "review-configuration-web-url",
                  },
                ]
              : []),
          ]}
        />
        {!override && urlProblems.length > 0 ? (
          <MessageBar intent="error" layout="multiline" data-testid="enrollment-url-missing">
            <MessageBarBody>
              <MessageBarTitle>Devices need to know where to enroll</MessageBarTitle>
              {urlProblems.map((p) => (
                <div key={p.field} data-field={p.field}>
                  {p.message}
                </div>
              ))}
              <Link href={hrefTo("settings")} data-testid="enrollment-url-settings-link">
                Open Settings to set the enrollment URLs
              </Link>
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <SettingField
          path="urlOverride"
          problems={[]}
          label="Use different URLs for this profile"
          hint="Normally a profile uses the URLs from Settings. Set them here only when this profile's devices enroll somewhere else."
        >
          <Switch
            checked={override}
            label={override ? "Yes" : "No"}
            onChange={(_, data) =>
              update({
                enrollmentUrl: data.checked ? "" : null,
                configurationWebUrl: null,
              })
            }
          />
        </SettingField>
        {override ? (
          <>
            <SettingField path="enrollmentUrl" problems={problems} label="Enrollment URL">
              <Input
                type="url"
                value={draft.enrollmentUrl ?? ""}
                onChange={(_, data) => update({ enrollmentUrl: data.value })}
                placeholder="https://mdm.example.com/enroll"
              />
            </SettingField>
            {modern || draft.configurationWebUrl !== null ? (
              <SettingField
                path="configurationWebUrl"
                problems={problems}
                label="Configuration web URL"
                hint="The sign-in page Setup Assistant opens for modern authentication."
              >
                <Input
                  type="url"
                  value={draft.configurationWebUrl ?? ""}
                  onChange={(_, data) =>
                    update({ configurationWebUrl: data.value === "" ? null : data.value })
                  }
                  placeholder="https://mdm.example.com/sign-in"
                />
              </SettingField>
            ) : null}
          </>
        ) : null}
        {settings.isError ? (
          <Caption1 className={styles.muted}>
            The enrollment URL settings could not be loaded.
          </Caption1>
        ) : null}
        <Button
          as="a"
          appearance="transparent"
          href={hrefTo("settings")}
          size="small"
          className={styles.back}
          data-testid="review-settings-link"
        >
          Manage enrollment URLs in Settings
        </Button>
      </div>
    </StepSection>
  );
}
