import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ChangeEvent } from "../bindings/ChangeEvent";
import { onBackendChange } from "../platform";
import { invalidateAfterDeviceChange, queryKeys } from "./api";

/**
 * What a background change makes stale. Progress refreshes the run or sync
 * being watched; an end refreshes everything it changed, except that a device
 * list scrolled far down stays where it is (the next filter or visit reloads it).
 */
export function refreshForChange(client: QueryClient, change: ChangeEvent): Promise<void> {
  const invalidate = (...keys: (readonly unknown[])[]) =>
    Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))).then(
      () => undefined,
    );
  const run = change.runId;
  switch (change.kind) {
    case "syncProgress":
      return invalidate(queryKeys.syncOverview, queryKeys.syncStatus(change.tokenId));
    case "assignmentProgress":
      return run === null ? Promise.resolve() : invalidate(queryKeys.assignment(run));
    default:
      // syncFinished, assignmentFinished, and kinds a newer backend may add.
      return Promise.all([
        invalidateAfterDeviceChange(client, { keepLongLists: true }),
        invalidate(
          queryKeys.syncOverview,
          ["sync.status"],
          ["sync.history"],
          ...(run === null ? [] : [queryKeys.assignment(run), queryKeys.assignmentResults(run)]),
        ),
      ]).then(() => undefined);
  }
}

/** Keeps the screens current while syncs and assignment runs work in the background. */
export function useBackendChanges(): void {
  const client = useQueryClient();
  useEffect(() => onBackendChange((change) => void refreshForChange(client, change)), [client]);
}
