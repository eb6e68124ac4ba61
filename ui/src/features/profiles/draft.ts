import type { DraftDepartment } from "../../bindings/DraftDepartment";
import type { PlatformSetting } from "../../bindings/PlatformSetting";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import type { SkipKeyCatalogue } from "../../bindings/SkipKeyCatalogue";
import type { SkipKeyEntry } from "../../bindings/SkipKeyEntry";
import { PLATFORM_LABELS, platformLabel } from "../../components/platforms";

// The wizard's draft rules that are about presentation: which step a setting
// lives on, which fields show for which choices, and the readable names of the
// depot.profile/v1 values. The backend's `profiles.check` decides validity.

export const WIZARD_STEPS = [
  { title: "Basics", caption: "Platform, token, name" },
  { title: "Device Management Settings", caption: "Users, supervision, pairing" },
  { title: "Setup Assistant Customization", caption: "Support details and screens" },
  { title: "Review + Create", caption: "Check, then save" },
] as const;

export const LAST_STEP = WIZARD_STEPS.length;

/** The step each top-level `depot.profile/v1` key is edited on. */
const STEP_OF_KEY: Record<string, number> = {
  name: 1,
  description: 1,
  platform: 1,
  userAffinity: 2,
  authentication: 2,
  installCompanyPortal: 2,
  companyPortalVppToken: 2,
  singleAppModeUntilAuthentication: 2,
  supervised: 2,
  lockedEnrollment: 2,
  awaitFinalConfiguration: 2,
  sharedIPad: 2,
  maximumCachedUsers: 2,
  syncWithComputers: 2,
  configuratorCertificates: 2,
  deviceNameTemplate: 2,
  autoAdvanceSetup: 2,
  language: 2,
  region: 2,
  returnToService: 2,
  doNotUseProfileFromBackup: 2,
  department: 3,
  hiddenScreens: 3,
  enrollmentUrl: 4,
  configurationWebUrl: 4,
};

/** `department.phone` → "department"; `hiddenScreens[2]` → "hiddenScreens". */
export function topKey(path: string): string {
  return path.split(/[.[]/, 1)[0] ?? path;
}

/** The wizard step a problem's field belongs to; anything unknown is shown on Review. */
export function stepOfField(path: string): number {
  return STEP_OF_KEY[topKey(path)] ?? LAST_STEP;
}

/** `hiddenScreens[3]` → 3; null when the path has no index. */
export function indexOf(path: string): number | null {
  const match = /\[(\d+)\]$/.exec(path);
  return match ? Number(match[1]) : null;
}

/** The messages for exactly `path`, joined for a Field's validation message. */
export function messageAt(issues: readonly ProfileIssue[], path: string): string | undefined {
  const messages = issues.filter((i) => i.field === path).map((i) => i.message);
  return messages.length > 0 ? messages.join(" ") : undefined;
}

export const AFFINITY_LABELS: Record<string, string> = {
  withUserAffinity: "Enroll with user affinity",
  withoutUserAffinity: "Enroll without user affinity",
};

export const AUTHENTICATION_LABELS: Record<string, string> = {
  companyPortal: "Company Portal",
  setupAssistant: "Setup Assistant (legacy)",
  setupAssistantModern: "Setup Assistant with modern authentication",
};

export const SYNC_LABELS: Record<string, string> = {
  denyAll: "Deny all",
  allowAll: "Allow all",
  allowByCertificate: "Allow Apple Configurator by certificate",
};

export { PLATFORM_LABELS, platformLabel };

export function label(labels: Record<string, string>, value: string | null): string {
  if (value === null) return "—";
  return labels[value] ?? value;
}

export const MAX_CERTIFICATES = 10;
export const MAX_CACHED_USERS = 24;

export const withAffinity = (d: ProfileDraft) => d.userAffinity === "withUserAffinity";
export const hasVppToken = (d: ProfileDraft) => (d.companyPortalVppToken ?? "").trim() !== "";

// ----- platforms (PLT-1) ----------------------------------------------------------------

/**
 * Whether a profile of `platform` uses the setting at draft key `field`: the
 * catalogue lists the settings only some platforms use; every other setting
 * applies to all. For a choice, the entry covers its values other than the
 * neutral one (user affinity: "with"; authentication: Company Portal; sync
 * with computers: anything but "Allow all").
 */
export type Uses = (field: string) => boolean;

export function usesFor(settings: readonly PlatformSetting[], platform: string): Uses {
  return (field) => {
    const rule = settings.find((s) => s.field === field);
    return rule === undefined || rule.platforms.includes(platform);
  };
}

/** The draft a new profile of `platform` starts from, keeping what Basics already holds. */
export function restartFor(
  catalogue: SkipKeyCatalogue,
  platform: string,
  current: ProfileDraft,
): ProfileDraft {
  const entry = catalogue.platforms.find((p) => p.platform === platform);
  const defaults = entry?.defaults ?? { ...catalogue.defaults, platform };
  return { ...defaults, name: current.name, description: current.description };
}

/** Setup Assistant languages and regions by name, in English like the rest of Depot. */
const LANGUAGE_NAMES = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });
const REGION_NAMES = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

