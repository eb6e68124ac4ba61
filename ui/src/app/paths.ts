// Route paths, kept free of imports so features can link to pages
// without importing each other (or the route table, which imports them).

export const PATHS = {
  dashboard: "/dashboard",
  tokens: "/tokens",
  profiles: "/profiles",
  devices: "/devices",
  sync: "/sync",
  audit: "/audit",
  settings: "/settings",
} as const;

export type RouteId = keyof typeof PATHS;

/** The `href` of a page, for hash routing (works the same in Tauri and a browser). */
export function hrefTo(id: RouteId): string {
  return `#${PATHS[id]}`;
}

/** Pages below "Enrollment program tokens". */
export const TOKEN_PATHS = {
  add: `${PATHS.tokens}/add`,
  detail: (id: string) => `${PATHS.tokens}/${encodeURIComponent(id)}`,
} as const;
