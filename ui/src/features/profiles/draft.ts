import type { DraftDepartment } from "../../bindings/DraftDepartment";
import type { ProfileDraft } from "../../bindings/ProfileDraft";
import type { ProfileIssue } from "../../bindings/ProfileIssue";
import type { SkipKeyEntry } from "../../bindings/SkipKeyEntry";

// The wizard's draft rules that are about presentation: which step a setting
// lives on, which fields show for which choices, and the readable names of the
// depot.profile/v1 values. The backend's `profiles.check` decides validity.

export const WIZARD_STEPS = [
  { title: "Basics", caption: "Name and token" },
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

export const PLATFORM_LABELS: Record<string, string> = { iOS: "iOS/iPadOS" };

export function label(labels: Record<string, string>, value: string | null): string {
  if (value === null) return "—";
  return labels[value] ?? value;
}

export const MAX_CERTIFICATES = 10;
export const MAX_CACHED_USERS = 24;

export const withAffinity = (d: ProfileDraft) => d.userAffinity === "withUserAffinity";
export const hasVppToken = (d: ProfileDraft) => (d.companyPortalVppToken ?? "").trim() !== "";

/** Which optional settings the Device Management step shows for this draft. */
export function visibleSettings(d: ProfileDraft) {
  const affinity = withAffinity(d);
  return {
    authentication: affinity,
    installCompanyPortal: affinity && d.authentication !== null,
    companyPortalVppToken: affinity && d.authentication !== null && d.installCompanyPortal,
    singleAppModeUntilAuthentication: hasVppToken(d) && d.installCompanyPortal,
    sharedIPad: !affinity && d.supervised,
    maximumCachedUsers: !affinity && d.supervised && d.sharedIPad,
    configuratorCertificates: d.syncWithComputers === "allowByCertificate",
  };
}

/**
 * Applies the choices that switch other settings off or on, so the draft never
 * carries a value its hidden field could not change: no authentication without
 * a user, the Company Portal always with Company Portal sign-in, Shared iPad
 * only without a user on supervised devices, certificates only when pairing is
 * allowed by certificate.
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

export function iosSupport(entry: SkipKeyEntry) {
  return entry.platforms.find((p) => p.platform === IOS) ?? null;
}

/** "iOS/iPadOS 13+ · macOS 10.14+". */
export function platformNote(entry: SkipKeyEntry): string {
  const ios = iosSupport(entry);
  const others = entry.platforms.filter((p) => p.platform !== IOS);
  return [ios, ...others]
    .filter((p) => p !== null)
    .map((p) => `${p.platform} ${p.since}+`)
    .join(" · ");
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
};

export function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? FIELD_LABELS[topKey(path)] ?? path;
}
