import type { AssignmentRun } from "../bindings/AssignmentRun";
import type { EnrollmentSettings } from "../bindings/EnrollmentSettings";
import type { FieldChange } from "../bindings/FieldChange";
import type { ProfileCheck } from "../bindings/ProfileCheck";
import type { ProfileDetail } from "../bindings/ProfileDetail";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { ProfileIssue } from "../bindings/ProfileIssue";
import type { ProfileSummary } from "../bindings/ProfileSummary";
import type { TokenDetail } from "../bindings/TokenDetail";
import type { UploadInfo } from "../bindings/UploadInfo";
import { now as clockNow } from "../platform/clock";
import { failure, type Handlers } from "./fakeBackend";
import type { fakeDepot } from "./fakeDepot";
import {
  CATALOGUE,
  defaultDraft,
  draftProblems,
  draftWarnings,
  fakeCertificateText,
  platformLabel,
  readCertificate,
  shapeError,
  urlProblem,
  urlProblems,
} from "./profileRules";

// A stateful stand-in for the profiles, enrollment URL settings and
// assignment-run commands. The catalogue and the profile rules are the
// backend's own, from fixtures the Rust side generates (./profileRules.ts);
// what needs stored profiles (a name taken, a platform changed) is checked here.

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

export const SAMPLE_SERIAL = "F9FXK2ABCD12";
export const DEMO_ENROLLMENT_URL = "https://mdm.contoso-demo.example/enroll";
export const DEMO_CONFIGURATION_WEB_URL = "https://mdm.contoso-demo.example/configure";

