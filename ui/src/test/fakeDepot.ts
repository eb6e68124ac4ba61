import type { AlertDto } from "../bindings/AlertDto";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { KeyProtection } from "../bindings/KeyProtection";
import type { CoverageDto } from "../bindings/CoverageDto";
import type { OrgAccountDto } from "../bindings/OrgAccountDto";
import type { OrgActivityDto } from "../bindings/OrgActivityDto";
import type { OrgActivityRequest } from "../bindings/OrgActivityRequest";
import type { OrgDeviceDto } from "../bindings/OrgDeviceDto";
import type { OrgDeviceListRequest } from "../bindings/OrgDeviceListRequest";
import type { PendingKey } from "../bindings/PendingKey";
import type { SyncError } from "../bindings/SyncError";
import type { SyncHealth } from "../bindings/SyncHealth";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncRun } from "../bindings/SyncRun";
import type { TokenDetail } from "../bindings/TokenDetail";
import type { TokenFile } from "../bindings/TokenFile";
import type { TokenPreview } from "../bindings/TokenPreview";
import type { TokenStatus } from "../bindings/TokenStatus";
import type { TokenSummary } from "../bindings/TokenSummary";
import { now as clockNow } from "../platform/clock";
import { FAKE_NOW } from "./clock";
import { failure, type Handlers } from "./fakeBackend";
import { fakeVpp, type FakeVppOptions } from "./fakeVpp";
import { fakeWebhooks, type FakeWebhookOptions } from "./fakeWebhooks";

/** The fake's "now" (the test clock's start): every days-left figure is counted from here. */
export { FAKE_NOW };
const DAY = 86_400_000;

/** `appleUrl` for Depot's built-in simulator (tokens.inspect / tokens.add). */
export const SIMULATOR = "simulator";

/** MDM servers the simulated portal offers the wizard, first free one first. */
const SIMULATED_SERVERS = [
  "Simulator — Fabrikam Demo",
  "Simulator — Northwind Demo",
  "Simulator — Tailspin Demo",
];

/** What Apple would say about a token file the fake's "portal" issued. */
export type PortalServer = {
  serverName: string;
  serverUuid: string;
  orgName: string;
  adminId: string | null;
  expiresAt: string;
  simulator?: boolean;
  /** The fingerprint of the key the file was encrypted to; `undefined` = the current pending key. */
  forKey?: string;
};

const FILE_PREFIX = "FAKE-P7M ";
const ERROR_PREFIX = "FAKE-P7M-ERROR ";

/** A token file as the portal would issue it, in the browser's `contents` form. */
export function portalFile(server: PortalServer, fileName = "server_token.p7m"): TokenFile {
  return { kind: "contents", fileName, contents: FILE_PREFIX + JSON.stringify(server) };
}

/** A file the backend rejects with `code` when it opens it. */
export function brokenFile(code: ErrorCode, fileName = "broken.p7m"): TokenFile {
  return { kind: "contents", fileName, contents: ERROR_PREFIX + code };
}

export function daysLeft(iso: string): number {
  return Math.floor((Date.parse(iso) - clockNow()) / DAY);
}

function statusFor(iso: string): TokenStatus {
  const left = daysLeft(iso);
  return left < 0 ? "expired" : left <= 30 ? "expiring" : "ok";
}

export function tokenDetail(
  summary: Partial<TokenSummary> & { id: string; serverName: string },
  extra: Partial<Omit<TokenDetail, "summary">> = {},
): TokenDetail {
  const expiresAt = summary.expiresAt ?? "2027-03-01T00:00:00Z";
  return {
    summary: {
      orgName: "Contoso Retail",
      appleId: "abm-admin@contoso.example",
      expiresAt,
      daysLeft: daysLeft(expiresAt),
      status: statusFor(expiresAt),
      simulator: false,
      defaultProfile: null,
      defaultProfiles: [],
      overDeviceLimit: false,
      lastSyncAt: null,
      lastSyncResult: null,
      deviceCount: 0,
      profileCount: 0,
      scopeTags: [],
      ...summary,
    },
    serverUuid: `UUID-${summary.id.toUpperCase()}`,
    orgId: "1234567",
    orgType: "org",
    adminId: "abm-admin@contoso.example",
    appleUrl: "https://mdmenrollment.apple.com",
    createdAt: "2026-03-01T09:30:00Z",
    renewedAt: null,
    keyFingerprint: "11:22:33:44",
    deleteBlockers: [],
    devicesWithoutDefault: [],
    platformMismatches: [],
    ...extra,
  };
}

