import type { CertificateCheck } from "../bindings/CertificateCheck";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { ProfileIssue } from "../bindings/ProfileIssue";
import type { SkipKeyCatalogue } from "../bindings/SkipKeyCatalogue";
import { now as clockNow } from "../platform/clock";
import catalogueFixture from "./fixtures/profileCatalogue.json";
import rulesFixture from "./fixtures/profileRules.json";

// The profile rules of the fake backend. The data (catalogue, limits, the
// platform rule table, the codes, the PLT-3 refusals) comes from fixtures the
// Rust side writes (tests/it/ui_fixtures.rs); profileRules.test.ts runs these
// checks over every draft of profileRules.json and expects the backend's
// answer word for word. Regenerate the fixtures with
// `DEPOT_UPDATE_FIXTURES=1 cargo test -p depot-tests --test it -- ui_fixtures`.

/** One draft of the table and the backend's answer to it. */
export type RuleCase = {
  name: string;
  platform: string;
  /** Keys of the platform's baseline draft that this case replaces. */
  change: Partial<ProfileDraft>;
  /** The request is refused (the draft is not a profile file): `ApiError`'s code and message. */
  error: { code: string; message: string } | null;
  problems: ProfileIssue[];
  warnings: ProfileIssue[];
};

type Rules = {
  generatedBy: string;
  limits: {
    nameChars: number;
    departmentChars: number;
    phoneChars: number;
    emailChars: number;
    cachedUsers: number;
    configuratorCertificates: number;
    urlChars: number;
    deviceNameChars: number;
    deviceTypeChars: number;
    serialChars: number;
  };
  choices: Record<"userAffinity" | "platform" | "authentication" | "syncWithComputers", string[]>;
  platformRules: { field: string; setting: string; platforms: string[]; fix: string }[];
  legacySkipKeys: string[];
  languageCodes: string[];
  refusals: { platform: string; sharedIPad: boolean; family: string; refusal: string | null }[];
  baselines: Record<string, ProfileDraft>;
  cases: RuleCase[];
};

/** What `profiles.catalogue` answers. */
export const CATALOGUE: SkipKeyCatalogue = catalogueFixture;
export const RULES: Rules = rulesFixture;

const LIMITS = RULES.limits;

/** The draft a new profile starts from (the backend's `ProfileSpec::new("")`). */
export function defaultDraft(overrides: Partial<ProfileDraft> = {}): ProfileDraft {
  return structuredClone({ ...CATALOGUE.defaults, ...overrides });
}

/** How many Setup Assistant screens the wizard offers for `platform`. */
export function offeredOn(platform: string): number {
  return CATALOGUE.keys.filter((key) => key.offeredFor.includes(platform)).length;
}

/** "iOS" -> "iOS/iPadOS". */
export function platformLabel(platform: string): string {
  return CATALOGUE.platforms.find((p) => p.platform === platform)?.label ?? platform;
}

/** PLT-3: why a profile must not be sent to a device of `family`, or null when it may. */
export function assignmentRefusal(
  draft: Pick<ProfileDraft, "platform" | "sharedIPad">,
  family: string,
): string | null {
  const row = RULES.refusals.find(
    (r) =>
      r.platform === draft.platform && r.sharedIPad === draft.sharedIPad && r.family === family,
  );
  return row?.refusal ?? null;
}

const chars = (text: string) => [...text].length;
/** Trimmed, or null when blank: a cleared field and a missing one mean the same. */
const nonBlank = (value: string | null | undefined) => {
  const text = (value ?? "").trim();
  return text === "" ? null : text;
};
const isAscii = (text: string) => [...text].every((ch) => ch.charCodeAt(0) < 0x80);
const isControl = (ch: string) => /\p{Cc}/u.test(ch);
const isBidiControl = (ch: string) => /[\u202A-\u202E\u2066-\u2069]/u.test(ch);