/** The same certificate as a PEM file's bytes. */
export function fakePemFile(subject: string, expiresAt?: string): Uint8Array {
  const body = btoa(fakeCertificateText(subject, expiresAt));
  return new TextEncoder().encode(
    `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
  );
}

const blank = (value: string | null | undefined) => (value ?? "").trim() === "";

/** Labels of the diff, in wizard order (as the backend has them). */
const DIFF_LABELS: [string, string][] = [
  ["name", "Name"],
  ["description", "Description"],
  ["userAffinity", "User affinity"],
  ["authentication", "Authentication method"],
  ["installCompanyPortal", "Install Company Portal"],
  ["companyPortalVppToken", "Company Portal VPP token"],
  ["singleAppModeUntilAuthentication", "Single App Mode until authentication"],
  ["supervised", "Supervised"],
  ["lockedEnrollment", "Locked enrollment"],
  ["awaitFinalConfiguration", "Await final configuration"],
  ["sharedIPad", "Shared iPad"],
  ["maximumCachedUsers", "Maximum cached users"],
  ["syncWithComputers", "Sync with computers"],
  ["configuratorCertificates", "Apple Configurator certificates"],
  ["deviceNameTemplate", "Device name template"],
  ["department.name", "Department name"],
  ["department.phone", "Department phone"],
  ["department.email", "Support email"],
  ["hiddenScreens", "Hidden Setup Assistant screens"],
  ["autoAdvanceSetup", "Auto advance Setup Assistant"],
  ["language", "Language"],
  ["region", "Region"],
  ["returnToService", "Return to Service"],
  ["doNotUseProfileFromBackup", "Don't use the profile from a backup"],
];

function flat(draft: ProfileDraft): Record<string, unknown> {
  const { department, ...rest } = draft;
  return {
    ...rest,
    "department.name": department?.name ?? null,
    "department.phone": department?.phone ?? null,
    "department.email": department?.email ?? null,
  };
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.join(", ");
  return typeof value === "string" || typeof value === "number"
    ? String(value)
    : JSON.stringify(value);
}

export type SeedProfile = {
  id?: string;
  tokenId: string;
  name: string;
  draft?: Partial<ProfileDraft>;
  deviceCount?: number;
  isDefault?: boolean;
  /** Earlier versions' drafts (oldest first); the profile's own draft is the newest. */
  history?: Partial<ProfileDraft>[];
  upload?: Partial<UploadInfo>;
};

type Version = {
  version: number;
  draft: ProfileDraft;
  createdAt: string;
  createdBy: string;
  upload: UploadInfo;
};

type Profile = {
  id: string;
  tokenId: string;
  deviceCount: number;
  isDefault: boolean;
  createdAt: string;
  versions: Version[];
};

/** What the next upload to "Apple" does. */
export type UploadScript = "ok" | { error: string; errorField?: string };

type Options = {
  profiles?: SeedProfile[];
  enrollmentUrl?: string | null;
  configurationWebUrl?: string | null;
  /** Per-token overrides. */
  tokenUrls?: Record<
    string,
    { enrollmentUrl?: string | null; configurationWebUrl?: string | null }
  >;
};

/**
 * Adds the profile commands to a `fakeDepot`: `{ ...depot.handlers, ...profiles.handlers }`.
 * Tokens come from the depot's state; `tokens.list` reports each token's
 * default profile and profile count from here.
 */
export function fakeProfiles(depot: ReturnType<typeof fakeDepot>, options: Options = {}) {
  const state = {
    profiles: [] as Profile[],
    nextId: 100,
    uploads: 0,
    /** Scripted answers of the next uploads, first first; "ok" when empty. */
    uploadScript: [] as UploadScript[],
    settings: {
      enrollmentUrl: options.enrollmentUrl ?? null,
      configurationWebUrl: options.configurationWebUrl ?? null,
    },
    tokenUrls: { ...(options.tokenUrls ?? {}) } as Record<
      string,
      { enrollmentUrl?: string | null; configurationWebUrl?: string | null }
    >,
    runs: new Map<string, AssignmentRun>(),
    nextRun: 1,
    /** Paths `profiles.export*` wrote to, and folders `profiles.handoff` wrote into. */
  };

  const token = (id: string) => depot.state.tokens.find((t) => t.summary.id === id);
  const find = (id: string) => state.profiles.find((p) => p.id === id);
  const current = (p: Profile) => p.versions[p.versions.length - 1] as Version;

  const uploadInfo = (): UploadInfo => {
    const script = state.uploadScript.shift() ?? "ok";
    if (script === "ok") {
      state.uploads += 1;
      return {
        state: "uploaded",
        appleUuid: `A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5${String(state.uploads).padStart(2, "0")}`,
        uploadedAt: iso(clockNow()),
        error: null,
        errorField: null,
      };
    }
    return {
      state: "failed",
      appleUuid: null,
      uploadedAt: null,
      error: script.error,
      errorField: script.errorField ?? null,
    };
  };

  const effectiveUrls = (tokenId: string) => {
    const own = state.tokenUrls[tokenId] ?? {};
    const demo = token(tokenId)?.summary.simulator ?? false;
    return {
      enrollmentUrl:
        own.enrollmentUrl ?? state.settings.enrollmentUrl ?? (demo ? DEMO_ENROLLMENT_URL : null),
      configurationWebUrl:
        own.configurationWebUrl ??
        state.settings.configurationWebUrl ??
        (demo ? DEMO_CONFIGURATION_WEB_URL : null),
    };
  };

  /** The rules, then what needs the stored profiles, then what Apple's JSON needs (as `core` orders them). */
  const problemsOf = (tokenId: string, d: ProfileDraft, editing?: string): ProfileIssue[] => {
    const problems = draftProblems(d);
    const name = d.name.trim();
    const taken = state.profiles.some(
      (p) =>
        p.tokenId === tokenId &&
        p.id !== editing &&
        current(p).draft.name.toLowerCase() === name.toLowerCase(),
    );
    if (name !== "" && taken) {
      problems.push({
        field: "name",
        message: `This token already has a profile called '${name}'. Names are unique per token.`,
      });
    }
    const before = editing === undefined ? undefined : find(editing);
    const was = before === undefined ? undefined : current(before).draft.platform;
    if (was !== undefined && was !== d.platform) {
      problems.push({
        field: "platform",
        message: `A profile keeps the platform it was created for: this is a ${platformLabel(was)} profile. Create a new profile for ${platformLabel(d.platform)}.`,
      });
    }
    return problems.length > 0 ? problems : urlProblems(d, effectiveUrls(tokenId));
  };

  /** The draft is not a profile file: the backend refuses the request. */
  const notAProfile = (d: ProfileDraft) => {
    const error = shapeError(d);
    return error === null ? null : failure("INVALID_INPUT", error);
  };

  const SAMPLE_FAMILY: Record<string, string> = {
    iOS: "iPad",
    macOS: "Mac",
    tvOS: "AppleTV",
    visionOS: "Vision",
  };
  const render = (template: string, platform = "iOS") =>
    template
      .replaceAll("{{SERIAL}}", SAMPLE_SERIAL)
      .replaceAll("{{DEVICETYPE}}", SAMPLE_FAMILY[platform] ?? "iPad");

  const appleJson = (tokenId: string, d: ProfileDraft): string => {
    const urls = effectiveUrls(tokenId);
    const modern = d.authentication === "setupAssistantModern";
    const json: Record<string, unknown> = {
      profile_name: d.name.trim(),
      url: blank(d.enrollmentUrl) ? urls.enrollmentUrl : d.enrollmentUrl,
      ...(modern
        ? {
            configuration_web_url: blank(d.configurationWebUrl)
              ? urls.configurationWebUrl
              : d.configurationWebUrl,
          }
        : {}),
      is_supervised: d.supervised,
      is_mdm_removable: !d.lockedEnrollment,
      is_mandatory: true,
      await_device_configured: d.awaitFinalConfiguration,
      is_multi_user: d.sharedIPad,
      allow_pairing: d.syncWithComputers === "allowAll",
      ...(d.configuratorCertificates.length > 0
        ? { supervising_host_certs: d.configuratorCertificates }
        : {}),
      org_magic: "depot-FAKE",
      ...(blank(d.department?.name) ? {} : { department: d.department?.name }),
      ...(blank(d.department?.phone) ? {} : { support_phone_number: d.department?.phone }),
      ...(blank(d.department?.email) ? {} : { support_email_address: d.department?.email }),
      ...(d.hiddenScreens.length > 0 ? { skip_setup_items: [...new Set(d.hiddenScreens)] } : {}),
      ...(d.autoAdvanceSetup ? { auto_advance_setup: true } : {}),
      ...(blank(d.language) ? {} : { language: d.language }),
      ...(blank(d.region) ? {} : { region: d.region }),
      ...(d.returnToService ? { is_return_to_service: true } : {}),
      ...(d.doNotUseProfileFromBackup ? { do_not_use_profile_from_backup: true } : {}),
    };
    return JSON.stringify(json, null, 2);
  };

  const licensingNote = (d: ProfileDraft) =>
    d.userAffinity === "withUserAffinity"
      ? "Devices enrolled with this profile are tied to a user: each user needs a user license for your MDM service."
      : "Devices enrolled with this profile have no user: each device needs a device license for your MDM service.";

  const summary = (p: Profile): ProfileSummary => {
    const v = current(p);
    return {
      id: p.id,
      tokenId: p.tokenId,
      tokenName: token(p.tokenId)?.summary.serverName ?? "?",
      name: v.draft.name.trim(),
      description: v.draft.description,
      platform: v.draft.platform,
      version: v.version,
      deviceCount: p.deviceCount,
      isDefault: p.isDefault,
      createdAt: p.createdAt,
      updatedAt: v.createdAt,
      upload: v.upload,
    };
  };

  const detail = (p: Profile): ProfileDetail => {
    const v = current(p);
    return {
      summary: summary(p),
      draft: v.draft,
      appleJson: appleJson(p.tokenId, v.draft),
      warnings: draftWarnings(v.draft),
      versions: [...p.versions].reverse().map(({ draft: _, ...rest }) => rest),
      groupRule: `(device.enrollmentProfileName -eq "${v.draft.name.trim()}")`,
      licensingNote: licensingNote(v.draft),
    };
  };

  const invalid = (problems: ProfileIssue[]) =>
    failure(
      "PROFILE_INVALID",
      `the profile is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
    );

  const create = (tokenId: string, draft: ProfileDraft) => {
    const refused = notAProfile(draft);
    if (refused) return refused;
    if (!token(tokenId)) return failure("NOT_FOUND", `token ${tokenId} was not found`);
    const problems = problemsOf(tokenId, draft);
    if (problems.length > 0) return invalid(problems);
    const profile: Profile = {
      id: String(state.nextId++),
      tokenId,
      deviceCount: 0,
      isDefault: false,
      createdAt: iso(clockNow()),
      versions: [
        {
          version: 1,
          draft: { ...draft, name: draft.name.trim() },
          createdAt: iso(clockNow()),
          createdBy: "admin",
          upload: uploadInfo(),
        },
      ],
    };
    state.profiles.push(profile);
    return detail(profile);
  };

  const reassign = (p: Profile): AssignmentRun | null => {
    if (p.deviceCount === 0 || current(p).upload.state !== "uploaded") return null;
    const run: AssignmentRun = {
      id: `run-${state.nextRun++}`,
      tokenId: p.tokenId,
      kind: "assign",
      reason: "edit",
      profileId: p.id,
      profileVersion: current(p).version,
      operator: "admin",
      startedAt: iso(clockNow()),
      finishedAt: null,
      result: "running",
      error: null,
      total: p.deviceCount,
      pending: p.deviceCount,
      succeeded: 0,
      notAccessible: 0,
      failed: 0,
      throttled: 0,
      throttledKept: 0,
      waitingUntil: null,
      cooldown: 0,
      notSent: 0,
    };
    state.runs.set(run.id, run);
    return { ...run };
  };

  for (const seed of options.profiles ?? []) {
    const drafts = [...(seed.history ?? []), seed.draft ?? {}];
    const profile: Profile = {
      id: seed.id ?? String(state.nextId++),
      tokenId: seed.tokenId,
      deviceCount: seed.deviceCount ?? 0,
      isDefault: seed.isDefault ?? false,
      createdAt: iso(clockNow() - drafts.length * DAY),
      versions: drafts.map((d, i) => ({
        version: i + 1,
        draft: defaultDraft({ name: seed.name, ...d }),
        createdAt: iso(clockNow() - (drafts.length - i) * DAY),
        createdBy: i === 0 ? "admin" : "helpdesk",
        upload: { ...uploadInfo(), ...(i === drafts.length - 1 ? seed.upload : {}) },
      })),
    };
    state.profiles.push(profile);
  }

  const settings = (): EnrollmentSettings => ({
    ...state.settings,
    tokens: depot.state.tokens.map((t) => {
      const own = state.tokenUrls[t.summary.id] ?? {};
      const effective = effectiveUrls(t.summary.id);
      return {
        tokenId: t.summary.id,
        tokenName: t.summary.serverName,
        enrollmentUrl: own.enrollmentUrl ?? null,
        configurationWebUrl: own.configurationWebUrl ?? null,
        effectiveEnrollmentUrl: effective.enrollmentUrl,
        effectiveConfigurationWebUrl: effective.configurationWebUrl,
        isSimulator: t.summary.simulator,
      };
    }),
  });

  const urlError = (field: string, value: string | null) => {
    const bad = blank(value) ? null : urlProblem(value ?? "");
    return bad === null ? null : failure("INVALID_INPUT", `${field}: ${bad}`);
  };

  const stem = (name: string) =>
    name
      .trim()
      .replace(/[^\p{L}\p{N}_-]+/gu, "-")
      .replace(/^-|-$/g, "") || "profile";

  /** A token as `tokens.list`/`tokens.get` report it: its profile count and defaults from here. */
  const withDefaults = (t: TokenDetail): TokenDetail => {
    const own = state.profiles.filter((p) => p.tokenId === t.summary.id);
    const defaults = CATALOGUE.platforms.flatMap((platform) => {
      const chosen = own.find(
        (p) => p.isDefault && current(p).draft.platform === platform.platform,
      );
      return chosen
        ? [
            {
              platform: platform.platform,
              label: platform.label,
              profile: current(chosen).draft.name,
            },
          ]
        : [];
    });
    return {
      ...t,
      summary: {
        ...t.summary,
        profileCount: own.length,
        defaultProfile: defaults.find((d) => d.platform === "iOS")?.profile ?? null,
        defaultProfiles: defaults,
      },
    };
  };

  const handlers: Handlers = {
    "tokens.list": () => ({
      tokens: depot.state.tokens.map((t) => withDefaults(t).summary),
    }),
    "tokens.get": ({ id }) => {
      const t = token(id);
      return t ? withDefaults(t) : failure("NOT_FOUND", `There is no token with id ${id}.`);
    },
    "profiles.catalogue": () => structuredClone(CATALOGUE),
    "profiles.list": ({ tokenId }) => ({
      profiles: state.profiles
        .filter((p) => tokenId === undefined || p.tokenId === tokenId)
        .map(summary)
        .sort((a, b) => a.name.localeCompare(b.name)),
    }),
    "profiles.get": ({ id }) => {
      const p = find(id);
      return p ? detail(p) : failure("NOT_FOUND", `profile ${id} was not found`);
    },
    "profiles.check": ({ tokenId, draft, editing }): ProfileCheck | ReturnType<typeof failure> => {
      const refused = notAProfile(draft);
      if (refused) return refused;
      if (!token(tokenId)) return failure("NOT_FOUND", `token ${tokenId} was not found`);
      const problems = problemsOf(tokenId, draft, editing);
      return {
        problems,
        warnings: draftWarnings(draft),
        appleJson: problems.length === 0 ? appleJson(tokenId, draft) : null,
        certificates: draft.configuratorCertificates.map(readCertificate),
        deviceNamePreview:
          draft.deviceNameTemplate && draft.deviceNameTemplate.trim() !== ""
            ? render(draft.deviceNameTemplate.trim(), draft.platform)
            : null,
        licensingNote: licensingNote(draft),
      };
    },
    "profiles.create": ({ tokenId, draft }) => create(tokenId, draft),
    "profiles.edit": ({ id, draft }) => {
      const refused = notAProfile(draft);
      if (refused) return refused;
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const problems = problemsOf(p.tokenId, draft, id);
      if (problems.length > 0) return invalid(problems);
      p.versions.push({
        version: current(p).version + 1,
        draft: { ...draft, name: draft.name.trim() },
        createdAt: iso(clockNow() + DAY),
        createdBy: "admin",
        upload: uploadInfo(),
      });
      return { detail: detail(p), reassignment: reassign(p) };
    },
    "profiles.retryUpload": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const v = current(p);
      if (v.upload.state !== "uploaded") v.upload = uploadInfo();
      return { detail: detail(p), reassignment: null };
    },
    "profiles.duplicate": ({ id, name }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      return create(p.tokenId, { ...current(p).draft, name });
    },
    "profiles.setDefault": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const platform = current(p).draft.platform;
      for (const other of state.profiles) {
        if (other.tokenId === p.tokenId && current(other).draft.platform === platform) {
          other.isDefault = other === p;
        }
      }
      return summary(p);
    },
    "profiles.clearDefault": ({ tokenId, platform }) => {
      for (const p of state.profiles) {
        if (p.tokenId === tokenId && current(p).draft.platform === platform) p.isDefault = false;
      }
      return {};
    },
    "profiles.delete": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const blockers: string[] = [];
      if (p.isDefault) {
        blockers.push(
          `it is the default profile of '${token(p.tokenId)?.summary.serverName ?? "?"}' — clear the default first`,
        );
      }
      if (p.deviceCount > 0) {
        blockers.push(
          `${p.deviceCount} device${p.deviceCount === 1 ? " holds" : "s hold"} it — remove the profile from them or assign another profile first`,
        );
      }
      if (blockers.length > 0) {
        return failure(
          "PROFILE_IN_USE",
          `this profile cannot be deleted yet: ${blockers.join("; ")}`,
        );
      }
      state.profiles = state.profiles.filter((other) => other !== p);
      return {};
    },
    "profiles.import": ({ tokenId, text }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return failure("INVALID_INPUT", "file: this is not JSON");
      }
      if (
        typeof parsed !== "object" ||
        parsed === null ||
        (parsed as { format?: unknown }).format !== "depot.profile/v1"
      ) {
        return failure(
          "INVALID_INPUT",
          "file: not a depot.profile/v1 file (the format key is missing)",
        );
      }
      const rest: Record<string, unknown> = { ...parsed };
      delete rest.format;
      return create(tokenId, defaultDraft(rest));
    },
    "profiles.export": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const d = current(p).draft;
      return {
        fileName: `${stem(d.name)}.depot-profile.json`,
        text: JSON.stringify({ format: "depot.profile/v1", ...d }, null, 2),
      };
    },
    "profiles.exportApple": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const d = current(p).draft;
      return {
        fileName: `${stem(d.name)}.apple-profile.json`,
        text: appleJson(p.tokenId, d),
      };
    },
    "profiles.diff": ({ id, from, to }) => {
      const p = find(id);
      const a = p?.versions.find((v) => v.version === from);
      const b = p?.versions.find((v) => v.version === to);
      if (!a || !b)
        return failure("NOT_FOUND", `version ${!a ? from : to} of profile ${id} was not found`);
      const [x, y] = [flat(a.draft), flat(b.draft)];
      const changes: FieldChange[] = DIFF_LABELS.filter(
        ([field]) => JSON.stringify(x[field]) !== JSON.stringify(y[field]),
      ).map(([field, label]) => ({ field, label, before: show(x[field]), after: show(y[field]) }));
      return { from, to, changes };
    },
    "profiles.handoff": ({ id }) => {
      const p = find(id);
      if (!p) return failure("NOT_FOUND", `profile ${id} was not found`);
      const d = current(p).draft;
      const files = [
        { name: "README.txt", text: `MDM handoff for ${d.name} (version ${current(p).version}).` },
      ];
      if (d.deviceNameTemplate) {
        files.push({
          name: "device-names.plist",
          text: `<?xml version="1.0"?>\n<plist><array><dict><key>DeviceName</key><string>${render(d.deviceNameTemplate)}</string></dict></array></plist>`,
        });
      }
      if (d.sharedIPad) {
        files.push({
          name: "shared-ipad-settings.plist",
          text: `<plist><dict><key>ResidentUsers</key><integer>${d.maximumCachedUsers ?? 0}</integer></dict></plist>`,
        });
      }
      return { files };
    },
    "settings.enrollment": () => settings(),
    "settings.setEnrollment": ({ tokenId, enrollmentUrl, configurationWebUrl }) => {
      const bad =
        urlError("enrollmentUrl", enrollmentUrl) ??
        urlError("configurationWebUrl", configurationWebUrl);
      if (bad) return bad;
      const values = {
        enrollmentUrl: blank(enrollmentUrl) ? null : (enrollmentUrl ?? "").trim(),
        configurationWebUrl: blank(configurationWebUrl) ? null : (configurationWebUrl ?? "").trim(),
      };
      if (tokenId === undefined) state.settings = values;
      else if (!token(tokenId)) return failure("NOT_FOUND", `token ${tokenId} was not found`);
      else state.tokenUrls[tokenId] = values;
      return settings();
    },
    "assignments.get": ({ id }) => {
      const run = state.runs.get(id);
      if (!run) return failure("NOT_FOUND", `assignment run ${id} was not found`);
      // Each poll moves a running run on: half the devices, then the rest.
      if (run.result === "running") {
        const step = Math.ceil(run.pending / 2) || run.pending;
        run.pending -= step;
        run.succeeded += step;
        if (run.pending === 0) {
          run.result = "ok";
          run.finishedAt = iso(clockNow() + DAY);
        }
      }
      return { ...run };
    },
    "assignments.cancel": ({ id }) => {
      const run = state.runs.get(id);
      if (run && run.result === "running") {
        run.result = "cancelled";
        run.notSent = run.pending;
        run.pending = 0;
      }
      return {};
    },
  };

  return { handlers, state };
}
