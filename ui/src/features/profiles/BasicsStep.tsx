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
import type { PlatformEntry } from "../../bindings/PlatformEntry";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { OtherProblems, SettingField, type StepProps } from "./StepParts";
import { topKey } from "./draft";

const PLACEHOLDERS: Record<string, string> = {
  iOS: "e.g. Sales iPads",
  macOS: "e.g. Design studio Macs",
  tvOS: "e.g. Meeting room Apple TVs",
  visionOS: "e.g. Demo Vision Pro devices",
};

type BasicsStepProps = StepProps & {
  /** Create: the tokens to choose from. Edit: null (the token cannot change). */
  tokens: readonly TokenSummary[] | null;
  tokenId: string | null;
  tokenName: string;
  onToken: (id: string | null) => void;
  /** "Choose a token" once Next was tried without one. */
  tokenError: string | undefined;
  /** The catalogue's platforms, in order. */
  platforms: readonly PlatformEntry[];
  /** Create: starts the draft again for another platform. Edit: null (the platform is fixed). */
  onPlatform: ((platform: string) => void) | null;
};

/** Step 1: the platform first, then the token and what the profile is called. */
export function BasicsStep({
  draft,
  update,
  problems,
  tokens,
  tokenId,
  tokenName,
  onToken,
  tokenError,
  platforms,
  onPlatform,
}: BasicsStepProps) {
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
      {onPlatform ? (
        <SettingField
          path="platform"
          problems={problems}
          label="Platform"
          required
          hint="The kind of device this profile sets up. Later steps offer only what this platform uses; changing it starts the settings again from that platform's defaults (the name and description stay)."
        >
          <RadioGroup
            value={draft.platform}
            layout="horizontal"
            onChange={(_, data) => onPlatform(data.value)}
          >
            {platforms.map((p) => (
              <Radio
                key={p.platform}
                value={p.platform}
                label={p.label}
                data-testid={`platform-${p.platform}`}
              />
            ))}
          </RadioGroup>
        </SettingField>
      ) : (
        <SettingField
          path="platform"
          problems={problems}
          label="Platform"
          hint="A saved profile keeps its platform. For another platform, create a new profile."
        >
          <Body1 data-testid="wizard-platform-name">
            {platforms.find((p) => p.platform === draft.platform)?.label ?? draft.platform}
          </Body1>
        </SettingField>
      )}
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
          placeholder={PLACEHOLDERS[draft.platform] ?? "e.g. Sales iPads"}
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
    </>
  );
}
