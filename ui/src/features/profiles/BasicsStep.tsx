import {
  Body1,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Textarea,
} from "@fluentui/react-components";
import { useEnrollmentSettings } from "../../app/api";
import { hrefTo } from "../../app/paths";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { OtherProblems, SettingField, type StepProps } from "./StepParts";
import { topKey } from "./draft";
import { useProfileStyles } from "./styles";

type BasicsStepProps = StepProps & {
  /** Create: the tokens to choose from. Edit: null (the token cannot change). */
  tokens: readonly TokenSummary[] | null;
  tokenId: string | null;
  tokenName: string;
  onToken: (id: string | null) => void;
  /** "Choose a token" once Next was tried without one. */
  tokenError: string | undefined;
};

/** Step 1: what the profile is called, and which token it belongs to. */
export function BasicsStep({
  draft,
  update,
  problems,
  tokens,
  tokenId,
  tokenName,
  onToken,
  tokenError,
}: BasicsStepProps) {
  const styles = useProfileStyles();
  const settings = useEnrollmentSettings();
  const urls = settings.data?.tokens.find((t) => t.tokenId === tokenId);
  // Said up front, so the admin does not fill in three steps to learn it at the end.
  const noUrl =
    urls !== undefined && urls.effectiveEnrollmentUrl === null && draft.enrollmentUrl === null;
  return (
    <>
      <OtherProblems
        problems={problems}
        placed={(path) => ["name", "description", "platform"].includes(topKey(path))}
      />
      {tokens ? (
        <SettingField
          path="token"
          problems={[]}
          localError={tokenError}
          label="Enrollment program token"
          required
          hint="The MDM server in Apple Business Manager or Apple School Manager whose devices use this profile."
        >
          <Select
            value={tokenId ?? ""}
            onChange={(_, data) => onToken(data.value === "" ? null : data.value)}
          >
            <option value="">Choose a token…</option>
            {tokens.map((token) => (
              <option key={token.id} value={token.id}>
                {token.serverName}
                {token.simulator ? " (simulator)" : ""}
              </option>
            ))}
          </Select>
        </SettingField>
      ) : (
        <SettingField path="token" problems={[]} label="Enrollment program token">
          <Body1 data-testid="wizard-token-name">{tokenName}</Body1>
        </SettingField>
      )}
      {noUrl ? (
        <MessageBar intent="warning" layout="multiline" data-testid="token-no-enrollment-url">
          <MessageBarBody>
            Devices of this token have no enrollment URL yet, and a profile cannot be created
            without one. <Link href={hrefTo("settings")}>Set it in Settings</Link>, or give this
            profile its own URL on the last step.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <SettingField
        path="name"
        problems={problems}
        label="Name"
        required
        hint="Up to 125 characters, unique for this token. Users don't see it; dynamic device groups can match on it."
      >
        <Input
          value={draft.name}
          onChange={(_, data) => update({ name: data.value })}
          maxLength={200}
          placeholder="e.g. Sales iPads"
        />
      </SettingField>
      <SettingField
        path="description"
        problems={problems}
        label="Description"
        hint="Optional. Only shown in Depot; Apple and users never see it."
      >
        <Textarea
          value={draft.description ?? ""}
          onChange={(_, data) => update({ description: data.value === "" ? null : data.value })}
          resize="vertical"
        />
      </SettingField>
      <SettingField path="platform" problems={problems} label="Platform">
        <RadioGroup value={draft.platform} onChange={(_, data) => update({ platform: data.value })}>
          <Radio value="iOS" label="iOS/iPadOS" />
        </RadioGroup>
      </SettingField>
      <Body1 className={styles.muted}>
        Profiles for macOS, tvOS and visionOS are not available yet.
      </Body1>
    </>
  );
}
