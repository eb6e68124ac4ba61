import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { SyncStatus } from "../bindings/SyncStatus";
import { call, queryKeys } from "./api";
import { wait } from "./clock";
import { refreshAfter } from "./invalidation";

/** While a sync runs its progress is polled every second; otherwise twice a minute. */
export const SYNC_POLL_RUNNING_MS = 1_000;
export const SYNC_POLL_IDLE_MS = 30_000;

/** Every token's sync status (the Sync page). */
export function useSyncOverview() {
  const query = useQuery({
    queryKey: queryKeys.syncOverview,
    queryFn: () => call("sync.overview", {}),
    refetchInterval: (q) =>
      wait(
        q.state.data?.tokens.some((t) => t.status.running !== null)
          ? SYNC_POLL_RUNNING_MS
          : SYNC_POLL_IDLE_MS,
      ),
  });
  useRefreshWhenSyncsFinish(
    query.data?.tokens.map((t) => t.status),
    "overview",
  );
  return query;
}

/** One token's sync status and health (token detail). */
export function useSyncStatus(id: string) {
  const query = useQuery({
    queryKey: queryKeys.syncStatus(id),
    queryFn: () => call("sync.status", { id }),
    refetchInterval: (q) => wait(q.state.data?.running ? SYNC_POLL_RUNNING_MS : SYNC_POLL_IDLE_MS),
  });
  useRefreshWhenSyncsFinish(query.data ? [query.data] : undefined, "status");
  return query;
}

/** The last 50 runs of one token, newest first. */
export function useSyncHistory(id: string) {
  return useQuery({
    queryKey: queryKeys.syncHistory(id),
    queryFn: () => call("sync.history", { id }),
  });
}

/** Start (delta or full) and cancel for one token; both refresh its status right away. */
export function useSyncActions(id: string) {
  const client = useQueryClient();
  const refresh = () => refreshAfter(client, { kind: "syncRequested", tokenId: id });
  const start = useMutation({
    mutationFn: (full: boolean) => call("sync.start", full ? { id, full: true } : { id }),
    onSettled: refresh,
  });
  const cancel = useMutation({
    mutationFn: () => call("sync.cancel", { id }),
    onSettled: refresh,
  });
  return { start, cancel };
}

/** What changes when a sync ends: the run, or (for a run too quick to see) its outcome. */
function signature(status: SyncStatus): string {
  if (status.running) return `running ${status.running.runId}`;
  const { lastSuccessAt, lastError, deviceCount } = status.health;
  return `idle ${lastSuccessAt ?? "-"} ${lastError?.at ?? "-"} ${deviceCount}`;
}

/**
 * Watches statuses across polls and refreshes what a finished sync changes:
 * when a token stops running, or its outcome changed between two polls
 * (an automatic run, or one that finished before the next poll).
 */
function useRefreshWhenSyncsFinish(
  statuses: readonly SyncStatus[] | undefined,
  source: "overview" | "status",
) {
  const client = useQueryClient();
  const seen = useRef(new Map<string, string>());
  useEffect(() => {
    if (!statuses) return;
    let finished = false;
    for (const status of statuses) {
      const now = signature(status);
      const before = seen.current.get(status.tokenId);
      seen.current.set(status.tokenId, now);
      if (before !== undefined && before !== now && status.running === null) finished = true;
    }
    if (finished) void refreshAfter(client, { kind: "syncNoticed", noticedBy: source });
  }, [statuses, client, source]);
}