/** One poll's worth of progress of a fake sync run. */
export type SyncStep = { pages?: number; added?: number; modified?: number; removed?: number };

/**
 * How the next run of a token goes: its steps (one per status poll), then how
 * it ends. A `held` run moves only as far as the test lets it (`releaseSync`),
 * so a test can look at each step however fast the UI polls.
 */
export type SyncScript = { steps: SyncStep[]; fail?: Omit<SyncError, "at">; held?: boolean };

const MINUTE = 60_000;
const MANUAL_COOLDOWN = 15 * MINUTE;
const FULL_COOLDOWN = 7 * DAY;

type SyncState = {
  health: SyncHealth;
  running: SyncProgress | null;
  runs: SyncRun[];
  script: SyncScript;
  step: number;
  /** Steps a held run may still take (a run's end counts as one). */
  released: number;
};

/** Sync health as a never-synced token reports it, overridden by `health`. */
export function syncHealth(health: Partial<SyncHealth> = {}): SyncHealth {
  return {
    lastSuccessAt: null,
    lastFullSyncAt: null,
    lastError: null,
    nextAutomaticAt: null,
    manualAllowedAt: null,
    fullAllowedAt: null,
    cursorAgeSeconds: null,
    deviceCount: 0,
    pacingExempt: false,
    ...health,
  };
}

type Options = {
  tokens?: TokenDetail[];
  /** Sync health per token id (device counts default to the token's). */
  sync?: Record<string, Partial<SyncHealth>>;
  /** Sync history per token id, newest first. */
  history?: Record<string, SyncRun[]>;
  audit?: AuditEntry[];
  keyProtection?: KeyProtection;
  simulatorUrl?: string | null;
  /** What `alerts.list` answers; not snoozed unless `snoozedUntil` says so. */
  alerts?: FakeAlert[];
  /** Apps and Books tokens (DEFAULT_VPP_TOKENS unless given) and which profiles use them. */
  vpp?: FakeVppOptions;
  /** Apple Business Manager API accounts and the organisation's devices (none unless given). */
  org?: FakeOrgOptions;
  /** The webhooks that receive alerts (none unless given). */
  webhooks?: FakeWebhookOptions;
};

/** What the organisation API fake starts with. */
export type FakeOrgOptions = {
  accounts?: OrgAccountDto[];
  devices?: OrgDeviceDto[];
  /** AppleCare coverage per serial. */
  coverage?: Record<string, CoverageDto[]>;
  activities?: OrgActivityDto[];
  /** Every org command answers FORBIDDEN (an account limited by scope tags). */
  forbidden?: boolean;
  /** Polls of `org.activity` an activity stays IN_PROGRESS (1 unless given). */
  activityPolls?: number;
};

/** An organisation API account as `org.list` returns it. */
export function orgAccount(account: Partial<OrgAccountDto> & { id: string }): OrgAccountDto {
  return {
    name: "Contoso ABM",
    kind: "business",
    clientId: "BUSINESSAPI.1111-2222",
    keyId: "KEY-1",
    apiUrl: "apple",
    lastSyncAt: "2026-05-31T22:00:00Z",
    lastError: null,
    failingSince: null,
    nextSyncAt: "2026-06-01T10:00:00Z",
    devices: 0,
    assigned: 0,
    unassigned: 0,
    released: 0,
    servers: [],
    ...account,
  };
}

/** A device of the organisation, unassigned unless said otherwise. */
export function orgDevice(device: Partial<OrgDeviceDto> & { serial: string }): OrgDeviceDto {
  return {
    status: "UNASSIGNED",
    serverId: null,
    serverName: null,
    tokenId: null,
    model: "MacBook Air 13-inch (M3)",
    family: "Mac",
    color: "MIDNIGHT",
    capacity: "256GB",
    partNumber: "MRXN3LL/A",
    orderNumber: "ORD-1",
    orderedAt: "2026-01-15T00:00:00Z",
    purchaseSourceType: "RESELLER",
    purchaseSourceId: "123456",
    addedAt: "2026-01-20T00:00:00Z",
    updatedAt: "2026-01-20T00:00:00Z",
    releasedAt: null,
    ...device,
  };
}

/** An alert as a test writes it: the snooze fields may be left out (not snoozed). */
export type FakeAlert = Omit<AlertDto, "snoozedUntil" | "snoozedBy"> &
  Partial<Pick<AlertDto, "snoozedUntil" | "snoozedBy">>;