function unsafeKind(ch: string): string {
  if (/[\u202A\u202B\u202D]/u.test(ch)) return "bidirectional embedding";
  if (ch === "\u202C") return "bidirectional formatting";
  if (ch === "\u202E") return "right-to-left override";
  if (/[\u2066-\u2069]/u.test(ch)) return "bidirectional isolate";
  if (ch === "\n" || ch === "\r") return "line break";
  if (ch === "\t") return "tab";
  return "control";
}

/** Free text that would not read the same everywhere (the backend's `text::check_line`). */
function unsafeText(text: string, multiline = false): string | null {
  const all = [...text];
  const at = all.findIndex((ch) =>
    multiline
      ? (isControl(ch) && !["\n", "\r", "\t"].includes(ch)) || isBidiControl(ch)
      : isControl(ch) || isBidiControl(ch),
  );
  if (at < 0) return null;
  const ch = all[at] ?? "";
  const code = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  return `contains an invisible ${unsafeKind(ch)} character (U+${code}) at position ${at + 1}; remove it`;
}

/** Why base64 text cannot be a certificate, as the backend reads base64. */
function base64Problem(text: string): string | null {
  const notBase64 = (ch: string) =>
    `the certificate is not base64 text (unexpected character '${ch}')`;
  let padding = 0;
  let symbols = 0;
  for (const ch of text) {
    if (/^[ \t\n\f\r]$/.test(ch)) continue;
    if (ch === "=") {
      padding += 1;
      symbols += 1;
      continue;
    }
    if (padding > 0) return notBase64("=");
    if (!/^[A-Za-z0-9+/]$/.test(ch)) return notBase64(ch);
    symbols += 1;
  }
  if (symbols === 0) return "the certificate is empty";
  if (padding > 2 || (padding > 0 && symbols % 4 !== 0) || (padding === 0 && symbols % 4 === 1)) {
    return notBase64("=");
  }
  return null;
}

/** A certificate the fake understands: base64 of `CERT:<subject>|<expiry>`. */
export function fakeCertificateText(subject: string, expiresAt = "2027-05-01T00:00:00Z"): string {
  return `CERT:${subject}|${expiresAt}`;
}

/** Reads a certificate: the backend's base64 rules, then the fake's own format for the rest. */
export function readCertificate(base64: string): CertificateCheck {
  const bad = (error: string): CertificateCheck => ({
    ok: false,
    subject: null,
    expiresAt: null,
    expired: false,
    error,
  });
  const problem = base64Problem(base64);
  if (problem !== null) return bad(problem);
  const text = atob(base64.replace(/\s/g, ""));
  if (!text.startsWith("CERT:")) return bad("this is not an X.509 certificate");
  const [subject = "", expiresAt = ""] = text.slice(5).split("|");
  return {
    ok: true,
    subject,
    expiresAt,
    expired: Date.parse(expiresAt) < clockNow(),
    error: null,
  };
}

/** Why a device name template cannot be used (PRO-11), or null. */
function templateProblem(text: string): string | null {
  if (text.trim() === "") {
    return "the template is empty; leave it unset to keep the names devices have";
  }
  let longest = 0;
  let rest = text;
  for (let open = rest.indexOf("{{"); open >= 0; open = rest.indexOf("{{")) {
    longest += chars(rest.slice(0, open));
    const after = rest.slice(open + 2);
    const close = after.indexOf("}}");
    if (close < 0) return "a '{{' is not closed with '}}'";
    const token = after.slice(0, close);
    if (token === "SERIAL") longest += LIMITS.serialChars;
    else if (token === "DEVICETYPE") longest += LIMITS.deviceTypeChars;
    else return `{{${token}}} is not a template token; use {{SERIAL}} or {{DEVICETYPE}}`;
    rest = after.slice(close + 2);
  }
  longest += chars(rest);
  if (longest > LIMITS.deviceNameChars) {
    return `names can be up to ${longest} characters long with a ${LIMITS.serialChars}-character serial number, more than the ${LIMITS.deviceNameChars} Apple allows; shorten the text`;
  }
  return null;
}

