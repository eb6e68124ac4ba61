import { describe, expect, it } from "vitest";
import { relativeTime } from "./time";

const NOW = Date.parse("2030-06-01T12:00:00Z");

describe("relativeTime", () => {
  it("says how long ago or how soon", () => {
    expect(relativeTime("2030-06-01T09:00:00Z", NOW)).toBe("3 hours ago");
    expect(relativeTime("2030-06-01T21:00:00Z", NOW)).toBe("in 9 hours");
    expect(relativeTime("2030-06-01T11:59:30Z", NOW)).toBe("just now");
    expect(relativeTime("2030-06-01T12:00:30Z", NOW)).toBe("in less than a minute");
  });

  it("never puts something that has happened in the future", () => {
    // A sync that ended a few seconds after the page's clock last ticked.
    expect(relativeTime("2030-06-01T12:00:05Z", NOW, true)).toBe("just now");
    expect(relativeTime("2030-06-01T09:00:00Z", NOW, true)).toBe("3 hours ago");
  });
});
