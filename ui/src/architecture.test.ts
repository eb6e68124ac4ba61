import { describe, expect, it } from "vitest";

// Spelled in parts so that a plain text search for Tauri imports outside
// src/platform (the repository's own check) finds only real imports.
const TAURI_PACKAGES = ["@tauri-apps", ""].join("/");

// Import rules from docs/architecture: checked over the real source files, so
// a violating import fails the test suite as well as lint.
const sources = import.meta.glob<string>(
  ["./**/*.{ts,tsx}", "!./**/*.test.{ts,tsx}", "!./test/**"],
  {
    query: "?raw",
    import: "default",
    eager: true,
  },
);

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? "");
}

/** "./features/tokens/TokensPage.tsx" + "../../app/api" -> "app/api" (relative to src). */
function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const parts = from.replace(/^\.\//, "").split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

const files = Object.entries(sources).map(([path, source]) => ({
  path: path.replace(/^\.\//, ""),
  imports: importsOf(source).map((spec) => ({ spec, target: resolve(path, spec) })),
}));

function area(path: string): string {
  const [top, feature] = path.split("/");
  return top === "features" ? `features/${feature}` : (top ?? "");
}

describe("architecture", () => {
  it("finds the source files it checks", () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(["main.tsx", "platform/index.ts", "features/tokens/TokensPage.tsx"]),
    );
  });

  it("only lets src/platform import the Tauri packages", () => {
    const offenders = files.flatMap((f) =>
      f.imports
        .filter((i) => i.spec.startsWith(TAURI_PACKAGES) && !f.path.startsWith("platform/"))
        .map((i) => `${f.path} -> ${i.spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps features independent of each other and of the platform layer", () => {
    const offenders = files
      .filter((f) => f.path.startsWith("features/"))
      .flatMap((f) =>
        f.imports
          .filter((i) => {
            const to = area(i.target);
            return (to.startsWith("features/") && to !== area(f.path)) || to === "platform";
          })
          .map((i) => `${f.path} -> ${i.spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it("keeps shared components free of app and feature code", () => {
    const offenders = files
      .filter((f) => f.path.startsWith("components/"))
      .flatMap((f) =>
        f.imports
          .filter((i) => ["app", "features"].includes(area(i.target).split("/")[0] ?? ""))
          .map((i) => `${f.path} -> ${i.spec}`),
      );
    expect(offenders).toEqual([]);
  });
});
