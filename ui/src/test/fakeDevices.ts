import { vi } from "vitest";
import type { AssignmentResult } from "../bindings/AssignmentResult";
import type { AssignmentRun } from "../bindings/AssignmentRun";
import type { BadRowDto } from "../bindings/BadRowDto";
import type { DeviceFactsDto } from "../bindings/DeviceFactsDto";
import type { DeviceHistoryEntry } from "../bindings/DeviceHistoryEntry";
import type { DeviceQueryDto } from "../bindings/DeviceQueryDto";
import type { DeviceRow } from "../bindings/DeviceRow";
import type { DeviceSyncEvent } from "../bindings/DeviceSyncEvent";
import type { FacetValue } from "../bindings/FacetValue";
import type { PreviewClass } from "../bindings/PreviewClass";
import type { PreviewRowDto } from "../bindings/PreviewRowDto";
import type { ProfileSummary } from "../bindings/ProfileSummary";
import { now as clockNow } from "../platform/clock";
import { failure, type Handlers } from "./fakeBackend";
import type { fakeDepot } from "./fakeDepot";
import type { fakeProfiles } from "./fakeProfiles";
import { assignmentRefusal } from "./profileRules";

// A stateful stand-in for the devices.* commands and for assignment runs
// started from the device list: generated devices, keyset pages with an opaque
// cursor, facets that ignore their own filter, the serial-list preview and
// runs that answer a part of their serials at every poll.

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** A device as the fake keeps it: the list row plus what the detail shows. */
export type FakeDevice = DeviceRow & {
  renderedName: string | null;
  addedAt: string | null;
  appleChangedAt: string | null;
  updatedAt: string | null;
  cooldownUntil: string | null;
  events: DeviceSyncEvent[];
  history: DeviceHistoryEntry[];
  /** Apple's protocol-10 facts; `replacement` is what `devices.replacement` answers. */
  facts: DeviceFactsDto;
};

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, "0");

/**
 * The i-th device's facts: iPhones have an IMEI and an EID, every device a
 * Wi-Fi and a Bluetooth MAC, every 40th (from the 13th) is a replacement.
 */
function generateFacts(i: number, family: string): DeviceFactsDto {
  const phone = family === "iPhone";
  const mac = (kind: number) => `f0:18:${hex2(kind)}:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`;
  const replacement = i % 40 === 13;
  return {
    imei: phone ? [`35${String(i).padStart(13, "0")}`] : [],
    meid: [],
    eid: phone ? `8904${String(i).padStart(28, "0")}` : null,
    wifiMac: mac(1),
    bluetoothMac: mac(2),
    ethernetMac: null,
    isReplacement: replacement,
    releasedByReplacement: false,
    replacement: replacement
      ? { originalSerial: `ORIG${String(i).padStart(6, "0")}`, replacedOn: "2026-01-15" }
      : null,
  };
}

/** A search word's identifier key (hex digits, no separators), if it can be one. */
function identifierKey(word: string): string | null {
  if (!/^[0-9a-fA-F:.-]+$/.test(word)) return null;
  const key = word.replace(/[:.-]/g, "").toUpperCase();
  return key.length >= 6 ? key : null;
}

function identifierKeys(f: DeviceFactsDto): string[] {
  return [...f.imei, ...f.meid, f.eid, f.wifiMac, f.bluetoothMac, f.ethernetMac]
    .filter((v): v is string => v !== null)
    .map((v) => v.replace(/[:. -]/g, "").toUpperCase());
}

const MODELS = [
  {
    model: "iPad (10th generation)",
    family: "iPad",
    os: "iPadOS 17.5",
    description: "IPAD WI-FI 64GB",
  },
  { model: "iPhone 15", family: "iPhone", os: "iOS 17.5", description: "IPHONE 15 128GB" },
  { model: "iPad Air", family: "iPad", os: "iPadOS 17.4", description: "IPAD AIR WI-FI 256GB" },
  { model: "MacBook Air", family: "Mac", os: "macOS 14.5", description: "MACBOOK AIR 13-INCH M3" },
  { model: "iPhone SE", family: "iPhone", os: "iOS 16.7", description: "IPHONE SE 64GB" },
];
const COLORS = ["Silver", "Space Gray", "Blue", "Starlight"];
const PREFIXES = ["F9FX", "DMPX", "C02X", "H4TX"];
const STATUSES = ["empty", "assigned", "pushed", "empty", "assigned"];

