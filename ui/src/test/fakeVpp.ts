import type { ErrorCode } from "../bindings/ErrorCode";
import type { Licences } from "../bindings/Licences";
import type { TokenFile } from "../bindings/TokenFile";
import type { VppToken } from "../bindings/VppToken";
import type { PickedFile } from "../platform";
import { now as clockNow } from "../platform/clock";
import { failure, type Handlers } from "./fakeBackend";

/** What Apple would say about a .vpptoken the fake's "portal" issued. */
export type VppLocation = {
  locationName: string;
  orgName: string;
  expiresAt: string;
  /** Another MDM manages the location: adding it needs `takeOver`. */
  claimedBy?: string;
  /** Company Portal licences at the location (100 free by default). */
  total?: number;
  assigned?: number;
};

const FILE_PREFIX = "FAKE-VPP ";
const ERROR_PREFIX = "FAKE-VPP-ERROR ";

/** A .vpptoken as the portal would issue it, as picked in the UI. */
export function vppFile(location: VppLocation, name = "Contoso.vpptoken"): PickedFile {
  return { name, bytes: new TextEncoder().encode(FILE_PREFIX + JSON.stringify(location)) };
}

/** A file the backend refuses with `code`. */
export function brokenVppFile(code: ErrorCode, name = "broken.vpptoken"): PickedFile {
  return { name, bytes: new TextEncoder().encode(ERROR_PREFIX + code) };
}

export function licences(patch: Partial<Licences> = {}): Licences {
  const total = patch.total ?? 100;
  const assigned = patch.assigned ?? 0;
  return {
    total,
    assigned,
    available: total - assigned,
    retired: 0,
    deviceAssignable: true,
    asOf: "2026-05-31T22:00:00Z",
    ...patch,
  };
}

/** An Apps and Books token as `vpp.list` returns it. */
export function vppToken(token: Partial<VppToken> & { id: string; name: string }): VppToken {
  return {
    locationName: token.name,
    orgName: "Contoso Retail",
    expiresAt: "2027-03-01T00:00:00Z",
    state: "ok",
    problem: null,
    problemNumber: null,
    otherMdm: null,
    companyPortal: licences(),
    lastSyncAt: "2026-05-31T22:00:00Z",
    retryAt: null,
    simulator: false,
    ...token,
  };
}

/** The tokens every fake Depot has unless a test says otherwise: one fine, one expired. */
export const DEFAULT_VPP_TOKENS: readonly VppToken[] = [
  vppToken({
    id: "v1",
    name: "Contoso Apps and Books",
    locationName: "Contoso HQ",
    companyPortal: licences({ total: 100, assigned: 5 }),
  }),
  vppToken({
    id: "v2",
    name: "Fabrikam Old Location",
    locationName: "Fabrikam",
    orgName: "Fabrikam",
    expiresAt: "2026-05-01T00:00:00Z",
    state: "expired",
    problem: "The token has expired. Download a new one in Apple Business Manager and renew it.",
    companyPortal: licences({ total: 20, assigned: 20 }),
  }),
];

export type FakeVppOptions = {
  tokens?: readonly VppToken[];
  /** Profiles that install the Company Portal with a token, by token id: delete is refused. */
  inUse?: Record<string, string[]>;
};

function read(file: TokenFile): VppLocation | { code: ErrorCode } {
  if (file.contents.startsWith(ERROR_PREFIX)) {
    return { code: file.contents.slice(ERROR_PREFIX.length) as ErrorCode };
  }
  if (!file.contents.startsWith(FILE_PREFIX)) return { code: "NOT_A_TOKEN_FILE" };
  return JSON.parse(file.contents.slice(FILE_PREFIX.length)) as VppLocation;
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  NOT_A_TOKEN_FILE:
    "this is not an Apps and Books token: choose the .vpptoken file downloaded from Apple Business Manager",
  TOKEN_EXPIRED: "this token expired on 2026-04-01: download a new one",
  APPLE_REJECTED: "Apple did not accept this token (9622): download a new one",
};

