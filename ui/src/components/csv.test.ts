import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv";

// The same table as src-tauri/crates/domain/src/csv.rs: both writers agree.
const CASES: [string, string][] = [
  ["plain", "plain"],
  ["", ""],
  ["a,b", '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ["two\nlines", '"two\nlines"'],
  ["=SUM(A1)", "'=SUM(A1)"],
  ["+1 555", "'+1 555"],
  ["-2", "'-2"],
  ["@cmd", "'@cmd"],
  ["\tindent", "'\tindent"],
  ["\rreturn", '"\'\rreturn"'],
  ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
  ["a=b", "a=b"],
  ["C02X-0001", "C02X-0001"],
  ["Ünïcødé", "Ünïcødé"],
];

describe("csv", () => {
  it.each(CASES)("writes %j as %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("joins cells with commas, numbers and nulls included", () => {
    expect(csvLine(["a", "=b", "c,d", 3, null])).toBe('a,\'=b,"c,d",3,');
  });
});
