import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { onBackendChange } from "../platform";
import { changeOfEvent, refreshAfter } from "./invalidation";

/**
 * Keeps the screens current while syncs and assignment runs work in the
 * background: each pushed change refreshes what the table in invalidation.ts
 * says it made stale. Progress refreshes the run or sync being watched; an end
 * refreshes everything it changed, except that a device list scrolled far down
 * stays where it is (the next filter or visit reloads it).
 */
export function useBackendChanges(): void {
  const client = useQueryClient();
  useEffect(
    () => onBackendChange((change) => void refreshAfter(client, changeOfEvent(change))),
    [client],
  );
}