/** A full AlertDto from a test's: not snoozed unless it says so. */
export function fakeAlert(alert: FakeAlert): AlertDto {
  return { snoozedUntil: null, snoozedBy: null, ...alert };
}

/** What Apple (or the simulator) says when a token is checked again. */
export type Verdict = "ok" | "termsNotAccepted" | "rejected";

/**
 * A stateful stand-in for Depot's backend: tokens, the pending key, the audit
 * log and demo mode behave like the real commands, so a test can walk the
 * whole flow and see its effects on other pages.
 */
export function fakeDepot(options: Options = {}) {
  const state = {
    tokens: [...(options.tokens ?? [])],
    audit: [...(options.audit ?? [])],
    pendingKey: null as PendingKey | null,
    keysMade: 0,
    simulatorUrl: options.simulatorUrl ?? null,
    nextAuditId: 1000,
    /** tokens.check answers; a token not listed is fine. */
    verdicts: {} as Record<string, Verdict>,
    filesIssued: 0,
    sync: {} as Record<string, SyncState>,
    nextRunId: 1,
    /** What `alerts.list` answers (the backend computes them; tests set them). */
    alerts: (options.alerts ?? []).map(fakeAlert),
  };

  /** Sync times follow the (possibly faked) clock, so countdowns line up with the UI's. */
  const iso = (ms: number) => new Date(ms).toISOString();

  const syncOf = (token: TokenDetail): SyncState => {
    const id = token.summary.id;
    state.sync[id] ??= {
      health: syncHealth({ deviceCount: token.summary.deviceCount, ...options.sync?.[id] }),
      running: null,
      runs: [...(options.history?.[id] ?? [])],
      script: { steps: [{ pages: 1, added: 2 }] },
      step: 0,
      released: 0,
    };
    return state.sync[id];
  };

  /** One poll: a running sync moves a step on, or ends once its steps are done. */
  const advance = (token: TokenDetail) => {
    const sync = syncOf(token);
    const run = sync.running;
    if (!run) return;
    const current = sync.runs.find((r) => r.id === run.runId);
    const now = clockNow();
    const finish = (result: SyncRun["result"], error?: SyncError) => {
      sync.running = null;
      if (current) {
        Object.assign(current, {
          result,
          finishedAt: iso(now),
          pages: run.pages,
          added: run.added,
          modified: run.modified,
          removed: run.removed,
          errorCode: error?.code ?? null,
          error: error?.message ?? null,
        });
      }
    };
    if (run.cancelling) {
      finish("cancelled");
      return;
    }
    if (sync.script.held) {
      if (sync.released <= 0) return;
      sync.released -= 1;
    }
    const step = sync.script.steps[sync.step];
    if (step) {
      sync.step += 1;
      run.pages += step.pages ?? 1;
      run.added += step.added ?? 0;
      run.modified += step.modified ?? 0;
      run.removed += step.removed ?? 0;
      return;
    }
    if (sync.script.fail) {
      const error = { ...sync.script.fail, at: iso(now) };
      sync.health = { ...sync.health, lastError: error };
      finish("failed", error);
      return;
    }
    const deviceCount = sync.health.deviceCount + run.added - run.removed;
    sync.health = {
      ...sync.health,
      lastSuccessAt: iso(now),
      lastFullSyncAt: run.kind === "full" ? iso(now) : sync.health.lastFullSyncAt,
      fullAllowedAt:
        run.kind === "full" && !sync.health.pacingExempt
          ? iso(now + FULL_COOLDOWN)
          : sync.health.fullAllowedAt,
      cursorAgeSeconds: 0,
      deviceCount,
    };
    token.summary = { ...token.summary, deviceCount };
    finish("ok");
  };

  const syncStatus = (token: TokenDetail) => {
    advance(token);
    const sync = syncOf(token);
    return {
      tokenId: token.summary.id,
      running: sync.running ? { ...sync.running } : null,
      health: { ...sync.health },
    };
  };

  const record = (action: string, object: string, after: unknown) => {
    state.audit.unshift({
      id: String(state.nextAuditId++),
      at: new Date(clockNow()).toISOString(),
      operator: "admin",
      action,
      object,
      before: null,
      after: after === null ? null : JSON.stringify(after),
    });
  };

  const open = (
    file: TokenFile,
    key: string | null,
    appleUrl: string | undefined,
  ): PortalServer | { code: ErrorCode } => {
    if (file.contents.startsWith(ERROR_PREFIX)) {
      return { code: file.contents.slice(ERROR_PREFIX.length) as ErrorCode };
    }
    if (!file.contents.startsWith(FILE_PREFIX)) return { code: "NOT_A_TOKEN_FILE" };
    const server = JSON.parse(file.contents.slice(FILE_PREFIX.length)) as PortalServer;
    if (server.forKey !== undefined && server.forKey !== key) return { code: "WRONG_KEY" };
    // A file from the simulated portal means nothing to Apple, and the other way round.
    if ((server.simulator ?? false) !== (appleUrl === SIMULATOR)) return { code: "APPLE_REJECTED" };
    return server;
  };

  const preview = (server: PortalServer): TokenPreview => ({
    serverName: server.serverName,
    serverUuid: server.serverUuid,
    orgName: server.orgName,
    orgId: "1234567",
    orgType: "org",
    adminId: server.adminId,
    expiresAt: server.expiresAt,
    daysLeft: daysLeft(server.expiresAt),
    appleUrl: server.simulator ? SIMULATOR : "https://mdmenrollment.apple.com",
    simulator: server.simulator ?? false,
    existingTokenId:
      state.tokens.find((t) => t.serverUuid === server.serverUuid)?.summary.id ?? null,
  });

  const find = (id: string) => state.tokens.find((t) => t.summary.id === id);

  const matches = (entry: AuditEntry, { action, object, operator, from, to }: AuditFilter = {}) =>
    (action === undefined || entry.action === action) &&
    (object === undefined || entry.object.toLowerCase().includes(object.toLowerCase())) &&
    (operator === undefined || entry.operator.toLowerCase().includes(operator.toLowerCase())) &&
    (from === undefined || entry.at.slice(0, 10) >= from.slice(0, 10)) &&
    (to === undefined || entry.at.slice(0, 10) <= to.slice(0, 10));

  const vpp = fakeVpp(options.vpp);
  const org = fakeOrg(options.org ?? {}, record);
  const webhooks = fakeWebhooks(options.webhooks);

  const handlers: Handlers = {
    ...vpp.handlers,
    ...org.handlers,
    ...webhooks.handlers,
    "alerts.list": () => ({ alerts: state.alerts }),
    // New objects each time, as over the wire: the UI's cache must not share them.
    "alerts.snooze": ({ key, hours }) => {
      if (!state.alerts.some((a) => a.key === key)) {
        return failure("NOT_FOUND", `No alert with key ${key}.`);
      }
      const until = new Date(clockNow() + hours * 3_600_000).toISOString();
      state.alerts = state.alerts.map((a) =>
        a.key === key ? { ...a, snoozedUntil: until, snoozedBy: "admin@example.org" } : a,
      );
      return { alerts: state.alerts };
    },
    "alerts.unsnooze": ({ key }) => {
      if (!state.alerts.some((a) => a.key === key)) {
        return failure("NOT_FOUND", `No alert with key ${key}.`);
      }
      state.alerts = state.alerts.map((a) =>
        a.key === key ? { ...a, snoozedUntil: null, snoozedBy: null } : a,
      );
      return { alerts: state.alerts };
    },
    "workspace.info": () => ({
      path: "/home/admin/.local/share/depot/workspace.sqlite",
      schemaVersion: 4,
      counts: {
        tokens: state.tokens.length,
        profiles: state.tokens.reduce((n, t) => n + t.summary.profileCount, 0),
        devices: state.tokens.reduce((n, t) => n + t.summary.deviceCount, 0),
        auditEntries: state.audit.length,
      },
      keyProtection: options.keyProtection ?? "keychain",
      simulatorUrl: state.simulatorUrl,
    }),
    "tokens.list": () => ({ tokens: state.tokens.map((t) => t.summary) }),
    "tokens.get": ({ id }) => find(id) ?? failure("NOT_FOUND", `There is no token with id ${id}.`),
    "tokens.pendingKey": () => ({ pending: state.pendingKey }),
    "tokens.generateKey": ({ replace }) => {
      if (state.pendingKey && !replace) return state.pendingKey;
      state.keysMade += 1;
      const n = String(state.keysMade).padStart(2, "0");
      state.pendingKey = {
        createdAt: new Date(clockNow()).toISOString(),
        certificateExpiresAt: "2027-06-01T00:00:00Z",
        subject: "CN=Depot (workspace test)",
        fingerprint: `AB:CD:EF:${n}`,
        certificatePem: `-----BEGIN CERTIFICATE-----\nKEY${n}\n-----END CERTIFICATE-----\n`,
        fileName: "Depot_public_key.pem",
      };
      return state.pendingKey;
    },
    "tokens.inspect": ({ file, appleUrl }) => {
      if (!state.pendingKey)
        return failure("NO_PENDING_KEY", "No key pair is waiting for a token.");
      const opened = open(file, state.pendingKey.fingerprint, appleUrl);
      if ("code" in opened) return failure(opened.code, `The file failed with ${opened.code}.`);
      return preview(opened);
    },
    "tokens.add": ({ file, appleId, scopeTags, appleUrl }) => {
      if (!state.pendingKey)
        return failure("NO_PENDING_KEY", "No key pair is waiting for a token.");
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(appleId)) {
        return failure("INVALID_INPUT", "appleId: not an email address");
      }
      const opened = open(file, state.pendingKey.fingerprint, appleUrl);
      if ("code" in opened) return failure(opened.code, `The file failed with ${opened.code}.`);
      const existing = state.tokens.find((t) => t.serverUuid === opened.serverUuid);
      if (existing) {
        return failure(
          "DUPLICATE_TOKEN",
          `The MDM server '${existing.summary.serverName}' already has a token; renew it instead.`,
        );
      }
      const id = `tok-${state.tokens.length + 1}`;
      const detail = tokenDetail(
        {
          id,
          serverName: opened.serverName,
          orgName: opened.orgName,
          appleId,
          expiresAt: opened.expiresAt,
          simulator: opened.simulator ?? false,
          scopeTags: scopeTags ?? [],
        },
        {
          serverUuid: opened.serverUuid,
          adminId: opened.adminId,
          keyFingerprint: state.pendingKey.fingerprint,
          createdAt: new Date(clockNow()).toISOString(),
          appleUrl: preview(opened).appleUrl,
        },
      );
      state.tokens.push(detail);
      state.pendingKey = null;
      record("token.add", opened.serverName, { serverName: opened.serverName });
      return detail.summary;
    },
    "tokens.renew": ({ id, file, appleId, force }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      if (appleId.toLowerCase() !== token.summary.appleId.toLowerCase()) {
        return failure(
          "APPLE_ID_MISMATCH",
          `This token was created with a different Apple ID (${token.summary.appleId}).`,
        );
      }
      // Renewing talks to wherever the token already talks to.
      const opened = open(
        file,
        token.keyFingerprint,
        token.summary.simulator ? SIMULATOR : token.appleUrl,
      );
      if ("code" in opened) return failure(opened.code, `The file failed with ${opened.code}.`);
      if (opened.serverUuid !== token.serverUuid && force !== true) {
        return failure(
          "OTHER_SERVER",
          `This file belongs to the MDM server '${opened.serverName}', not '${token.summary.serverName}'.`,
        );
      }
      token.summary = {
        ...token.summary,
        expiresAt: opened.expiresAt,
        daysLeft: daysLeft(opened.expiresAt),
        status: statusFor(opened.expiresAt),
      };
      token.serverUuid = opened.serverUuid;
      token.renewedAt = new Date(clockNow()).toISOString();
      record("token.renew", token.summary.serverName, {
        expiresAt: opened.expiresAt,
        force: force === true,
      });
      return token.summary;
    },
    "tokens.setScopeTags": ({ id, scopeTags }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      token.summary = { ...token.summary, scopeTags };
      record("token.scopeTags", token.summary.serverName, { scopeTags });
      return token.summary;
    },
    "tokens.delete": ({ id }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      if (token.deleteBlockers.length > 0) {
        return failure(
          "TOKEN_IN_USE",
          `this token cannot be deleted yet: ${token.deleteBlockers.map((b) => b.message).join("; ")}`,
        );
      }
      state.tokens = state.tokens.filter((t) => t !== token);
      record("token.delete", token.summary.serverName, null);
      return {};
    },
    "tokens.check": ({ id }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      const verdict = state.verdicts[id] ?? "ok";
      token.summary = {
        ...token.summary,
        status: verdict === "ok" ? statusFor(token.summary.expiresAt) : verdict,
      };
      return token.summary;
    },
    "sync.overview": () => ({
      tokens: state.tokens.map((t) => ({ token: t.summary, status: syncStatus(t) })),
    }),
    "sync.status": ({ id }) => {
      const token = find(id);
      return token ? syncStatus(token) : failure("NOT_FOUND", `There is no token with id ${id}.`);
    },
    "sync.history": ({ id }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      return { runs: syncOf(token).runs.map((r) => ({ ...r })) };
    },
    "sync.start": ({ id, full }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      const sync = syncOf(token);
      const now = clockNow();
      if (sync.running) {
        return failure("SYNC_RUNNING", "A sync of this token is already running.");
      }
      const exempt = sync.health.pacingExempt;
      const manual = Date.parse(sync.health.manualAllowedAt ?? "") || 0;
      if (!exempt && manual > now) {
        return failure(
          "SYNC_TOO_SOON",
          `A manual sync of this token is allowed again at ${new Date(manual).toISOString().slice(11, 16)} UTC.`,
        );
      }
      const fullAt = Date.parse(sync.health.fullAllowedAt ?? "") || 0;
      if (full === true && !exempt && fullAt > now) {
        return failure(
          "SYNC_TOO_SOON",
          `Apple allows one full sync every 7 days; the next is allowed on ${new Date(fullAt).toISOString().slice(0, 10)}.`,
        );
      }
      const runId = `run-${state.nextRunId++}`;
      const kind = full === true ? "full" : "delta";
      sync.running = {
        runId,
        kind,
        phase: kind === "full" ? "fetch" : "sync",
        startedAt: iso(now),
        pages: 0,
        added: 0,
        modified: 0,
        removed: 0,
        cancelling: false,
      };
      sync.step = 0;
      sync.health = {
        ...sync.health,
        manualAllowedAt: exempt ? null : iso(now + MANUAL_COOLDOWN),
      };
      sync.runs.unshift({
        id: runId,
        kind,
        trigger: "manual",
        startedAt: iso(now),
        finishedAt: null,
        result: "running",
        pages: 0,
        added: 0,
        modified: 0,
        removed: 0,
        errorCode: null,
        error: null,
      });
      return { runId };
    },
    "sync.cancel": ({ id }) => {
      const token = find(id);
      if (!token) return failure("NOT_FOUND", `There is no token with id ${id}.`);
      const sync = syncOf(token);
      if (sync.running) sync.running.cancelling = true;
      return {};
    },
    "demo.issueToken": ({ forToken }) => {
      state.filesIssued += 1;
      const stamp = `2026-06-01T00-00-${String(state.filesIssued).padStart(2, "0")}Z`;
      const expiresAt = new Date(clockNow() + 365 * DAY).toISOString().replace(".000", "");
      const issue = (server: PortalServer) => ({
        file: portalFile(
          server,
          `${server.serverName.replace(/ /g, "_")}_Token_${stamp}_smime.p7m`,
        ),
        appleUrl: SIMULATOR,
      });
      if (forToken !== undefined) {
        const token = find(forToken);
        if (!token) return failure("NOT_FOUND", `There is no token with id ${forToken}.`);
        if (!token.summary.simulator) {
          return failure(
            "INVALID_INPUT",
            "forToken: this token comes from Apple; download its new token in Apple's portal",
          );
        }
        return issue({
          serverName: token.summary.serverName,
          serverUuid: token.serverUuid,
          orgName: token.summary.orgName,
          adminId: token.adminId,
          expiresAt,
          simulator: true,
          forKey: token.keyFingerprint,
        });
      }
      if (!state.pendingKey)
        return failure("NO_PENDING_KEY", "No key pair is waiting for a token.");
      const taken = state.tokens.map((t) => t.summary.serverName);
      const serverName = SIMULATED_SERVERS.find((name) => !taken.includes(name));
      if (!serverName) {
        return failure("LIMIT_REACHED", "every simulated MDM server already has a token");
      }
      return issue({
        serverName,
        serverUuid: `SIM-${serverName.split(" ").at(-2)?.toUpperCase() ?? "X"}`,
        orgName: "Contoso Ltd (simulated)",
        adminId: "admin@contoso.example",
        expiresAt,
        simulator: true,
        forKey: state.pendingKey.fingerprint,
      });
    },
    "demo.start": () => {
      const detail = tokenDetail(
        {
          id: "tok-demo",
          serverName: "Simulator — Contoso Demo",
          orgName: "Contoso Demo (Simulator)",
          appleId: "demo@contoso.example",
          expiresAt: "2027-06-01T00:00:00Z",
          simulator: true,
          deviceCount: 2500,
        },
        { appleUrl: SIMULATOR },
      );
      state.tokens.push(detail);
      state.simulatorUrl = "http://127.0.0.1:7000";
      record("token.add", detail.summary.serverName, { simulator: true });
      return { token: detail.summary, simulatorUrl: state.simulatorUrl };
    },
    "audit.list": ({ filter, before, limit }) => {
      const all = state.audit.filter((entry) => matches(entry, filter));
      const start = before === undefined ? 0 : all.findIndex((entry) => entry.id === before) + 1;
      const size = limit ?? 100;
      const entries = all.slice(start, start + size);
      const more = start + size < all.length;
      return {
        entries,
        nextBefore: more ? (entries[entries.length - 1]?.id ?? null) : null,
        actions: [...new Set(state.audit.map((entry) => entry.action))].sort(),
      };
    },
    "audit.export": ({ filter }) => {
      const rows = state.audit.filter((entry) => matches(entry, filter));
      const csv = [
        "at,operator,action,object",
        ...rows.map((e) => [e.at, e.operator, e.action, e.object].join(",")),
      ].join("\n");
      return { rows: rows.length, csv };
    },
  };

  /** Scripts the next run of a token: its steps (one per poll) and how it ends. */
  const scriptSync = (id: string, script: SyncScript) => {
    const token = find(id);
    if (token) syncOf(token).script = script;
  };

  /** Lets a held run take `steps` more steps. */
  const releaseSync = (id: string, steps = 1) => {
    const token = find(id);
    if (token) syncOf(token).released += steps;
  };

  return {
    handlers,
    state,
    vpp: vpp.state,
    org: org.state,
    webhooks: webhooks.state,
    scriptSync,
    releaseSync,
  };
}

