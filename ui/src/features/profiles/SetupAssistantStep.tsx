import {
  Badge,
  Body1,
  Button,
  Caption1,
  Input,
  Radio,
  RadioGroup,
  SearchBox,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { Delete20Regular, EyeOff20Regular, Eye20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import type { SkipKeyEntry } from "../../bindings/SkipKeyEntry";
import {
  indexOf,
  messageAt,
  platformLabel,
  platformNote,
  screenNote,
  supportOn,
  topKey,
  withDepartment,
} from "./draft";
import { OtherProblems, SettingField, StepSection, type StepProps } from "./StepParts";
import { useProfileStyles } from "./styles";

const useStyles = makeStyles({
  toolbar: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
  },
  search: {
    minWidth: "260px",
    flexGrow: 1,
    maxWidth: "360px",
  },
  count: {
    marginLeft: "auto",
    color: tokens.colorNeutralForeground2,
  },
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  row: {
    display: "grid",
    gridTemplateColumns: "minmax(0, 1fr) auto",
    columnGap: tokens.spacingHorizontalL,
    alignItems: "center",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    ":not(:last-child)": {
      borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    },
  },
  rowHidden: {
    backgroundColor: tokens.colorNeutralBackground2,
  },
  about: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    minWidth: 0,
  },
  title: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
    fontWeight: tokens.fontWeightSemibold,
  },
  key: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightRegular,
    color: tokens.colorNeutralForeground3,
  },
  warning: {
    color: tokens.colorPaletteDarkOrangeForeground1,
  },
  error: {
    color: tokens.colorPaletteRedForeground1,
  },
  empty: {
    padding: tokens.spacingVerticalM,
    color: tokens.colorNeutralForeground3,
  },
});

type SetupAssistantStepProps = StepProps & {
  catalogue: readonly SkipKeyEntry[];
  /** Warnings from the latest check (unknown, deprecated, doubled screen keys). */
  warnings: readonly ProfileIssue[];
};

/** Step 3: what the user sees during setup — support details and which screens are hidden. */
export function SetupAssistantStep({
  draft,
  update,
  problems,
  catalogue,
  warnings,
}: SetupAssistantStepProps) {
  const department = draft.department ?? { name: null, phone: null, email: null };
  const placed = (path: string) => ["department", "hiddenScreens"].includes(topKey(path));
  return (
    <>
      <OtherProblems problems={problems} placed={placed} />
      <StepSection title="Department">
        <SettingField
          path="department.name"
          problems={problems}
          label="Department name"
          hint="Users see this name under About Configuration while the device is being set up."
        >
          <Input
            value={department.name ?? ""}
            onChange={(_, data) => update((d) => withDepartment(d, "name", data.value))}
            placeholder="e.g. Contoso IT"
          />
        </SettingField>
        <SettingField
          path="department.phone"
          problems={problems}
          label="Department phone"
          hint="The number users see if they look for help while setting up the device."
        >
          <Input
            type="tel"
            value={department.phone ?? ""}
            onChange={(_, data) => update((d) => withDepartment(d, "phone", data.value))}
            placeholder="e.g. +1 555 0100"
          />
        </SettingField>
        <SettingField
          path="department.email"
          problems={problems}
          label="Support email"
          hint="Optional; shown next to the phone number."
        >
          <Input
            type="email"
            value={department.email ?? ""}
            onChange={(_, data) => update((d) => withDepartment(d, "email", data.value))}
            placeholder="e.g. it-help@contoso.com"
          />
        </SettingField>
      </StepSection>
      <StepSection title="Setup Assistant screens">
        <ScreenList
          draft={draft}
          update={update}
          problems={problems}
          catalogue={catalogue}
          warnings={warnings}
        />
      </StepSection>
    </>
  );
}

function matches(entry: SkipKeyEntry, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === "") return true;
  return [entry.label, entry.key, entry.description].some((text) => text.toLowerCase().includes(q));
}

