import { describe, expect, it } from "vitest";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import { fakeDepot } from "./fakeDepot";
import { fakeProfiles } from "./fakeProfiles";
import {
  CATALOGUE,
  RULES,
  assignmentRefusal,
  draftProblems,
  draftWarnings,
  shapeError,
  urlProblems,
} from "./profileRules";

// The fake backend must answer like the real one. The fixtures are written by
// the Rust side (tests/it/ui_fixtures.rs) from the real catalogue and rules;
// these tests fail when the fake's checks say anything else. After changing a
// rule in Rust, regenerate them with
// `DEPOT_UPDATE_FIXTURES=1 cargo test -p depot-tests --test it -- ui_fixtures`.

const NO_URLS = { enrollmentUrl: null, configurationWebUrl: null };

function draftOf(platform: string, change: Partial<ProfileDraft>): ProfileDraft {
  const baseline = RULES.baselines[platform];
  if (!baseline) throw new Error(`no baseline for ${platform}`);
  return { ...structuredClone(baseline), ...change };
}

/** The fake's answer, shaped like a row of the table. */
function answer(draft: ProfileDraft) {
  const error = shapeError(draft);
  if (error !== null) {
    return { error: { code: "INVALID_INPUT", message: error }, problems: [], warnings: [] };
  }
  const problems = draftProblems(draft);
  return {
    error: null,
    problems: problems.length > 0 ? problems : urlProblems(draft, NO_URLS),
    warnings: draftWarnings(draft),
  };
}

describe("the fake's profile rules against the backend's", () => {
  it("has a table with every kind of answer", () => {
    expect(RULES.cases.length).toBeGreaterThan(100);
    expect(RULES.cases.some((c) => c.error !== null)).toBe(true);
    expect(RULES.cases.some((c) => c.warnings.length > 0)).toBe(true);
    expect(RULES.cases.filter((c) => c.problems.length > 0).length).toBeGreaterThan(50);
  });

  it.each(RULES.cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(answer(draftOf(c.platform, c.change))).toEqual({
      error: c.error,
      problems: c.problems,
      warnings: c.warnings,
    });
  });

  it("starts a new profile from the catalogue's defaults, per platform", () => {
    for (const entry of CATALOGUE.platforms) {
      expect(draftOf(entry.platform, { name: "", enrollmentUrl: null })).toEqual(entry.defaults);
    }
  });

  it("answers profiles.catalogue with the backend's catalogue", () => {
    const { handlers } = fakeProfiles(fakeDepot());
    expect(handlers["profiles.catalogue"]?.({})).toEqual(CATALOGUE);
  });

  it("refuses to send a profile to a device of another platform as the backend words it", () => {
    expect(assignmentRefusal({ platform: "iOS", sharedIPad: false }, "iPad")).toBeNull();
    expect(assignmentRefusal({ platform: "iOS", sharedIPad: false }, "AppleTV")).toBe(
      "platform mismatch: this Apple TV needs a tvOS profile, not an iOS/iPadOS one",
    );
    expect(assignmentRefusal({ platform: "iOS", sharedIPad: true }, "iPhone")).toMatch(
      /^Shared iPad profiles are for iPads only/,
    );
    // A family Depot does not know is left to Apple.
    expect(assignmentRefusal({ platform: "iOS", sharedIPad: false }, "Watch")).toBeNull();
  });
});
