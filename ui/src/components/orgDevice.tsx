import { Badge, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { CoverageDto } from "../bindings/CoverageDto";
import { formatDate } from "./format";

// What both the Organisation page and Depot's device drawer show of a device
// the organisation owns (Apple Business/School Manager API, issue 17).

const useStyles = makeStyles({
  coverage: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  title: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Apple's text, or "—" when it is empty. */
export const orDash = (value: string) => (value === "" ? "—" : value);

/** ASSIGNED (to an MDM server) or UNASSIGNED, as Apple says. */
export function OrgStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge
      appearance="tint"
      color={status === "ASSIGNED" ? "success" : "warning"}
      data-testid={testId}
      data-status={status}
    >
      {status}
    </Badge>
  );
}

/** "RESELLER 123456", or "—" when Apple says nothing. */
export function purchaseSource(device: {
  purchaseSourceType: string;
  purchaseSourceId: string;
}): string {
  const text = [device.purchaseSourceType, device.purchaseSourceId]
    .filter((s) => s !== "")
    .join(" ");
  return text === "" ? "—" : text;
}

/** One AppleCare (or warranty) coverage, as Apple's organisation API lists it. */
export function CoverageCard({ item, testId }: { item: CoverageDto; testId: string }) {
  const styles = useStyles();
  const active = item.status.toUpperCase() === "ACTIVE";
  return (
    <div className={styles.coverage} data-testid={testId}>
      <div className={styles.title}>
        <strong>{item.description || "Coverage"}</strong>
        <Badge
          appearance="tint"
          color={active ? "success" : "informative"}
          data-status={item.status}
        >
          {item.status}
        </Badge>
        {item.canceled ? (
          <Badge appearance="tint" color="danger">
            Cancelled
          </Badge>
        ) : null}
      </div>
      <Caption1>
        {formatDate(item.startsAt)} – {formatDate(item.endsAt)} · {orDash(item.paymentType)}
        {item.renewable ? " · renewable" : ""}
      </Caption1>
      {item.agreementNumber !== null ? (
        <Caption1 className={styles.muted}>Agreement {item.agreementNumber}</Caption1>
      ) : null}
    </div>
  );
}
