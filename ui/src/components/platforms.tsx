import {
  Button,
  Caption1,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { PlatformMismatchDto } from "../bindings/PlatformMismatchDto";
import { formatCount } from "./format";

// The four Apple platforms a profile is made for (PLT-1), in words. The
// wizard's choices and the settings each platform uses come from the
// profile catalogue; these are only the names pages print.

/** `iOS` → "iOS/iPadOS"; an unknown name as given. */
export const PLATFORM_LABELS: Record<string, string> = {
  iOS: "iOS/iPadOS",
  macOS: "macOS",
  tvOS: "tvOS",
  visionOS: "visionOS",
};

export function platformLabel(platform: string): string {
  return PLATFORM_LABELS[platform] ?? platform;
}

/** What a platform's devices are called: one, several. */
const DEVICE_NOUNS: Record<string, [string, string]> = {
  iOS: ["iPhone or iPad", "iPhones and iPads"],
  macOS: ["Mac", "Macs"],
  tvOS: ["Apple TV", "Apple TVs"],
  visionOS: ["Apple Vision Pro", "Apple Vision Pro devices"],
};

/** "14 Macs", "1 Apple TV"; a family Depot has no platform for: "3 Watch devices". */
export function platformDevices(platform: string, count: number): string {
  const nouns = DEVICE_NOUNS[platform] ?? [`${platform} device`, `${platform} devices`];
  return `${formatCount(count)} ${count === 1 ? nouns[0] : nouns[1]}`;
}

/** Whether Depot makes profiles for this platform name (else it is an unknown family). */
export function isKnownPlatform(platform: string): boolean {
  return platform in PLATFORM_LABELS;
}

/** Apple's family names as admins read them. */
const FAMILY_LABELS: Record<string, string> = { AppleTV: "Apple TV", Vision: "Apple Vision Pro" };

export function familyLabel(family: string): string {
  return FAMILY_LABELS[family] ?? family;
}

const useStyles = makeStyles({
  frame: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowX: "auto",
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  more: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    alignItems: "center",
    flexWrap: "wrap",
    marginTop: tokens.spacingVerticalS,
  },
});

/** Rows shown before "Show all". */
const FIRST_ROWS = 10;

type MismatchTableProps = {
  mismatches: readonly PlatformMismatchDto[];
  /** The profile page of a row's profile. */
  profileHref: (profileId: string) => string;
  testId: string;
};

/**
 * PLT-3: devices that hold a Depot profile made for another platform, with
 * what fixing each takes (a device that already has the profile installed
 * must also be erased).
 */
export function PlatformMismatchTable({ mismatches, profileHref, testId }: MismatchTableProps) {
  const styles = useStyles();
  const [all, setAll] = useState(false);
  const shown = all ? mismatches : mismatches.slice(0, FIRST_ROWS);
  return (
    <div data-testid={testId}>
      <div className={styles.frame}>
        <Table size="small" aria-label="Devices on another platform's profile">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Serial number</TableHeaderCell>
              <TableHeaderCell>Device</TableHeaderCell>
              <TableHeaderCell>Profile it holds</TableHeaderCell>
              <TableHeaderCell>To fix</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((m) => (
              <TableRow key={m.serial} data-testid={`mismatch-${m.serial}`}>
                <TableCell className={styles.mono}>{m.serial}</TableCell>
                <TableCell>{familyLabel(m.family)}</TableCell>
                <TableCell>
                  <Link href={`#${profileHref(m.profileId)}`}>{m.profileName}</Link>{" "}
                  <span className={styles.muted}>({platformLabel(m.profilePlatform)})</span>
                </TableCell>
                <TableCell>
                  {m.profileStatus === "pushed"
                    ? "Assign the right profile, then erase the device"
                    : "Assign the right profile"}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {mismatches.length > FIRST_ROWS ? (
        <div className={styles.more}>
          <Button size="small" onClick={() => setAll(!all)} data-testid={`${testId}-toggle`}>
            {all ? "Show fewer" : `Show all ${formatCount(mismatches.length)}`}
          </Button>
        </div>
      ) : null}
      {mismatches.some((m) => m.profileStatus === "pushed") ? (
        <Caption1 className={styles.muted}>
          A device that has already installed its profile keeps it until it is erased and set up
          again.
        </Caption1>
      ) : null}
    </div>
  );
}
