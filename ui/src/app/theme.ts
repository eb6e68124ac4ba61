import { useSyncExternalStore } from "react";

export type ColorScheme = "light" | "dark";

const DARK_QUERY = "(prefers-color-scheme: dark)";

function darkQuery(): MediaQueryList | null {
  return typeof window !== "undefined" && typeof window.matchMedia === "function"
    ? window.matchMedia(DARK_QUERY)
    : null;
}

function subscribe(onChange: () => void): () => void {
  const query = darkQuery();
  query?.addEventListener("change", onChange);
  return () => query?.removeEventListener("change", onChange);
}

function readScheme(): ColorScheme {
  return darkQuery()?.matches ? "dark" : "light";
}

/** The operating system's light/dark preference, live. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(subscribe, readScheme, () => "light");
}
