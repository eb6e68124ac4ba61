// The one rule for every CSV cell Depot writes, the same as the backend's
// (src-tauri/crates/domain/src/csv.rs): RFC 4180 quoting, and a leading `'` on
// a cell a spreadsheet would otherwise run as a formula — one starting with
// `=`, `+`, `-`, `@`, a tab or a carriage return.

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/** One cell, defused and quoted as needed. */
export function csvCell(value: string | number | null): string {
  const raw = value === null ? "" : String(value);
  const text = FORMULA_TRIGGER.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, without the line ending. */
export function csvLine(values: readonly (string | number | null)[]): string {
  return values.map(csvCell).join(",");
}
