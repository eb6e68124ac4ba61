import type { BadgeProps } from "@fluentui/react-components";
import type { Licences } from "../bindings/Licences";
import type { VppToken } from "../bindings/VppToken";
import type { VppTokenState } from "../bindings/VppTokenState";
import { formatCount } from "./format";

// How an Apps and Books (VPP) token is described: its state, expiry and
// Company Portal licences. Shared by the token list and the profile wizard's picker.

const DAY = 86_400_000;

/** Below this many days left, the expiry is shown as a warning. */
export const VPP_EXPIRY_WARNING_DAYS = 30;

type Color = NonNullable<BadgeProps["color"]>;

const STATES: Record<VppTokenState, { label: string; color: Color }> = {
  ok: { label: "OK", color: "success" },
  expired: { label: "Expired", color: "danger" },
  revoked: { label: "Revoked", color: "danger" },
  invalid: { label: "Invalid", color: "danger" },
  takenOver: { label: "Taken over", color: "warning" },
  failing: { label: "Failing", color: "warning" },
};

/** The state's words and badge colour; "Taken over by NAME" when Apple named the other MDM. */
export function vppStateLook(token: Pick<VppToken, "state" | "otherMdm">): {
  label: string;
  color: Color;
} {
  const look = STATES[token.state] ?? { label: token.state, color: "informative" as const };
  if (token.state === "takenOver" && token.otherMdm) {
    return { ...look, label: `Taken over by ${token.otherMdm}` };
  }
  return look;
}

/** States in which Apple no longer accepts the token: installs with it fail. */
export function isVppTokenDead(state: VppTokenState): boolean {
  return state === "expired" || state === "revoked" || state === "invalid";
}

/** Whole days from `nowMs` until `expiresAt`; negative once it has passed. */
export function vppDaysLeft(expiresAt: string, nowMs: number): number {
  return Math.floor((Date.parse(expiresAt) - nowMs) / DAY);
}

/** How urgent the expiry is: none, under 30 days, or past. */
export function expiryLevel(daysLeft: number): "ok" | "warning" | "danger" {
  if (daysLeft < 0) return "danger";
  return daysLeft < VPP_EXPIRY_WARNING_DAYS ? "warning" : "ok";
}

/** "120 days left", "1 day left", "expires today", "expired 3 days ago". */
export function vppDaysLeftText(daysLeft: number): string {
  if (daysLeft === 0) return "expires today";
  if (daysLeft === 1) return "1 day left";
  if (daysLeft > 1) return `${formatCount(daysLeft)} days left`;
  if (daysLeft === -1) return "expired yesterday";
  return `expired ${formatCount(-daysLeft)} days ago`;
}

/** "95 of 100 available (5 assigned)"; `null` licences read as "not known yet". */
export function licencesText(licences: Licences | null): string {
  if (licences === null) return "Not known yet";
  return `${formatCount(licences.available)} of ${formatCount(licences.total)} available (${formatCount(licences.assigned)} assigned)`;
}
