import { useMemo, useSyncExternalStore } from "react";

// A hash router is all Depot needs: a handful of top-level pages, no server
// that could answer deep links, and `tauri://localhost` serves one document.

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function readHash(): string {
  return window.location.hash;
}

/** "#/tokens?x" -> "/tokens"; an empty hash is "/". */
export function pathFromHash(hash: string): string {
  const withoutMark = hash.startsWith("#") ? hash.slice(1) : hash;
  const path = withoutMark.split("?")[0] ?? "";
  if (path === "" || path === "/") return "/";
  const leading = path.startsWith("/") ? path : `/${path}`;
  return leading.length > 1 ? leading.replace(/\/+$/, "") : leading;
}

/** The current hash path; re-renders when it changes. */
export function useHashPath(): string {
  return pathFromHash(useSyncExternalStore(subscribe, readHash, () => ""));
}

/** Navigates programmatically (links should just use `href`). */
export function navigate(path: string): void {
  window.location.hash = path;
}

/** "#/profiles?token=3" -> token=3; an address without "?" has no parameters. */
export function queryFromHash(hash: string): URLSearchParams {
  const at = hash.indexOf("?");
  return new URLSearchParams(at === -1 ? "" : hash.slice(at + 1));
}

/** The current hash's query string (after "?"); re-renders when it changes. */
export function useHashQuery(): URLSearchParams {
  const hash = useSyncExternalStore(subscribe, readHash, () => "");
  return useMemo(() => queryFromHash(hash), [hash]);
}