/** Why an address cannot be an enrollment or configuration URL (PRO-18), or null. */
export function urlProblem(input: string): string | null {
  const url = input.trim();
  if (/\s/u.test(url) || unsafeText(url) !== null) {
    return "the address contains spaces, control or invisible direction characters; percent-encode them";
  }
  if (new TextEncoder().encode(url).length > LIMITS.urlChars) {
    return `the address is longer than Apple's ${LIMITS.urlChars.toLocaleString("en-US")} characters`;
  }
  if (url.slice(0, 8).toLowerCase() !== "https://") {
    return "the address must start with https:// (devices only enroll over TLS)";
  }
  const authority = url.slice(8).split(/[/?#]/)[0] ?? "";
  const host = authority.split("@").pop() ?? "";
  if (host === "" || host.startsWith(":")) return "the address has no host name after https://";
  return null;
}

function isEmail(text: string): boolean {
  const at = text.indexOf("@");
  if (at < 0) return false;
  const [local, domain] = [text.slice(0, at), text.slice(at + 1)];
  const labels = domain.split(".");
  return (
    local !== "" &&
    !domain.includes("@") &&
    ![...text].some((ch) => /\s/u.test(ch) || isControl(ch)) &&
    labels.length >= 2 &&
    labels.every((l) => l !== "" && !l.startsWith("-") && !l.endsWith("-"))
  );
}

/** When a platform-bound setting is in use, by its draft key (the backend's `is_set`). */
const IN_USE: Record<string, (d: ProfileDraft) => boolean> = {
  userAffinity: (d) => d.userAffinity === "withUserAffinity",
  authentication: (d) => d.authentication === "companyPortal",
  installCompanyPortal: (d) => d.installCompanyPortal,
  companyPortalVppToken: (d) => nonBlank(d.companyPortalVppToken) !== null,
  singleAppModeUntilAuthentication: (d) => d.singleAppModeUntilAuthentication,
  sharedIPad: (d) => d.sharedIPad,
  syncWithComputers: (d) => d.syncWithComputers !== "allowAll",
  configuratorCertificates: (d) => d.configuratorCertificates.length > 0,
  autoAdvanceSetup: (d) => d.autoAdvanceSetup,
  language: (d) => nonBlank(d.language) !== null,
  region: (d) => nonBlank(d.region) !== null,
  returnToService: (d) => d.returnToService,
  doNotUseProfileFromBackup: (d) => d.doNotUseProfileFromBackup,
};

/** "iOS/iPadOS and visionOS". */
function list(labels: string[]): string {
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1] ?? ""}`;
}

/**
 * Why the draft is not a `depot.profile/v1` file at all (an enumeration with
 * a value it does not have): the backend refuses the request with this.
 */
export function shapeError(d: ProfileDraft): string | null {
  const problems: string[] = [];
  const choice = (key: keyof Rules["choices"], value: string | null) => {
    const all = RULES.choices[key];
    if (value !== null && !all.includes(value)) {
      problems.push(`${key}: "${value}" is not one of ${all.map((n) => `"${n}"`).join(", ")}`);
    }
  };
  choice("userAffinity", d.userAffinity);
  choice("platform", d.platform);
  choice("authentication", d.authentication);
  choice("syncWithComputers", d.syncWithComputers);
  return problems.length === 0
    ? null
    : `the profile file has ${problems.length} problem(s): ${problems.join("; ")}`;
}

/** Every problem the profile rules find (the backend's `ProfileSpec::validate`), in its order. */
export function draftProblems(d: ProfileDraft): ProfileIssue[] {
  const problems: ProfileIssue[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const affinity = d.userAffinity === "withUserAffinity";

  // PRO-1 and free text.
  const nameChars = chars(d.name.trim());
  if (nameChars === 0) add("name", "Enter a name for the profile.");
  else if (nameChars > LIMITS.nameChars) {
    add("name", `The name has ${nameChars} characters; Apple allows at most ${LIMITS.nameChars}.`);
  }
  const lines: [string, string, string | null | undefined][] = [
    ["name", "name", d.name],
    ["companyPortalVppToken", "VPP token", d.companyPortalVppToken],
    ["deviceNameTemplate", "device name template", d.deviceNameTemplate],
    ["department.name", "department name", d.department?.name],
    ["department.phone", "department phone", d.department?.phone],
    ["department.email", "support email", d.department?.email],
  ];
  for (const [field, what, value] of lines) {
    const bad = value === null || value === undefined ? null : unsafeText(value);
    if (bad !== null) add(field, `The ${what} ${bad}.`);
  }
  const badDescription = d.description === null ? null : unsafeText(d.description, true);
  if (badDescription !== null) add("description", `The description ${badDescription}.`);

  // PRO-2..5
  if (affinity && d.authentication === null) {
    add(
      "authentication",
      "Choose where users authenticate: Company Portal, Setup Assistant, or Setup Assistant with modern authentication.",
    );
  } else if (!affinity && d.authentication !== null) {
    add(
      "authentication",
      "Devices enrolled without user affinity have no user to authenticate; clear the authentication method or enroll with user affinity.",
    );
  }
  if (d.authentication === "companyPortal" && !d.installCompanyPortal) {
    add(
      "installCompanyPortal",
      "With Company Portal authentication the Company Portal is always installed; turn Install Company Portal on.",
    );
  }
  if (!affinity && d.installCompanyPortal) {
    add(
      "installCompanyPortal",
      "The Company Portal does not work on devices without user affinity; turn Install Company Portal off.",
    );
  }
  const vppToken = nonBlank(d.companyPortalVppToken);
  if (vppToken !== null && !d.installCompanyPortal) {
    add(
      "companyPortalVppToken",
      "A VPP token is only used to install the Company Portal; turn Install Company Portal on or clear the VPP token.",
    );
  }
  if (d.singleAppModeUntilAuthentication && vppToken === null) {
    add(
      "singleAppModeUntilAuthentication",
      "Single App Mode needs the Company Portal installed with a VPP token; choose a VPP token or turn Single App Mode off.",
    );
  }

  // PRO-7, PRO-8
  if (d.lockedEnrollment && !d.supervised) {
    add(
      "lockedEnrollment",
      "Locked enrollment works only on supervised devices; set Supervised to Yes or turn Locked enrollment off.",
    );
  }
  if (d.sharedIPad && affinity) {
    add(
      "sharedIPad",
      "Shared iPad needs enrollment without user affinity; change User affinity or turn Shared iPad off.",
    );
  }
  if (d.sharedIPad && !d.supervised) {
    add(
      "sharedIPad",
      "Shared iPad works only on supervised devices; set Supervised to Yes or turn Shared iPad off.",
    );
  }
  const cached = d.maximumCachedUsers;
  if (d.sharedIPad && cached === null) {
    add(
      "maximumCachedUsers",
      `Enter the maximum number of cached users (1 to ${LIMITS.cachedUsers}) for Shared iPad.`,
    );
  } else if (d.sharedIPad && cached !== null && (cached < 1 || cached > LIMITS.cachedUsers)) {
    add(
      "maximumCachedUsers",
      `${cached} users cannot be cached; enter a number from 1 to ${LIMITS.cachedUsers}.`,
    );
  } else if (!d.sharedIPad && cached !== null) {
    add(
      "maximumCachedUsers",
      "Maximum cached users applies only to Shared iPad; clear it or turn Shared iPad on.",
    );
  }
  if (d.autoAdvanceSetup && affinity) {
    add(
      "autoAdvanceSetup",
      "Auto advance runs Setup Assistant with nobody at the device, so no user could sign in; enroll without user affinity or turn Auto advance off.",
    );
  }

  // PRO-10
  const byCertificate = d.syncWithComputers === "allowByCertificate";
  const count = d.configuratorCertificates.length;
  if (byCertificate && count === 0) {
    add(
      "configuratorCertificates",
      "Add at least one Apple Configurator certificate, or choose another Sync with computers option.",
    );
  } else if (byCertificate && count > LIMITS.configuratorCertificates) {
    add(
      "configuratorCertificates",
      `There are ${count} Apple Configurator certificates; remove some to keep at most ${LIMITS.configuratorCertificates}.`,
    );
  } else if (!byCertificate && count > 0) {
    add(
      "configuratorCertificates",
      "Certificates are only used with 'Allow Apple Configurator by certificate'; remove them or choose that option.",
    );
  }
  d.configuratorCertificates.forEach((text, i) => {
    const read = readCertificate(text);
    if (!read.ok) {
      add(
        `configuratorCertificates[${i}]`,
        `Certificate ${i + 1} cannot be used: ${read.error ?? ""}. Upload the .cer or .crt file again.`,
      );
    }
  });

  // PRO-11
  const badTemplate = d.deviceNameTemplate === null ? null : templateProblem(d.deviceNameTemplate);
  if (badTemplate !== null) {
    add("deviceNameTemplate", `The device name template cannot be used: ${badTemplate}.`);
  }

  // PRO-12
  if (d.department !== null) {
    const parts: [string, string | null, string, number][] = [
      ["department.name", d.department.name, "department name", LIMITS.departmentChars],
      ["department.phone", d.department.phone, "department phone", LIMITS.phoneChars],
      ["department.email", d.department.email, "support email", LIMITS.emailChars],
    ];
    for (const [field, value, what, max] of parts) {
      const text = nonBlank(value);
      if (text !== null && chars(text) > max) {
        add(field, `The ${what} has ${chars(text)} characters; Apple allows at most ${max}.`);
      }
    }
    const email = nonBlank(d.department.email);
    if (email !== null && !isEmail(email)) {
      add("department.email", `'${email}' is not an email address; enter one like it@example.com.`);
    }
  }
  d.hiddenScreens.forEach((key, i) => {
    if (key.trim() === "") {
      add(`hiddenScreens[${i}]`, "A hidden screen has an empty key; remove it.");
    }
  });

  // PRO-18
  const enrollmentUrl = nonBlank(d.enrollmentUrl);
  const badUrl = enrollmentUrl === null ? null : urlProblem(enrollmentUrl);
  if (badUrl !== null) add("enrollmentUrl", `The enrollment URL cannot be used: ${badUrl}.`);
  const webUrl = nonBlank(d.configurationWebUrl);
  if (webUrl !== null && d.authentication !== "setupAssistantModern") {
    add(
      "configurationWebUrl",
      "A configuration web URL is only used with Setup Assistant with modern authentication; clear it or choose that method.",
    );
  } else if (webUrl !== null) {
    const bad = urlProblem(webUrl);
    if (bad !== null) {
      add("configurationWebUrl", `The configuration web URL cannot be used: ${bad}.`);
    }
  }

  // PLT-1: settings the platform has no use for, then the language and region.
  for (const rule of RULES.platformRules) {
    const inUse = IN_USE[rule.field];
    if (inUse === undefined) {
      throw new Error(`profileRules.ts: say when '${rule.field}' is in use (IN_USE)`);
    }
    if (!rule.platforms.includes(d.platform) && inUse(d)) {
      add(
        rule.field,
        `${rule.setting}: only for ${list(rule.platforms.map(platformLabel))} profiles, not ${platformLabel(d.platform)}; ${rule.fix}.`,
      );
    }
  }
  const language = nonBlank(d.language);
  if (language !== null) {
    const code = language.toLowerCase();
    if (!isAscii(language) || !RULES.languageCodes.includes(code)) {
      add(
        "language",
        `'${language}' is not an ISO 639 language code; enter one like en, fr or de.`,
      );
    } else if (!CATALOGUE.languages.includes(code)) {
      add(
        "language",
        `Setup Assistant on tvOS and macOS has no '${code}' language; choose one it offers (${CATALOGUE.languages.join(", ")}).`,
      );
    }
  }
  const region = nonBlank(d.region);
  if (region !== null) {
    if (!isAscii(region) || !CATALOGUE.regions.includes(region.toUpperCase())) {
      add(
        "region",
        `'${region}' is not an ISO 3166-1 two-letter region code; enter one like US, GB or DE.`,
      );
    } else if (language === null) {
      add(
        "region",
        "Apple applies the region together with a language; choose the language too, or clear the region.",
      );
    }
  }
  return problems;
}

/**
 * What Apple's profile JSON still lacks once the rules pass: the enrollment
 * URL (and, with modern authentication, the configuration web URL), from the
 * draft or else from the token's or workspace's settings.
 */
export function urlProblems(
  d: ProfileDraft,
  settings: { enrollmentUrl: string | null; configurationWebUrl: string | null },
): ProfileIssue[] {
  const problems: ProfileIssue[] = [];
  if ((nonBlank(d.enrollmentUrl) ?? settings.enrollmentUrl) === null) {
    problems.push({
      field: "enrollmentUrl",
      message:
        "There is no enrollment URL: set the MDM server's enrollment URL in the workspace settings, the token, or this profile.",
    });
  }
  const modern = d.authentication === "setupAssistantModern";
  if (modern && (nonBlank(d.configurationWebUrl) ?? settings.configurationWebUrl) === null) {
    problems.push({
      field: "configurationWebUrl",
      message:
        "Modern authentication needs a configuration web URL: set it in the workspace settings, the token, or this profile.",
    });
  }
  return problems;
}

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

function unknownKeyMessage(key: string): string {
  const near = CATALOGUE.keys.find((e) => asciiLower(e.key) === asciiLower(key));
  if (near) {
    return `'${key}' is not an Apple screen key; keys are case-sensitive — did you mean '${near.key}'? It is sent as written.`;
  }
  if (RULES.legacySkipKeys.includes(key)) {
    return `'${key}' is not in Apple's current list of screens (an older or undocumented key); it is kept and sent as written.`;
  }
  return `Depot does not know the screen key '${key}'; it is kept and sent to Apple as written.`;
}

