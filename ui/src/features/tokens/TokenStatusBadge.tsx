import { Badge, type BadgeProps } from "@fluentui/react-components";
import type { TokenStatus } from "../../bindings/TokenStatus";
import { formatCount } from "./format";

type Color = NonNullable<BadgeProps["color"]>;

function describe(status: TokenStatus, daysLeft: number): { label: string; color: Color } {
  switch (status) {
    case "ok":
      return { label: "Active", color: "success" };
    case "expiring":
      return {
        label:
          daysLeft <= 0
            ? "Expires today"
            : daysLeft === 1
              ? "Expires in 1 day"
              : `Expires in ${formatCount(daysLeft)} days`,
        color: "warning",
      };
    case "expired":
      return { label: "Expired", color: "danger" };
    case "termsNotAccepted":
      return { label: "Terms not accepted", color: "warning" };
    case "rejected":
      return { label: "Rejected by Apple", color: "danger" };
  }
}

/** The status in words, as the badge shows it. */
export function statusLabel(status: TokenStatus, daysLeft: number): string {
  return describe(status, daysLeft).label;
}

/** TOK-4 status: Active / Expires in N days / Expired / Terms not accepted / Rejected by Apple. */
export function TokenStatusBadge({ status, daysLeft }: { status: TokenStatus; daysLeft: number }) {
  const { label, color } = describe(status, daysLeft);
  return (
    <Badge appearance="tint" color={color} data-testid="token-status" data-status={status}>
      {label}
    </Badge>
  );
}

/** What the admin should do about a token in this state, or null when nothing. */
export function statusAdvice(status: TokenStatus): string | null {
  switch (status) {
    case "ok":
      return null;
    case "expiring":
      return "Renew this token before it expires: download a new token for this server in Apple's portal and choose Renew.";
    case "expired":
      return "This token has expired and Depot can no longer sync with Apple. Download a new token for this server in Apple's portal and choose Renew.";
    case "termsNotAccepted":
      return "Apple has new terms and conditions. An administrator must sign in to Apple Business Manager (or School Manager) and accept them; syncing resumes after that.";
    case "rejected":
      return "Apple no longer accepts this token. It may have been replaced in the portal, or the account that made it was removed. Download a new token for this server and choose Renew.";
  }
}
