import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ChangeEvent } from "../bindings/ChangeEvent";
import { onBackendChange } from "../platform";
import { queryKeys } from "./api";

/**
 * What a background change makes stale. Progress refreshes the run or sync
 * being watched; an end refreshes everything it changed. A device list
 * scrolled far down is left where it is (the next filter or visit reloads it).
 */
export function refreshForChange(client: QueryClient, change: ChangeEvent): Promise<void> {
  const shortList = (query: { state: { data?: unknown } }) =>
    ((query.state.data as { pages?: unknown[] } | undefined)?.pages?.length ?? 0) <= 10;
  const keys: (readonly unknown[])[] = [];
  switch (change.kind) {
    case "syncProgress":
      keys.push(queryKeys.syncOverview, queryKeys.syncStatus(change.tokenId));
      break;
    case "assignmentProgress":
      if (change.runId !== null) keys.push(queryKeys.assignment(change.runId));
      break;
    default:
      // syncFinished, assignmentFinished, and kinds a newer backend may add.
      keys.push(
        queryKeys.syncOverview,
        ["sync.status"],
        ["sync.history"],
        ["devices.count"],
        ["devices.facets"],
        ["devices.get"],
        ["profiles.list"],
        ["profiles.get"],
        ["assignments.history"],
        queryKeys.tokenList,
        ["tokens.get"],
        queryKeys.workspaceInfo,
        queryKeys.audit,
      );
      if (change.runId !== null) {
        keys.push(queryKeys.assignment(change.runId), queryKeys.assignmentResults(change.runId));
      }
  }
  const lists =
    change.kind === "syncFinished" || change.kind === "assignmentFinished"
      ? [client.invalidateQueries({ queryKey: ["devices.list"], predicate: shortList })]
      : [];
  return Promise.all([
    ...keys.map((queryKey) => client.invalidateQueries({ queryKey })),
    ...lists,
  ]).then(() => undefined);
}

/** Keeps the screens current while syncs and assignment runs work in the background. */
export function useBackendChanges(): void {
  const client = useQueryClient();
  useEffect(() => onBackendChange((change) => void refreshForChange(client, change)), [client]);
}