/** What the admin should know about the hidden screens (the backend's `ProfileSpec::warnings`). */
export function draftWarnings(d: ProfileDraft): ProfileIssue[] {
  const label = platformLabel(d.platform);
  return d.hiddenScreens.flatMap((key, i) => {
    const warn = (message: string) => ({ field: `hiddenScreens[${i}]`, message });
    if (key.trim() === "") return [];
    if (d.hiddenScreens.indexOf(key) !== i)
      return [warn(`'${key}' is listed twice; it is sent once.`)];
    const info = CATALOGUE.keys.find((e) => e.key === key);
    if (!info) return [warn(unknownKeyMessage(key))];
    const support = info.platforms.find((p) => p.name === d.platform);
    if (!support) {
      return [
        warn(`'${info.label}' (${key}) does not exist on ${label}; hiding it has no effect.`),
      ];
    }
    const warnings = info.notes.filter((n) => n.platform === d.platform).map((n) => warn(n.text));
    if (support.removedIn !== null) {
      warnings.push(
        warn(
          `Apple removed the '${info.label}' screen (${key}) in ${label} ${support.removedIn}; hiding it only matters on older versions.`,
        ),
      );
    } else if (support.deprecatedIn !== null) {
      warnings.push(
        warn(
          `Apple deprecated the '${info.label}' screen (${key}) in ${label} ${support.deprecatedIn}.`,
        ),
      );
    }
    return warnings;
  });
}
