import { useCallback, useState } from "react";
import type { DeviceSortKey } from "../../bindings/DeviceSortKey";

export type ColumnId =
  | "serial"
  | "model"
  | "description"
  | "color"
  | "os"
  | "family"
  | "status"
  | "profile"
  | "assigned"
  | "lastResult"
  | "token";

export type Column = {
  id: ColumnId;
  label: string;
  /** Width in pixels; columns that may grow share the space left over. */
  width: number;
  grow?: boolean;
  /** The backend sort key, for the headers that sort. */
  sort?: DeviceSortKey;
  /** Shown when nothing was chosen yet. */
  initiallyShown: boolean;
  /** The serial identifies the row: always shown. */
  fixed?: boolean;
};

export const COLUMNS: readonly Column[] = [
  {
    id: "serial",
    label: "Serial number",
    width: 150,
    sort: "serial",
    initiallyShown: true,
    fixed: true,
  },
  { id: "model", label: "Model", width: 180, grow: true, sort: "model", initiallyShown: true },
  { id: "description", label: "Description", width: 200, grow: true, initiallyShown: false },
  { id: "color", label: "Color", width: 110, initiallyShown: false },
  { id: "os", label: "OS", width: 110, initiallyShown: true },
  { id: "family", label: "Family", width: 90, initiallyShown: true },
  { id: "status", label: "Profile status", width: 150, sort: "status", initiallyShown: true },
  { id: "profile", label: "Depot profile", width: 180, grow: true, initiallyShown: true },
  {
    id: "assigned",
    label: "Assigned to server",
    width: 150,
    sort: "assignedDate",
    initiallyShown: true,
  },
  { id: "lastResult", label: "Last assignment", width: 150, initiallyShown: true },
  { id: "token", label: "Token", width: 170, grow: true, initiallyShown: true },
];

/** localStorage key of the chosen columns (ids of the shown ones). */
export const COLUMNS_STORAGE_KEY = "depot.devices.columns.v1";

function initialColumns(): ColumnId[] {
  const fallback = COLUMNS.filter((c) => c.initiallyShown).map((c) => c.id);
  try {
    const stored = window.localStorage.getItem(COLUMNS_STORAGE_KEY);
    if (stored === null) return fallback;
    const parsed: unknown = JSON.parse(stored);
    if (!Array.isArray(parsed)) return fallback;
    const known = COLUMNS.filter((c) => c.fixed === true || parsed.includes(c.id)).map((c) => c.id);
    return known;
  } catch {
    return fallback;
  }
}

/** The columns the admin shows, in table order; the choice survives a restart. */
export function useColumnChoice() {
  const [shown, setShown] = useState<ColumnId[]>(initialColumns);
  const choose = useCallback((ids: readonly string[]) => {
    const next = COLUMNS.filter((c) => c.fixed === true || ids.includes(c.id)).map((c) => c.id);
    setShown(next);
    try {
      window.localStorage.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(next));
    } catch {
      // A full or unavailable storage only means the choice is not kept.
    }
  }, []);
  const columns = COLUMNS.filter((c) => shown.includes(c.id));
  return { columns, shown, choose };
}