/** The `vpp.*` commands over an in-memory list, with the refusals the real ones make. */
export function fakeVpp(options: FakeVppOptions = {}) {
  const state = {
    tokens: (options.tokens ?? DEFAULT_VPP_TOKENS).map((t) => ({ ...t })),
    inUse: { ...options.inUse },
    nextId: 100,
  };
  const nowIso = () => new Date(clockNow()).toISOString();
  const find = (id: string) => state.tokens.find((t) => t.id === id);
  const notFound = (id: string) => failure("NOT_FOUND", `there is no Apps and Books token '${id}'`);
  const opened = (file: TokenFile) => {
    const location = read(file);
    if ("code" in location) {
      return { error: failure(location.code, MESSAGES[location.code] ?? location.code) };
    }
    return { location };
  };
  const fromLocation = (location: VppLocation) => ({
    locationName: location.locationName,
    orgName: location.orgName,
    expiresAt: location.expiresAt,
    companyPortal: licences({ total: location.total ?? 100, assigned: location.assigned ?? 0 }),
    lastSyncAt: nowIso(),
    state: "ok" as const,
    problem: null,
    problemNumber: null,
    otherMdm: null,
  });

  const handlers: Handlers = {
    "vpp.list": () => ({ tokens: state.tokens.map((t) => ({ ...t })) }),
    "vpp.get": ({ id }) => find(id) ?? notFound(id),
    "vpp.add": ({ file, name, appsUrl, takeOver }) => {
      const { location, error } = opened(file);
      if (error) return error;
      const existing = state.tokens.find((t) => t.locationName === location.locationName);
      if (existing) {
        return failure(
          "DUPLICATE_TOKEN",
          `the Apps and Books token '${existing.name}' is already for the location '${location.locationName}': renew that one instead`,
        );
      }
      if (location.claimedBy && !takeOver) {
        return failure(
          "VPP_CLAIMED",
          `another MDM, '${location.claimedBy}', manages the Apps and Books location '${location.locationName}'. Two MDMs assigning one location's licences give unpredictable results: add it here only if '${location.claimedBy}' no longer uses it (confirm, or --take-over)`,
        );
      }
      const token: VppToken = {
        id: `v${state.nextId++}`,
        name: name ?? location.locationName,
        retryAt: null,
        simulator: appsUrl === "simulator",
        ...fromLocation(location),
      };
      state.tokens.push(token);
      return token;
    },
    "vpp.renew": ({ id, file, otherLocation }) => {
      const token = find(id);
      if (!token) return notFound(id);
      const { location, error } = opened(file);
      if (error) return error;
      if (location.locationName !== token.locationName && !otherLocation) {
        return failure(
          "OTHER_SERVER",
          `this file is for the location '${location.locationName}', not '${token.locationName}': renew with a token for '${token.locationName}', or confirm that the token should move to '${location.locationName}'`,
        );
      }
      Object.assign(token, fromLocation(location));
      return { ...token };
    },
    "vpp.delete": ({ id }) => {
      const token = find(id);
      if (!token) return notFound(id);
      const profiles = state.inUse[id];
      if (profiles && profiles.length > 0) {
        return failure(
          "TOKEN_IN_USE",
          `the Apps and Books token '${token.name}' is used by ${profiles.join(", ")}: choose another token there first`,
        );
      }
      state.tokens = state.tokens.filter((t) => t.id !== id);
      return {};
    },
    "vpp.sync": ({ id }) => {
      const synced = id === undefined ? state.tokens : [find(id)].filter((t) => t !== undefined);
      if (id !== undefined && synced.length === 0) return notFound(id);
      for (const token of synced) token.lastSyncAt = nowIso();
      return { tokens: synced.map((t) => ({ ...t })) };
    },
  };
  return { handlers, state };
}