/** The messages for one hidden key, wherever it sits in `hiddenScreens`. */
function messagesFor(
  issues: readonly ProfileIssue[],
  hidden: readonly string[],
  key: string,
): string | undefined {
  const texts = issues
    .filter((issue) => {
      if (topKey(issue.field) !== "hiddenScreens") return false;
      const index = indexOf(issue.field);
      return index !== null && hidden[index] === key;
    })
    .map((issue) => issue.message);
  return texts.length > 0 ? [...new Set(texts)].join(" ") : undefined;
}

function ScreenList({ draft, update, problems, catalogue, warnings }: SetupAssistantStepProps) {
  const styles = useProfileStyles();
  const own = useStyles();
  const [query, setQuery] = useState("");
  const hidden = draft.hiddenScreens;
  const platform = draft.platform;
  const offered = catalogue.filter((entry) => entry.offeredFor.includes(platform));
  const shown = offered.filter((entry) => matches(entry, query));
  const offeredKeys = new Set(offered.map((entry) => entry.key));
  // Hidden keys the list does not offer: imported unknown or legacy keys, other platforms'
  // keys, removed screens. Kept as they are; the admin may remove them.
  const others = [...new Set(hidden.filter((key) => !offeredKeys.has(key)))];
  const hiddenCount = hidden.filter((key) => offeredKeys.has(key)).length;

  const setHidden = (keys: readonly string[], hide: boolean) =>
    update((d) => {
      if (hide) {
        const add = keys.filter((key) => !d.hiddenScreens.includes(key));
        return { ...d, hiddenScreens: [...d.hiddenScreens, ...add] };
      }
      return { ...d, hiddenScreens: d.hiddenScreens.filter((key) => !keys.includes(key)) };
    });

  const filtered = query.trim() !== "";

  return (
    <>
      <Body1 className={styles.paragraph}>
        <strong>Hide</strong> skips a screen during setup; users can still turn the feature on later
        in Settings. <strong>Show</strong> keeps the screen; users can sometimes skip it themselves.
      </Body1>
      <div className={own.toolbar}>
        <SearchBox
          className={own.search}
          value={query}
          onChange={(_, data) => setQuery(data.value)}
          placeholder="Search screens"
          aria-label="Search Setup Assistant screens"
          data-testid="skip-key-search"
        />
        <Button
          icon={<EyeOff20Regular />}
          onClick={() =>
            setHidden(
              shown.map((entry) => entry.key),
              true,
            )
          }
          disabled={shown.length === 0}
          data-testid="skip-keys-hide-all"
        >
          {filtered ? "Hide these" : "Hide all"}
        </Button>
        <Button
          icon={<Eye20Regular />}
          onClick={() =>
            setHidden(
              shown.map((entry) => entry.key),
              false,
            )
          }
          disabled={shown.length === 0}
          data-testid="skip-keys-show-all"
        >
          {filtered ? "Show these" : "Show all"}
        </Button>
        <Caption1 className={own.count} data-testid="skip-keys-count">
          {hiddenCount} of {offered.length} screens hidden
        </Caption1>
      </div>
      <ul className={own.list} data-testid="skip-key-list" aria-label="Setup Assistant screens">
        {shown.length === 0 ? (
          <li className={own.empty} data-testid="skip-keys-none">
            No screen matches “{query.trim()}”.
          </li>
        ) : null}
        {shown.map((entry) => {
          const isHidden = hidden.includes(entry.key);
          const problem = messagesFor(problems, hidden, entry.key);
          const warning = messagesFor(warnings, hidden, entry.key);
          const note = screenNote(entry, platform);
          return (
            <li
              key={entry.key}
              className={mergeClasses(own.row, isHidden ? own.rowHidden : undefined)}
              data-testid={`skip-key-${entry.key}`}
              data-hidden={String(isHidden)}
            >
              <div className={own.about}>
                <span className={own.title}>
                  {entry.label}
                  <span className={own.key}>{entry.key}</span>
                  <KeyBadges entry={entry} platform={platform} />
                </span>
                <Caption1>{entry.description}</Caption1>
                <Caption1 className={styles.muted}>{platformNote(entry, platform)}</Caption1>
                {note ? (
                  <Caption1 className={own.warning} data-testid={`skip-key-note-${entry.key}`}>
                    {note}
                  </Caption1>
                ) : null}
                {problem ? <Caption1 className={own.error}>{problem}</Caption1> : null}
                {warning ? <Caption1 className={own.warning}>{warning}</Caption1> : null}
              </div>
              <RadioGroup
                layout="horizontal"
                aria-label={entry.label}
                value={isHidden ? "hide" : "show"}
                onChange={(_, data) => setHidden([entry.key], data.value === "hide")}
              >
                <Radio value="show" label="Show" data-testid={`skip-key-${entry.key}-show`} />
                <Radio value="hide" label="Hide" data-testid={`skip-key-${entry.key}-hide`} />
              </RadioGroup>
            </li>
          );
        })}
      </ul>
      {others.length > 0 ? (
        <SettingField
          path="hiddenScreens"
          problems={problems}
          label="Other hidden screen keys"
          hint={`These keys came with the profile (for example from an imported file) but are not offered above for ${platformLabel(platform)}. Depot keeps them and sends them to Apple exactly as written.`}
        >
          <ul className={own.list} data-testid="skip-keys-other">
            {others.map((key) => {
              const known = catalogue.find((entry) => entry.key === key);
              const message =
                messagesFor(problems, hidden, key) ?? messagesFor(warnings, hidden, key);
              return (
                <li key={key} className={own.row} data-testid={`skip-key-other-${key}`}>
                  <div className={own.about}>
                    <span className={own.title}>
                      {known?.label ?? key}
                      <span className={own.key}>{key}</span>
                      {known ? <KeyBadges entry={known} platform={platform} /> : null}
                    </span>
                    {known ? (
                      <Caption1 className={styles.muted}>{platformNote(known)}</Caption1>
                    ) : null}
                    {message ? <Caption1 className={own.warning}>{message}</Caption1> : null}
                  </div>
                  <Button
                    appearance="subtle"
                    icon={<Delete20Regular />}
                    onClick={() => setHidden([key], false)}
                    data-testid={`skip-key-other-remove-${key}`}
                  >
                    Remove
                  </Button>
                </li>
              );
            })}
          </ul>
        </SettingField>
      ) : null}
      {messageAt(problems, "hiddenScreens") && others.length === 0 ? (
        <Caption1 className={own.error}>{messageAt(problems, "hiddenScreens")}</Caption1>
      ) : null}
    </>
  );
}

/** Deprecated / removed (on the profile's platform) and early-screen marks of a catalogue entry. */
function KeyBadges({ entry, platform }: { entry: SkipKeyEntry; platform: string }) {
  const support = supportOn(entry, platform);
  const name = platformLabel(platform);
  return (
    <>
      {support?.deprecatedIn ? (
        <Badge appearance="tint" color="warning" size="small" data-testid="skip-key-deprecated">
          Deprecated in {name} {support.deprecatedIn}
        </Badge>
      ) : null}
      {support?.removedIn ? (
        <Badge appearance="tint" color="danger" size="small" data-testid="skip-key-removed">
          Removed in {name} {support.removedIn}
        </Badge>
      ) : null}
      {!support ? (
        <Badge appearance="tint" color="informative" size="small" data-testid="skip-key-not-ios">
          Not on {name}
        </Badge>
      ) : null}
      {entry.earlyPane ? (
        <Tooltip
          content="This screen can appear before the device has downloaded its profile, so hiding it is not guaranteed."
          relationship="description"
        >
          <Badge appearance="outline" size="small" tabIndex={0}>
            Early screen
          </Badge>
        </Tooltip>
      ) : null}
    </>
  );
}
