import type { Query, QueryClient, QueryKey } from "@tanstack/react-query";
import type { ChangeEvent } from "../bindings/ChangeEvent";
import { queryKeys } from "./api";
import { isChangeEventKind, type ChangeEventKind } from "./closedSets";

/**
 * What makes which queries stale: one table for the mutations made in this
 * window, what the sync polls notice, and the changes the backend pushes.
 * Query keys start with the command name, so a key here covers every query of
 * that command (every token's page, every device list).
 */

/** Something that changed, with what its stale queries depend on. */
export type Change =
  // Mutations made here.
  | { kind: "token" }
  | { kind: "profile" }
  | { kind: "devices" }
  /** An Apps and Books token was added, renewed, synced or deleted. */
  | { kind: "vpp" }
  /** An organisation API account was added, removed or synced, or an activity started or ended. */
  | { kind: "org" }
  /** A sync of one token was started or cancelled. */
  | { kind: "syncRequested"; tokenId: string }
  /** A poll noticed a sync end; the query that noticed (`overview` or `status`) is fresh already. */
  | { kind: "syncNoticed"; noticedBy: "overview" | "status" }
  // Pushed by the backend (ChangeEvent).
  | { kind: "syncProgress"; tokenId: string }
  | { kind: "assignmentProgress"; runId: string | null }
  | { kind: "syncFinished"; runId: string | null }
  | { kind: "assignmentFinished"; runId: string | null };

export type ChangeKind = Change["kind"];
type Plain = Extract<Change, { kind: "token" | "profile" | "devices" | "vpp" | "org" }>["kind"];

const TOKENS: readonly QueryKey[] = [queryKeys.tokenList, ["tokens.get"]];
const PROFILES: readonly QueryKey[] = [["profiles.list"], ["profiles.get"]];
const DEVICES: readonly QueryKey[] = [
  ["devices.list"],
  ["devices.count"],
  ["devices.facets"],
  ["devices.get"],
];
const VPP: readonly QueryKey[] = [queryKeys.vppList, ["vpp.get"]];
const ORG: readonly QueryKey[] = [
  queryKeys.orgList,
  ["org.devices"],
  ["org.device"],
  queryKeys.orgActivities,
];
const SYNCS: readonly QueryKey[] = [queryKeys.syncOverview, ["sync.status"], ["sync.history"]];
const WORKSPACE = queryKeys.workspaceInfo;
/** Alerts follow tokens, syncs, profiles, devices and Apps and Books tokens. */
const ALERTS = queryKeys.alerts;
const AUDIT = queryKeys.audit;
/** The dashboard's summary counts devices, tokens, syncs, assignment results and expiries. */
const DASHBOARD = queryKeys.dashboard;

const runKeys = (runId: string | null): QueryKey[] =>
  runId === null ? [] : [queryKeys.assignment(runId), queryKeys.assignmentResults(runId)];

/** After devices changed: their lists and pages, what counts them, run history and the audit log. */
const DEVICE_CHANGE: readonly QueryKey[] = [
  ...DEVICES,
  ...PROFILES,
  ...TOKENS,
  WORKSPACE,
  ALERTS,
  DASHBOARD,
  ["assignments.history"],
  AUDIT,
];

type Entry<K extends ChangeKind> = {
  stale: (change: Extract<Change, { kind: K }>) => readonly QueryKey[];
  /**
   * A device list scrolled far down stays where it is (a change the admin did
   * not make here); otherwise it starts again from its first page.
   */
  keepLongLists?: true;
};

/** The table: change kind → the queries it makes stale. */
export const STALE_AFTER: { [K in ChangeKind]: Entry<K> } = {
  token: { stale: () => [...TOKENS, WORKSPACE, ALERTS, DASHBOARD, AUDIT, queryKeys.syncOverview] },
  profile: { stale: () => [...PROFILES, ...TOKENS, WORKSPACE, ALERTS, DASHBOARD, AUDIT] },
  devices: { stale: () => DEVICE_CHANGE },
  vpp: { stale: () => [...VPP, ALERTS, DASHBOARD, AUDIT] },
  // An activity's end syncs its server's token: Depot's own device lists change too.
  org: { stale: () => [...ORG, ...DEVICE_CHANGE] },
  syncRequested: {
    stale: ({ tokenId }) => [
      queryKeys.syncOverview,
      queryKeys.syncStatus(tokenId),
      queryKeys.syncHistory(tokenId),
    ],
  },
  syncNoticed: {
    stale: ({ noticedBy }) => [
      ...TOKENS,
      WORKSPACE,
      ALERTS,
      DASHBOARD,
      ["sync.history"],
      AUDIT,
      noticedBy === "overview" ? ["sync.status"] : queryKeys.syncOverview,
    ],
  },
  syncProgress: {
    stale: ({ tokenId }) => [queryKeys.syncOverview, queryKeys.syncStatus(tokenId)],
  },
  assignmentProgress: {
    stale: ({ runId }) => (runId === null ? [] : [queryKeys.assignment(runId)]),
  },
  syncFinished: {
    stale: ({ runId }) => [...DEVICE_CHANGE, ...SYNCS, ...runKeys(runId)],
    keepLongLists: true,
  },
  assignmentFinished: {
    stale: ({ runId }) => [...DEVICE_CHANGE, ...SYNCS, ...runKeys(runId)],
    keepLongLists: true,
  },
};

/** What a pushed change is in the table; a kind a newer backend adds refreshes as much as a finished run. */
export function changeOfEvent(event: ChangeEvent): Change {
  const kind: ChangeEventKind = isChangeEventKind(event.kind) ? event.kind : "assignmentFinished";
  return kind === "syncProgress" ? { kind, tokenId: event.tokenId } : { kind, runId: event.runId };
}

/** A list with this many pages loaded or more starts again from its first page on a refresh. */
const REFETCH_PAGE_LIMIT = 10;

const DEVICE_LIST = "devices.list";

const isLongList = (query: Query) =>
  ((query.state.data as { pages?: unknown[] } | undefined)?.pages?.length ?? 0) >
  REFETCH_PAGE_LIMIT;

/** Marks what `change` made stale (STALE_AFTER), so the screens showing it fetch again. */
export function refreshAfter(client: QueryClient, change: Change | Plain): Promise<void> {
  const c: Change = typeof change === "string" ? { kind: change } : change;
  const entry = STALE_AFTER[c.kind];
  // `entry` is the one for `c.kind`; TypeScript cannot pair them up on its own.
  const stale = entry.stale as (change: Change) => readonly QueryKey[];
  const keepLongLists = entry.keepLongLists === true;
  return Promise.all(
    stale(c).map((queryKey) => {
      if (queryKey[0] !== DEVICE_LIST) return client.invalidateQueries({ queryKey });
      // A device list with many pages loaded starts again from the top instead of
      // fetching them all again, or (keepLongLists) stays as it is.
      return Promise.all([
        keepLongLists ? undefined : client.resetQueries({ queryKey, predicate: isLongList }),
        client.invalidateQueries({ queryKey, predicate: (q) => !isLongList(q) }),
      ]);
    }),
  ).then(() => undefined);
}