function nameOf(names: Intl.DisplayNames, code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "French"; the code itself when there is no name for it. */
export const languageName = (code: string) => nameOf(LANGUAGE_NAMES, code);
/** "Canada". */
export const regionName = (code: string) => nameOf(REGION_NAMES, code);

/** What a device of the platform is called in the device-name sample. */
export const SAMPLE_DEVICE: Record<string, string> = {
  iOS: "iPad",
  macOS: "Mac",
  tvOS: "Apple TV",
  visionOS: "Apple Vision Pro",
};

/** Which optional settings the Device Management step shows for this draft. */
export function visibleSettings(d: ProfileDraft, uses: Uses) {
  const affinity = withAffinity(d);
  const sharedIPad = uses("sharedIPad") && !affinity && d.supervised;
  return {
    userAffinity: uses("userAffinity"),
    authentication: affinity,
    companyPortalAuthentication: uses("authentication"),
    installCompanyPortal: uses("installCompanyPortal") && affinity && d.authentication !== null,
    companyPortalVppToken:
      uses("companyPortalVppToken") &&
      affinity &&
      d.authentication !== null &&
      d.installCompanyPortal,
    singleAppModeUntilAuthentication:
      uses("singleAppModeUntilAuthentication") && hasVppToken(d) && d.installCompanyPortal,
    /** Shared iPad exists on this platform (shown, or explained when it does not apply yet). */
    sharedIPadOffered: uses("sharedIPad"),
    sharedIPad,
    maximumCachedUsers: sharedIPad && d.sharedIPad,
    syncWithComputers: uses("syncWithComputers"),
    configuratorCertificates:
      uses("configuratorCertificates") && d.syncWithComputers === "allowByCertificate",
    autoAdvanceSetup: uses("autoAdvanceSetup"),
    language: uses("language"),
    region: uses("region"),
    returnToService: uses("returnToService"),
    doNotUseProfileFromBackup: uses("doNotUseProfileFromBackup"),
  };
}

/**
 * Applies the choices that switch other settings off or on, so the draft never
 * carries a value its hidden field could not change: no authentication without
 * a user, the Company Portal always with Company Portal sign-in, Shared iPad
 * only without a user on supervised devices, certificates only when pairing is
 * allowed by certificate, a region only with a language.
 */
export function normalize(d: ProfileDraft): ProfileDraft {
  const next = { ...d };
  if (!withAffinity(next)) next.authentication = null;
  if (next.authentication === "companyPortal") next.installCompanyPortal = true;
  if (next.authentication === null) next.installCompanyPortal = false;
  if (!next.installCompanyPortal) next.companyPortalVppToken = null;
  if (!hasVppToken(next)) next.singleAppModeUntilAuthentication = false;
  if (withAffinity(next) || !next.supervised) next.sharedIPad = false;
  if (!next.sharedIPad) next.maximumCachedUsers = null;
  if (next.syncWithComputers !== "allowByCertificate") next.configuratorCertificates = [];
  if (next.language === null) next.region = null;
  return next;
}

/** Sets one department part; an all-empty department is `null`, as the file format has it. */
export function withDepartment(
  d: ProfileDraft,
  part: keyof DraftDepartment,
  value: string,
): ProfileDraft {
  const department: DraftDepartment = {
    name: null,
    phone: null,
    email: null,
    ...d.department,
    [part]: value === "" ? null : value,
  };
  const empty = department.name === null && department.phone === null && department.email === null;
  return { ...d, department: empty ? null : department };
}

// ----- Setup Assistant screens ---------------------------------------------------------

/** The catalogue's name for iOS and iPadOS. */
export const IOS = "iOS/iPadOS";

/** Where the screen exists on `platform` (`iOS`, `macOS`, …): since, deprecated, removed. */
export function supportOn(entry: SkipKeyEntry, platform: string) {
  return entry.platforms.find((p) => p.name === platform) ?? null;
}

export function iosSupport(entry: SkipKeyEntry) {
  return supportOn(entry, "iOS");
}

/** "macOS 10.14+" for one platform; every platform ("iOS/iPadOS 13+ · macOS 10.14+") without one. */
export function platformNote(entry: SkipKeyEntry, platform?: string): string {
  const shown =
    platform === undefined ? entry.platforms : entry.platforms.filter((p) => p.name === platform);
  return shown.map((p) => `${p.platform} ${p.since}+`).join(" · ");
}

/** The catalogue's caveat about hiding this screen on `platform`, if any. */
export function screenNote(entry: SkipKeyEntry, platform: string): string | null {
  return entry.notes.find((n) => n.platform === platform)?.text ?? null;
}

/** The label of a screen key, or the key itself when the catalogue lacks it. */
export function screenLabel(catalogue: readonly SkipKeyEntry[], key: string): string {
  return catalogue.find((entry) => entry.key === key)?.label ?? key;
}

// ----- certificates ---------------------------------------------------------------------

const PEM_BLOCK = /-----BEGIN ((?:X509 |TRUSTED )?CERTIFICATE)-----([\s\S]*?)-----END \1-----/g;

function base64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/**
 * A certificate file as the draft carries it: base64 DER, one per certificate.
 * PEM files lose their armour (a file may hold several); anything else is
 * taken as DER. The backend checks each one.
 */
export function certificatesFromFile(bytes: Uint8Array): string[] | { error: string } {
  if (bytes.length === 0) return { error: "The file is empty." };
  const text = new TextDecoder("latin1").decode(bytes);
  if (text.includes("-----BEGIN")) {
    const blocks = [...text.matchAll(PEM_BLOCK)]
      .map((match) => (match[2] ?? "").replace(/\s+/g, ""))
      .filter((body) => body.length > 0);
    return blocks.length > 0
      ? blocks
      : { error: "The file is PEM text but holds no certificate (only keys or other blocks)." };
  }
  return [base64(bytes)];
}

/** Readable names of the settings, for messages that point at one (`upload.errorField`). */
const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  platform: "Platform",
  userAffinity: "User affinity",
  authentication: "Where users authenticate",
  installCompanyPortal: "Install Company Portal",
  companyPortalVppToken: "VPP token for Company Portal",
  singleAppModeUntilAuthentication: "Single App Mode until authentication",
  supervised: "Supervised",
  lockedEnrollment: "Locked enrollment",
  awaitFinalConfiguration: "Await final configuration",
  sharedIPad: "Shared iPad",
  maximumCachedUsers: "Maximum cached users",
  syncWithComputers: "Sync with computers",
  configuratorCertificates: "Apple Configurator certificates",
  deviceNameTemplate: "Device name template",
  "department.name": "Department name",
  "department.phone": "Department phone",
  "department.email": "Support email",
  hiddenScreens: "Hidden Setup Assistant screens",
  enrollmentUrl: "Enrollment URL",
  configurationWebUrl: "Configuration web URL",
  autoAdvanceSetup: "Auto advance Setup Assistant",
  language: "Language",
  region: "Region",
  returnToService: "Return to Service",
  doNotUseProfileFromBackup: "Don't restore the enrollment profile from a backup",
};

export function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? FIELD_LABELS[topKey(path)] ?? path;
}