/** The i-th generated serial: a prefix, then six digits (10 characters). */
export function fakeSerial(i: number): string {
  return `${PREFIXES[i % PREFIXES.length] ?? "F9FX"}${String(i).padStart(6, "0")}`;
}

type TokenRef = { id: string; name: string };

/**
 * `count` devices spread over `tokens` (round robin). Deterministic: every
 * 50th device is removed, every 7th has a successful run, every 23rd failed
 * and is cooling down.
 */
export function generateDevices(count: number, tokens: readonly TokenRef[]): FakeDevice[] {
  return Array.from({ length: count }, (_, i) => {
    const token = tokens[i % tokens.length] ?? { id: "1", name: "Token" };
    const kind = MODELS[i % MODELS.length] ?? MODELS[0];
    const status = STATUSES[i % STATUSES.length] ?? "empty";
    const assignedAt = iso(clockNow() - ((i * 37) % 400) * DAY);
    const ran = i % 7 === 0 ? "SUCCESS" : i % 23 === 0 ? "FAILED" : null;
    return {
      tokenId: token.id,
      tokenName: token.name,
      serial: fakeSerial(i),
      model: kind?.model ?? "iPad",
      description: kind?.description ?? "",
      color: COLORS[i % COLORS.length] ?? "Silver",
      assetTag: i % 3 === 0 ? `AT-${i}` : null,
      os: kind?.os ?? null,
      family: kind?.family ?? "iPad",
      profileStatus: status,
      profileUuid: status === "empty" ? null : `APPLE-UUID-${i % 3}`,
      depotProfileId: null,
      depotProfileName: null,
      depotProfileVersion: null,
      profileAssignedAt: status === "empty" ? null : assignedAt,
      profilePushedAt: status === "pushed" ? assignedAt : null,
      assignedAt,
      assignedBy: "abm-admin@contoso.example",
      removedAt: i % 50 === 49 ? iso(clockNow() - 2 * DAY) : null,
      lastResult: ran,
      lastResultAt: ran === null ? null : iso(clockNow() - DAY),
      lastRunId: ran === null ? null : "seed-run",
      renderedName: null,
      addedAt: iso(clockNow() - 30 * DAY),
      appleChangedAt: assignedAt,
      updatedAt: iso(clockNow() - DAY),
      cooldownUntil: ran === "FAILED" ? iso(clockNow() + DAY / 2) : null,
      events: [
        ...(status === "empty"
          ? []
          : [
              {
                at: iso(clockNow() - DAY),
                appleAt: assignedAt,
                kind: "modified",
                reason: null,
                changes: [{ field: "profile_status", before: "empty", after: status }],
              },
            ]),
        {
          at: iso(clockNow() - 30 * DAY),
          appleAt: null,
          kind: "added",
          reason: null,
          changes: [],
        },
      ],
      history: [],
      facts: generateFacts(i, kind?.family ?? "iPad"),
    };
  });
}

type Options = {
  /** Generated devices (default 300), spread over the depot's tokens. */
  count?: number;
  /** Devices of the test's own, added after the generated ones. */
  devices?: (Partial<FakeDevice> & { serial: string; tokenId: string })[];
  /** The profile fake, for profile names, versions and upload state. */
  profiles?: ReturnType<typeof fakeProfiles>;
};

type Facet = "token" | "status" | "profile" | "family" | "model" | "lastResult";

type Run = { run: AssignmentRun; results: AssignmentResult[] };

const SORT_FIELD = {
  serial: (d: DeviceRow) => d.serial,
  model: (d: DeviceRow) => d.model,
  assignedDate: (d: DeviceRow) => d.assignedAt ?? "",
  status: (d: DeviceRow) => d.profileStatus,
} as const;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Adds the device commands (and assignment runs started from them) to a
 * `fakeDepot`: `{ ...depot.handlers, ...profiles.handlers, ...devices.handlers }`.
 */
