import { describe, expect, it } from "vitest";
import { formatCount, formatDate, formatDateTime, plural } from "./format";

describe("format", () => {
  it("groups digits and picks the singular or plural noun", () => {
    expect(formatCount(200_000)).toBe("200,000");
    expect(plural(1, "device", "devices")).toBe("1 device");
    expect(plural(2_500, "device", "devices")).toBe("2,500 devices");
  });

  it("writes a dash for no time and keeps a time it cannot read", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a time")).toBe("not a time");
    expect(formatDate("2026-11-26T21:49:00Z")).toMatch(/2026/);
  });
});
