import type { BadgeProps } from "@fluentui/react-components";
import { PREVIEW_CLASSES, type PreviewClass } from "../../app/closedSets";

export { formatCount, formatDate, formatDateTime, plural } from "../../components/format";

type BadgeColor = NonNullable<BadgeProps["color"]>;
export type Tone = { label: string; color: BadgeColor };

/** Apple's profile status of a device. */
export const PROFILE_STATUS: Record<string, Tone> = {
  empty: { label: "No profile", color: "informative" },
  assigned: { label: "Assigned", color: "brand" },
  pushed: { label: "Pushed to device", color: "success" },
  removed: { label: "Profile removed", color: "warning" },
};

/** The newest assignment run's answer for a device, and the filter's extra values. */
export const LAST_RESULT: Record<string, Tone> = {
  SUCCESS: { label: "Succeeded", color: "success" },
  NOT_ACCESSIBLE: { label: "Not accessible", color: "warning" },
  FAILED: { label: "Failed", color: "danger" },
  THROTTLED: { label: "Throttled", color: "warning" },
  COOLDOWN: { label: "Cooling down", color: "warning" },
  NOT_SENT: { label: "Not sent", color: "informative" },
  PENDING: { label: "Waiting for Apple", color: "informative" },
  NONE: { label: "Never sent", color: "informative" },
};

/** How the preview classifies a serial (DEV-2). */
export const PREVIEW_CLASS: Record<PreviewClass, Tone & { hint: string }> = {
  ready: {
    label: "Ready",
    color: "success",
    hint: "On this token; it will be sent.",
  },
  setUp: {
    label: "Already set up",
    color: "warning",
    hint: "It will be sent, but the device only picks the change up after it is erased.",
  },
  unknown: {
    label: "Not in Depot",
    color: "informative",
    hint: "Not synced yet; it will be sent and Apple decides.",
  },
  otherToken: {
    label: "Other token",
    color: "danger",
    hint: "Apple lists it for another MDM server; it will not be sent.",
  },
  alreadyOnProfile: {
    label: "No change",
    color: "subtle",
    hint: "It already is the way you asked; it will not be sent.",
  },
  cooldown: {
    label: "Cooling down",
    color: "danger",
    hint: "Apple refused it recently; it will not be sent before the pause ends.",
  },
  removed: {
    label: "Removed",
    color: "danger",
    hint: "Apple no longer lists it for its token; it will not be sent.",
  },
  refused: {
    label: "Refused",
    color: "danger",
    hint: "The profile is not for this kind of device (another platform, or Shared iPad on a device that is not an iPad); it is never sent.",
  },
};

/** Preview classes in the order the counts show them. */
export const PREVIEW_ORDER: readonly PreviewClass[] = PREVIEW_CLASSES;

export function tone(table: Record<string, Tone>, value: string): Tone {
  return table[value] ?? { label: value, color: "informative" };
}
