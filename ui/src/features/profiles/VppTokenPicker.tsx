import {
  Badge,
  Caption1,
  Dropdown,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useVppTokenList } from "../../app/api";
import { now } from "../../app/clock";
import { hrefTo } from "../../app/paths";
import type { VppToken } from "../../bindings/VppToken";
import { ErrorState } from "../../components/ErrorState";
import { formatCount, formatDate } from "../../components/format";
import {
  VPP_EXPIRY_WARNING_DAYS,
  isVppTokenDead,
  vppDaysLeft,
  vppDaysLeftText,
  vppStateLook,
} from "../../components/vppToken";

const useStyles = makeStyles({
  picker: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  dropdown: { maxWidth: "520px" },
  option: { display: "flex", flexDirection: "column", gap: "2px" },
  optionName: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  details: { color: tokens.colorNeutralForeground3 },
});

/** "Contoso HQ · expires Sep 29, 2026 (120 days left) · 95 Company Portal licences free". */
function details(token: VppToken): string {
  const left = vppDaysLeft(token.expiresAt, now());
  const licences =
    token.companyPortal === null
      ? "Company Portal licences not read yet"
      : `${formatCount(token.companyPortal.available)} of ${formatCount(token.companyPortal.total)} Company Portal licences free`;
  return `${token.locationName} · expires ${formatDate(token.expiresAt)} (${vppDaysLeftText(left)}) · ${licences}`;
}

type VppTokenPickerProps = {
  /** The token's name, as the profile stores it; `null` for none. */
  value: string | null;
  onChange: (name: string | null) => void;
};

/**
 * The Apps and Books token a profile installs the Company Portal with, chosen
 * from the tokens Depot has. The profile keeps the token's name.
 */
export function VppTokenPicker({ value, onChange }: VppTokenPickerProps) {
  const styles = useStyles();
  const list = useVppTokenList();
  if (list.isPending) return <Spinner size="tiny" label="Loading Apps and Books tokens…" />;
  if (list.isError) {
    return (
      <ErrorState
        title="Couldn't load Apps and Books tokens"
        error={list.error}
        onRetry={() => void list.refetch()}
        retrying={list.isFetching}
      />
    );
  }
  const all = list.data.tokens;
  const chosen = value === null ? null : (all.find((t) => t.name === value) ?? null);
  const unknown = value !== null && chosen === null;

  return (
    <div className={styles.picker}>
      {all.length === 0 ? (
        <Caption1 data-testid="vpp-picker-none">
          Depot has no Apps and Books tokens yet. Add one on the{" "}
          <Link href={hrefTo("vpp")} data-testid="vpp-picker-add-link">
            Apps and Books tokens
          </Link>{" "}
          page, then choose it here.
        </Caption1>
      ) : null}
      {all.length > 0 || unknown ? (
        <Dropdown
          className={styles.dropdown}
          value={value ?? "None"}
          selectedOptions={[value ?? ""]}
          onOptionSelect={(_, data) =>
            onChange(
              data.optionValue === undefined || data.optionValue === "" ? null : data.optionValue,
            )
          }
          aria-label="Apps and Books token"
          data-testid="vpp-picker"
        >
          <Option value="" text="None">
            None: install from the App Store
          </Option>
          {all.map((token) => (
            <Option key={token.id} value={token.name} text={token.name}>
              <TokenOption token={token} />
            </Option>
          ))}
          {unknown ? (
            <Option value={value} text={value}>
              {`${value} (not in Depot)`}
            </Option>
          ) : null}
        </Dropdown>
      ) : null}
      {chosen ? <ChosenTokenWarning token={chosen} /> : null}
      {unknown ? (
        <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-unknown">
          <MessageBarBody>
            Depot has no Apps and Books token named &ldquo;{value}&rdquo;. Choose one of the tokens
            on the list, or add it on the <Link href={hrefTo("vpp")}>Apps and Books tokens</Link>{" "}
            page.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}

function TokenOption({ token }: { token: VppToken }) {
  const styles = useStyles();
  const dead = isVppTokenDead(token.state);
  const { label, color } = vppStateLook(token);
  return (
    <span className={styles.option} data-testid={`vpp-option-${token.id}`}>
      <span className={styles.optionName}>
        {token.name}
        {token.state === "ok" ? null : (
          <Badge size="small" appearance="tint" color={dead ? "danger" : color}>
            {label}
          </Badge>
        )}
      </span>
      <Caption1 className={styles.details}>{details(token)}</Caption1>
    </span>
  );
}

/** What goes wrong when a device installs the Company Portal with this token. */
function ChosenTokenWarning({ token }: { token: VppToken }) {
  if (isVppTokenDead(token.state)) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-dead">
        <MessageBarBody>
          <MessageBarTitle>This token is {vppStateLook(token).label.toLowerCase()}</MessageBarTitle>
          Apple no longer accepts it, so devices would try to install the Company Portal from the
          App Store instead. That needs an Apple Account, which a device in Automated Device
          Enrollment does not have during setup. Renew the token on the{" "}
          <Link href={hrefTo("vpp")}>Apps and Books tokens</Link> page, or choose another.
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (token.state === "takenOver") {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-taken-over">
        <MessageBarBody>
          {token.otherMdm ? `${token.otherMdm}, another MDM,` : "Another MDM"} now manages this
          token&apos;s location, so the install could fall back to the App Store, which devices in
          Automated Device Enrollment cannot use. Renew the token on the{" "}
          <Link href={hrefTo("vpp")}>Apps and Books tokens</Link> page to claim the location back.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const licences = token.companyPortal;
  if (licences !== null && !licences.deviceAssignable) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-not-device">
        <MessageBarBody>
          Apple says this location&apos;s Company Portal licences cannot be assigned to devices,
          which Automated Device Enrollment needs. Choose another token.
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (licences !== null && licences.available === 0) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-no-licences">
        <MessageBarBody>
          This location had no free Company Portal licences at its last sync. Until some are freed
          or bought, devices would fall back to the App Store version, which asks for an Apple
          Account.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const left = vppDaysLeft(token.expiresAt, now());
  if (left < VPP_EXPIRY_WARNING_DAYS) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="vpp-picker-expiring">
        <MessageBarBody>
          This token expires on {formatDate(token.expiresAt)} ({vppDaysLeftText(left)}). Renew it on
          the <Link href={hrefTo("vpp")}>Apps and Books tokens</Link> page before then.
        </MessageBarBody>
      </MessageBar>
    );
  }
  return null;
}