/** The organisation API (org.*): accounts, devices, previews and activities that end after a few polls. */
function fakeOrg(
  options: FakeOrgOptions,
  record: (action: string, object: string, after: unknown) => void,
) {
  const state = {
    accounts: [...(options.accounts ?? [])],
    devices: [...(options.devices ?? [])],
    coverage: { ...(options.coverage ?? {}) },
    activities: [...(options.activities ?? [])],
    forbidden: options.forbidden ?? false,
    polls: {} as Record<string, number>,
    nextId: 1,
  };
  const iso = () => new Date(clockNow()).toISOString();
  const copy = <T>(value: T): T => structuredClone(value);
  const servers = () => state.accounts.flatMap((a) => a.servers);
  const serverOf = (key: string) => servers().find((s) => s.id === key || s.name === key);
  const recount = () => {
    for (const account of state.accounts) {
      const ids = new Set(account.servers.map((s) => s.id));
      for (const server of account.servers) {
        server.devices = state.devices.filter(
          (d) => d.serverId === server.id && d.releasedAt === null,
        ).length;
      }
      const mine = state.devices.filter((d) => d.serverId === null || ids.has(d.serverId));
      account.devices = mine.length;
      account.released = mine.filter((d) => d.releasedAt !== null).length;
      account.assigned = mine.filter((d) => d.status === "ASSIGNED").length;
      account.unassigned = mine.filter(
        (d) => d.status === "UNASSIGNED" && d.releasedAt === null,
      ).length;
    }
  };
  const filtered = ({ status, server, search, limit }: OrgDeviceListRequest) => {
    const wanted = server === undefined ? undefined : serverOf(server)?.id;
    const needle = search?.toLowerCase();
    const rows = state.devices.filter(
      (d) =>
        (status === undefined || d.status === status.toUpperCase()) &&
        (server === undefined || d.serverId === wanted) &&
        (needle === undefined ||
          [d.serial, d.model, d.family, d.orderNumber, d.color].some((f) =>
            f.toLowerCase().includes(needle),
          )),
    );
    return limit === undefined ? rows : rows.slice(0, limit);
  };
  const preview = ({ kind, server, serials }: OrgActivityRequest) => {
    const target = serverOf(server);
    if (!target) return null;
    const out = {
      serverId: target.id,
      serverName: target.name,
      tokenId: target.tokenId,
      willChange: [] as string[],
      already: [] as string[],
      otherServer: [] as { serial: string; server: string }[],
      released: [] as string[],
      unknown: [] as string[],
    };
    for (const serial of serials) {
      const device = state.devices.find((d) => d.serial === serial);
      if (!device) out.unknown.push(serial);
      else if (device.releasedAt !== null) out.released.push(serial);
      else if (kind === "unassign") {
        (device.serverId === target.id ? out.willChange : out.already).push(serial);
      } else if (device.serverId === target.id) out.already.push(serial);
      else if (device.serverId !== null) {
        out.otherServer.push({ serial, server: device.serverName ?? device.serverId });
      } else out.willChange.push(serial);
    }
    return out;
  };
  const finish = (activity: OrgActivityDto) => {
    const target = serverOf(activity.serverId);
    for (const serial of activity.serials) {
      const device = state.devices.find((d) => d.serial === serial);
      if (!device) continue;
      if (activity.kind === "assign") {
        Object.assign(device, {
          status: "ASSIGNED",
          serverId: activity.serverId,
          serverName: activity.serverName,
          tokenId: target?.tokenId ?? null,
        });
      } else {
        Object.assign(device, {
          status: "UNASSIGNED",
          serverId: null,
          serverName: null,
          tokenId: null,
        });
      }
    }
    recount();
    Object.assign(activity, {
      status: "COMPLETED",
      subStatus: "COMPLETED_WITH_SUCCESS",
      finishedAt: iso(),
      results: activity.serials.map((serial) => ({ serial, result: "SUCCESS", message: "" })),
      tokenSynced: (target?.tokenId ?? null) !== null,
    });
  };
  const forbidden = () =>
    failure(
      "FORBIDDEN",
      "your account is limited by scope tags; the organisation API needs all of them",
    );
  const guard =
    <Req, Res>(handler: (request: Req) => Res) =>
    (request: Req) =>
      state.forbidden ? forbidden() : handler(request);

  const handlers: Handlers = {
    "org.list": guard(() => ({ accounts: copy(state.accounts) })),
    "org.get": guard(({ id }: { id: string }) => {
      const account = state.accounts.find((a) => a.id === id);
      return account ? copy(account) : failure("NOT_FOUND", `No organisation account ${id}.`);
    }),
    "org.add": guard(({ name, clientId, keyId, key, school, apiUrl }) => {
      if (!key.contents.includes("PRIVATE KEY")) {
        return failure("INVALID_INPUT", "key: not a PEM private key");
      }
      const account = orgAccount({
        id: `org-${state.nextId++}`,
        name: name ?? clientId,
        kind: school ? "school" : "business",
        clientId,
        keyId,
        apiUrl: apiUrl ?? "apple",
        lastSyncAt: null,
      });
      state.accounts.push(account);
      record("org.add", account.name, { clientId });
      return copy(account);
    }),
    "org.remove": guard(({ id }: { id: string }) => {
      state.accounts = state.accounts.filter((a) => a.id !== id);
      return {};
    }),
    "org.sync": guard(({ id }: { id?: string }) => {
      for (const account of state.accounts) {
        if (id === undefined || account.id === id) account.lastSyncAt = iso();
      }
      recount();
      return { accounts: copy(state.accounts) };
    }),
    "org.devices": guard((request: OrgDeviceListRequest) => ({
      devices: copy(filtered(request)),
    })),
    "org.export": guard((request: OrgDeviceListRequest) => {
      const rows = filtered({ ...request, limit: Number.MAX_SAFE_INTEGER });
      const text = [
        "serial,status,server",
        ...rows.map((d) => `${d.serial},${d.status},${d.serverName ?? ""}`),
      ].join("\n");
      return { rows: rows.length, text };
    }),
    "org.device": guard(({ serial }: { serial: string }) => {
      const device = state.devices.find((d) => d.serial === serial);
      if (!device) return failure("NOT_FOUND", `No device ${serial} in the organisation.`);
      return { device: copy(device), coverage: copy(state.coverage[serial] ?? []) };
    }),
    "org.preview": guard((request: OrgActivityRequest) => {
      const out = preview(request);
      return out ?? failure("NOT_FOUND", `No MDM server ${request.server}.`);
    }),
    "org.start": guard((request: OrgActivityRequest) => {
      const out = preview(request);
      if (!out) return failure("NOT_FOUND", `No MDM server ${request.server}.`);
      const serials = [...out.willChange, ...out.otherServer.map((s) => s.serial)];
      const activity: OrgActivityDto = {
        id: `act-${state.nextId++}`,
        kind: request.kind,
        serverId: out.serverId,
        serverName: out.serverName,
        serials,
        status: "IN_PROGRESS",
        subStatus: "SUBMITTED",
        results: [],
        error: null,
        operator: "admin",
        createdAt: iso(),
        finishedAt: null,
        tokenSynced: false,
      };
      state.activities.unshift(activity);
      state.polls[activity.id] = options.activityPolls ?? 1;
      return { activities: [copy(activity)] };
    }),
    "org.activities": guard(() => ({ activities: copy(state.activities) })),
    "org.activity": guard(({ id }: { id: string }) => {
      const activity = state.activities.find((a) => a.id === id);
      if (!activity) return failure("NOT_FOUND", `No activity ${id}.`);
      if (activity.finishedAt === null) {
        const left = state.polls[id] ?? 0;
        if (left > 0) {
          state.polls[id] = left - 1;
          activity.subStatus = "PROCESSING";
        } else finish(activity);
      }
      return copy(activity);
    }),
  };
  return { handlers, state };
}