export function fakeDevices(depot: ReturnType<typeof fakeDepot>, options: Options = {}) {
  const tokenRefs = depot.state.tokens.map((t) => ({
    id: t.summary.id,
    name: t.summary.serverName,
  }));
  const profileList = (): ProfileSummary[] => {
    const answer = options.profiles?.handlers["profiles.list"]?.({});
    return answer && "profiles" in answer ? answer.profiles : [];
  };

  const generated = generateDevices(options.count ?? 300, tokenRefs);
  // Devices on a status with a profile get the token's first Depot profile, if it has one.
  for (const device of generated) {
    if (device.profileStatus === "empty" || device.profileStatus === "removed") continue;
    const profile = profileList().find((p) => p.tokenId === device.tokenId);
    if (!profile) continue;
    Object.assign(device, {
      depotProfileId: profile.id,
      depotProfileName: profile.name,
      depotProfileVersion: profile.version,
      profileUuid: profile.upload.appleUuid,
      renderedName: `${device.family}-${device.serial}`,
    });
  }
  const own = (options.devices ?? []).map((seed) => {
    const base = generateDevices(1, tokenRefs)[0] as FakeDevice;
    const token = tokenRefs.find((t) => t.id === seed.tokenId);
    return {
      ...base,
      lastResult: null,
      lastResultAt: null,
      lastRunId: null,
      cooldownUntil: null,
      removedAt: null,
      tokenName: token?.name ?? seed.tokenId,
      ...seed,
      history: [...(seed.history ?? [])],
    };
  });

  const state = {
    devices: [...generated, ...own],
    runs: new Map<string, Run>(),
    nextRun: 1,
    /** Outcomes Apple gives particular serials; SUCCESS for the others on the token. */
    outcomes: {} as Record<string, string>,
    /** Paths `devices.export` wrote to. */
    /** Serials per poll a run answers (all pending ones when 0). */
    answersPerPoll: 0,
    /** `devices.replacement` fails as if Apple were out of reach. */
    appleUnreachable: false,
    /** Serials `devices.replacement` was asked about. */
    replacementAsks: [] as string[],
    /** What `assignments.preview` warns about (the backend decides; e.g. too few licences). */
    previewWarnings: [] as string[],
  };

  const tokenName = (id: string) => tokenRefs.find((t) => t.id === id)?.name ?? id;
  const scopeTagsOf = (id: string) =>
    depot.state.tokens.find((t) => t.summary.id === id)?.summary.scopeTags ?? [];

  const matches = (d: FakeDevice, q: DeviceQueryDto, ignore?: Facet): boolean => {
    if (!q.includeRemoved && d.removedAt !== null) return false;
    if (ignore !== "token" && q.tokenId !== undefined && d.tokenId !== q.tokenId) return false;
    if (
      ignore !== "status" &&
      q.statuses?.length &&
      !q.statuses.some((s) => s === d.profileStatus)
    ) {
      return false;
    }
    if (ignore !== "profile" && q.profileId !== undefined) {
      if (q.profileId === "none" ? d.depotProfileId !== null : d.depotProfileId !== q.profileId) {
        return false;
      }
    }
    if (ignore !== "family" && q.families?.length && !q.families.includes(d.family)) return false;
    if (ignore !== "model" && q.models?.length && !q.models.includes(d.model)) return false;
    if (q.scopeTag !== undefined && !scopeTagsOf(d.tokenId).includes(q.scopeTag)) return false;
    if (
      q.enrollmentProfileName !== undefined &&
      (d.depotProfileName ?? "").toLowerCase() !== q.enrollmentProfileName.toLowerCase()
    ) {
      return false;
    }
    if (ignore !== "lastResult" && q.lastResult !== undefined && resultKey(d) !== q.lastResult) {
      return false;
    }
    if (q.serialPrefix !== undefined && !d.serial.startsWith(q.serialPrefix.toUpperCase())) {
      return false;
    }
    if (q.text !== undefined) {
      const haystack = [d.serial, d.model, d.description, d.color, d.assetTag ?? "", d.os ?? ""]
        .join(" ")
        .toLowerCase();
      const keys = identifierKeys(d.facts);
      const found = (word: string) => {
        if (haystack.includes(word)) return true;
        const key = identifierKey(word);
        return key !== null && keys.some((k) => k.startsWith(key));
      };
      if (!q.text.toLowerCase().split(/\s+/).every(found)) return false;
    }
    return true;
  };

  const resultKey = (d: DeviceRow) => (d.lastRunId === null ? "NONE" : (d.lastResult ?? "PENDING"));

  const sorted = (q: DeviceQueryDto) => {
    const field = SORT_FIELD[q.sort ?? "serial"];
    const direction = q.descending === true ? -1 : 1;
    return state.devices
      .filter((d) => matches(d, q))
      .sort(
        (a, b) =>
          direction *
          (compareText(field(a), field(b)) ||
            compareText(a.tokenId, b.tokenId) ||
            compareText(a.serial, b.serial)),
      );
  };

  /** The list row of a device: everything but the detail-only facts. */
  const row = (d: FakeDevice): DeviceRow => ({
    tokenId: d.tokenId,
    tokenName: d.tokenName,
    serial: d.serial,
    model: d.model,
    description: d.description,
    color: d.color,
    assetTag: d.assetTag,
    os: d.os,
    family: d.family,
    profileStatus: d.profileStatus,
    profileUuid: d.profileUuid,
    depotProfileId: d.depotProfileId,
    depotProfileName: d.depotProfileName,
    depotProfileVersion: d.depotProfileVersion,
    profileAssignedAt: d.profileAssignedAt,
    profilePushedAt: d.profilePushedAt,
    assignedAt: d.assignedAt,
    assignedBy: d.assignedBy,
    removedAt: d.removedAt,
    lastResult: d.lastResult,
    lastResultAt: d.lastResultAt,
    lastRunId: d.lastRunId,
  });

  const facet = (q: DeviceQueryDto, ignore: Facet, key: (d: FakeDevice) => [string, string]) => {
    const counts = new Map<string, FacetValue>();
    for (const d of state.devices) {
      if (!matches(d, q, ignore)) continue;
      const [value, label] = key(d);
      const entry = counts.get(value) ?? { value, label, count: 0 };
      entry.count += 1;
      counts.set(value, entry);
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || compareText(a.value, b.value));
  };

  const csv = (rows: FakeDevice[]) =>
    [
      "serial,model,description,color,os,family,profile_status,depot_profile,token",
      ...rows.map((d) =>
        [
          d.serial,
          d.model,
          d.description,
          d.color,
          d.os ?? "",
          d.family,
          d.profileStatus,
          d.depotProfileName ?? "",
          d.tokenName,
        ].join(","),
      ),
    ].join("\n");

  /** One serial per line, or CSV with a header naming the serial column (like the backend). */
  const parse = (text: string) => {
    const lines = text
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .map((line, i) => ({ line: i + 1, text: line.trim() }))
      .filter((l) => l.text !== "" && !l.text.startsWith("#"));
    const first = lines[0]?.text ?? "";
    const separator = [",", ";", "\t"].find((s) => first.includes(s));
    const split = (line: string) =>
      (separator ? line.split(separator) : [line]).map((c) => c.trim().replace(/^"|"$/g, ""));
    let column = 0;
    const header = split(first).findIndex((c) =>
      ["serial", "serialnumber", "serialno", "devices"].includes(
        c.replace(/[\s_-]/g, "").toLowerCase(),
      ),
    );
    if (header !== -1) {
      column = header;
      lines.shift();
    }
    const serials: string[] = [];
    const badRows: BadRowDto[] = [];
    let duplicates = 0;
    for (const l of lines) {
      const cell = split(l.text)[column] ?? "";
      if (cell === "") {
        badRows.push({ line: l.line, text: l.text, reason: "no serial number in this row" });
      } else if (!/^[A-Za-z0-9]{8,14}$/.test(cell)) {
        badRows.push({
          line: l.line,
          text: l.text,
          reason: `'${cell}' is not a serial number (8 to 14 letters and digits)`,
        });
      } else if (serials.includes(cell.toUpperCase())) {
        duplicates += 1;
      } else {
        serials.push(cell.toUpperCase());
      }
    }
    return { serials, badRows, duplicates };
  };

  /** Why a device of `family` must not get the profile, as the backend words it (PLT-3). */
  const refusalFor = (profileId: string, family: string): string | null => {
    const detail = options.profiles?.handlers["profiles.get"]?.({ id: profileId });
    if (!detail || !("draft" in detail)) return null;
    return assignmentRefusal(detail.draft, family);
  };

  const classify = (
    tokenId: string,
    profileId: string | undefined,
    serial: string,
  ): PreviewRowDto => {
    const listed = state.devices.filter((d) => d.serial === serial);
    const mine = listed.find((d) => d.tokenId === tokenId && d.removedAt === null);
    const send = (cls: PreviewClass, detail: string, willSend: boolean): PreviewRowDto => ({
      serial,
      class: cls,
      detail,
      willSend,
    });
    if (mine?.cooldownUntil) {
      return send(
        "cooldown",
        `failed recently; not sent again before ${mine.cooldownUntil}`,
        false,
      );
    }
    if (mine) {
      // PLT-3: a profile of another platform (or Shared iPad on a non-iPad) is never sent.
      const refusal = profileId === undefined ? null : refusalFor(profileId, mine.family);
      if (refusal) return send("refused", refusal, false);
      if (profileId !== undefined && mine.depotProfileId === profileId) {
        return send("alreadyOnProfile", "already holds this profile", false);
      }
      if (profileId === undefined && mine.profileUuid === null) {
        return send("alreadyOnProfile", "holds no profile", false);
      }
      if (mine.profileStatus === "pushed") {
        return send(
          "setUp",
          "already set up; the change applies only after the device is erased",
          true,
        );
      }
      return send(
        "ready",
        mine.depotProfileName ? `now on '${mine.depotProfileName}'` : "no profile yet",
        true,
      );
    }
    const other = listed.find((d) => d.tokenId !== tokenId && d.removedAt === null);
    if (other)
      return send("otherToken", `assigned to '${other.tokenName}', not to this token`, false);
    if (listed.length > 0)
      return send("removed", "Apple no longer lists this device for its token", false);
    return send("unknown", "not synced into Depot; Apple decides", true);
  };

  /** One poll: a part of the pending serials gets Apple's answer. */
  const advance = ({ run, results }: Run) => {
    if (run.result !== "running") return;
    const waiting = results.filter((r) => r.outcome === null);
    const step = state.answersPerPoll > 0 ? state.answersPerPoll : waiting.length;
    for (const result of waiting.slice(0, step)) {
      const device = state.devices.find(
        (d) => d.serial === result.serial && d.tokenId === run.tokenId && d.removedAt === null,
      );
      const outcome = state.outcomes[result.serial] ?? (device ? "SUCCESS" : "NOT_ACCESSIBLE");
      result.outcome = outcome;
      result.at = iso(clockNow());
      result.detail = outcome === "SUCCESS" ? null : `Apple answered ${outcome}`;
      run.pending -= 1;
      if (outcome === "SUCCESS") run.succeeded += 1;
      else if (outcome === "NOT_ACCESSIBLE") run.notAccessible += 1;
      else if (outcome === "FAILED") run.failed += 1;
      else if (outcome === "THROTTLED") run.throttled += 1;
      if (device) {
        const profile = profileList().find((p) => p.id === run.profileId);
        if (outcome === "SUCCESS") {
          Object.assign(device, {
            depotProfileId: profile?.id ?? null,
            depotProfileName: profile?.name ?? null,
            depotProfileVersion: profile?.version ?? null,
            profileUuid: profile?.upload.appleUuid ?? null,
            profileStatus: run.kind === "remove" ? "removed" : "assigned",
          });
        }
        if (outcome === "FAILED") device.cooldownUntil = iso(clockNow() + DAY);
        Object.assign(device, {
          lastResult: outcome,
          lastResultAt: result.at,
          lastRunId: run.id,
        });
        device.history.unshift({
          runId: run.id,
          kind: run.kind,
          reason: run.reason,
          profileId: run.profileId,
          profileName: profile?.name ?? null,
          profileVersion: run.profileVersion,
          operator: run.operator,
          outcome,
          detail: result.detail,
          at: result.at,
          startedAt: run.startedAt,
        });
      }
    }
    if (run.pending === 0) {
      run.finishedAt = iso(clockNow());
      run.result = run.succeeded === run.total ? "ok" : run.succeeded === 0 ? "failed" : "partial";
      // Like Depot: serials still throttled at the end are kept for a later run.
      if (run.result !== "ok") run.throttledKept = run.throttled;
    }
  };

  const handlers: Handlers = {
    "devices.list": ({ query, cursor, limit }) => {
      const size = limit ?? 100;
      if (size < 1 || size > 500) return failure("INVALID_INPUT", "limit: from 1 to 500");
      const all = sorted(query);
      let start = 0;
      if (cursor !== undefined) {
        const [tokenId, serial] = JSON.parse(atob(cursor)) as [string, string];
        start = all.findIndex((d) => d.tokenId === tokenId && d.serial === serial) + 1;
        if (start === 0) return failure("INVALID_INPUT", "cursor: start from the first page");
      }
      const page = all.slice(start, start + size);
      const last = page[page.length - 1];
      const more = start + size < all.length;
      return {
        rows: page.map(row),
        next: more && last ? btoa(JSON.stringify([last.tokenId, last.serial])) : null,
      };
    },
    "devices.count": ({ query }) => ({
      count: state.devices.filter((d) => matches(d, query)).length,
    }),
    "devices.facets": ({ query }) => ({
      tokens: facet(query, "token", (d) => [d.tokenId, d.tokenName]),
      statuses: facet(query, "status", (d) => [d.profileStatus, d.profileStatus]),
      profiles: facet(query, "profile", (d) =>
        d.depotProfileId === null
          ? ["none", "No Depot profile"]
          : [d.depotProfileId, d.depotProfileName ?? d.depotProfileId],
      ),
      families: facet(query, "family", (d) => [d.family, d.family]),
      models: facet(query, "model", (d) => [d.model, d.model]),
      lastResults: facet(query, "lastResult", (d) => [resultKey(d), resultKey(d)]),
    }),
    "devices.get": ({ serial }) => {
      const records = state.devices.filter((d) => d.serial === serial.toUpperCase());
      if (records.length === 0) return failure("NOT_FOUND", `device ${serial} was not found`);
      return {
        serial,
        records: records.map((d) => ({
          device: row(d),
          renderedName: d.renderedName,
          addedAt: d.addedAt,
          appleChangedAt: d.appleChangedAt,
          updatedAt: d.updatedAt,
          cooldownUntil: d.cooldownUntil,
          events: d.events,
          // Like Depot: the kept answer only once `devices.replacement` was asked.
          facts: {
            ...d.facts,
            replacement: state.replacementAsks.includes(d.serial) ? d.facts.replacement : null,
          },
        })),
        history: records.flatMap((d) => d.history),
      };
    },
    "devices.replacement": ({ tokenId, serial }) => {
      const device = state.devices.find((d) => d.serial === serial && d.tokenId === tokenId);
      if (!device) return failure("NOT_FOUND", `device ${serial} was not found`);
      if (!device.facts.isReplacement) {
        return failure(
          "INVALID_INPUT",
          `serial: Apple does not mark ${serial} as a replacement device`,
        );
      }
      if (state.appleUnreachable) {
        return failure(
          "APPLE_UNAVAILABLE",
          "Apple's service could not be reached at https://mdmenrollment.apple.com",
        );
      }
      state.replacementAsks.push(serial);
      return device.facts.replacement ?? { originalSerial: null, replacedOn: null };
    },
    "devices.export": ({ query }) => {
      const rows = sorted(query);
      return { rows: rows.length, text: csv(rows) };
    },
    "devices.delete": ({ tokenId, serials }) => {
      const before = state.devices.length;
      state.devices = state.devices.filter(
        (d) => !(d.tokenId === tokenId && serials.includes(d.serial)),
      );
      const token = depot.state.tokens.find((t) => t.summary.id === tokenId);
      const deleted = before - state.devices.length;
      if (token)
        token.summary = { ...token.summary, deviceCount: token.summary.deviceCount - deleted };
      return { deleted };
    },
    "assignments.preview": ({ tokenId, profileId, text, serials, query }) => {
      if (!tokenRefs.some((t) => t.id === tokenId)) {
        return failure("NOT_FOUND", `token ${tokenId} was not found`);
      }
      if (text === undefined && serials === undefined && query === undefined) {
        return failure(
          "INVALID_INPUT",
          "give the serial numbers (text, serials or a device filter)",
        );
      }
      const list = query
        ? {
            serials: sorted({ ...query, tokenId }).map((d) => d.serial),
            badRows: [],
            duplicates: 0,
          }
        : parse(text ?? (serials ?? []).join("\n"));
      const rows = list.serials.map((serial) => classify(tokenId, profileId, serial));
      const counts = new Map<string, FacetValue>();
      for (const r of rows) {
        const entry = counts.get(r.class) ?? { value: r.class, label: r.class, count: 0 };
        entry.count += 1;
        counts.set(r.class, entry);
      }
      return {
        rows,
        badRows: list.badRows,
        duplicates: list.duplicates,
        counts: [...counts.values()],
        total: rows.length,
        truncated: false,
        sendCount: rows.filter((r) => r.willSend).length,
        toSend: rows.filter((r) => r.willSend).map((r) => r.serial),
        warnings: state.previewWarnings,
      };
    },
    "assignments.start": ({ tokenId, profileId, serials, query }) => {
      if (!tokenRefs.some((t) => t.id === tokenId)) {
        return failure("NOT_FOUND", `token ${tokenId} was not found`);
      }
      const profile = profileList().find((p) => p.id === profileId);
      if (profileId !== undefined) {
        if (!profile || profile.tokenId !== tokenId) {
          return failure("INVALID_INPUT", `profile: ${profileId} does not belong to this token`);
        }
        if (profile.upload.state !== "uploaded") {
          return failure(
            "INVALID_INPUT",
            `profile: '${profile.name}' is not uploaded to Apple yet`,
          );
        }
      }
      const chosen = serials ?? (query ? sorted({ ...query, tokenId }).map((d) => d.serial) : []);
      if (chosen.length === 0)
        return failure("INVALID_INPUT", "serials: no serial numbers were given");
      const id = `dev-run-${state.nextRun++}`;
      const run: AssignmentRun = {
        id,
        tokenId,
        kind: profileId === undefined ? "remove" : "assign",
        reason: "manual",
        profileId: profileId ?? null,
        profileVersion: profile?.version ?? null,
        operator: "admin",
        startedAt: iso(clockNow()),
        finishedAt: null,
        result: "running",
        error: null,
        total: chosen.length,
        pending: chosen.length,
        succeeded: 0,
        notAccessible: 0,
        failed: 0,
        throttled: 0,
        throttledKept: 0,
        waitingUntil: null,
        cooldown: 0,
        notSent: 0,
      };
      state.runs.set(id, {
        run,
        results: chosen.map((serial) => ({
          serial,
          batch: 1,
          outcome: null,
          detail: null,
          at: null,
        })),
      });
      return { run: { ...run } };
    },
    "assignments.get": (request) => {
      const mine = state.runs.get(request.id);
      if (!mine) {
        return (
          options.profiles?.handlers["assignments.get"]?.(request) ??
          failure("NOT_FOUND", `assignment run ${request.id} was not found`)
        );
      }
      advance(mine);
      return { ...mine.run };
    },
    "assignments.results": ({ id }) => {
      const mine = state.runs.get(id);
      if (!mine) return failure("NOT_FOUND", `assignment run ${id} was not found`);
      return { run: { ...mine.run }, results: mine.results.map((r) => ({ ...r })) };
    },
    "assignments.cancel": (request) => {
      const mine = state.runs.get(request.id);
      if (!mine) return options.profiles?.handlers["assignments.cancel"]?.(request) ?? {};
      if (mine.run.result === "running") {
        for (const result of mine.results) {
          if (result.outcome === null) result.outcome = "NOT_SENT";
        }
        mine.run.notSent += mine.run.pending;
        mine.run.pending = 0;
        mine.run.result = "cancelled";
        mine.run.finishedAt = iso(clockNow());
      }
      return {};
    },
    "assignments.history": ({ tokenId }) => ({
      runs: [...state.runs.values()]
        .map((r) => r.run)
        .filter((r) => tokenId === undefined || r.tokenId === tokenId)
        .reverse(),
    }),
    // The workspace counts follow the devices held here.
    "workspace.info": (request) => {
      const base = depot.handlers["workspace.info"]?.(request);
      if (!base || !("counts" in base)) return failure("INTERNAL", "no workspace");
      return { ...base, counts: { ...base.counts, devices: state.devices.length } };
    },
  };

  return { handlers, state, tokenName };
}

/**
 * happy-dom has no layout: give the virtual lists (`data-virtual-scroll`) a
 * height so the virtualizer renders the rows in view. The config's
 * `restoreMocks` puts the real getter back after each test.
 */
export function giveVirtualListsHeight(height = 600) {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (
    this: HTMLElement,
  ) {
    return this.dataset.virtualScroll === "true" ? height : 0;
  });
}
