// Route paths, kept free of imports so features can link to pages
// without importing each other (or the route table, which imports them).

export const PATHS = {
  dashboard: "/dashboard",
  tokens: "/tokens",
  vpp: "/vpp",
  profiles: "/profiles",
  devices: "/devices",
  organisation: "/organisation",
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

/** Pages below "Profiles". `?token=<id>` preselects a token on the list and in the wizard. */
export const PROFILE_PATHS = {
  create: `${PATHS.profiles}/new`,
  createFor: (tokenId: string) => `${PATHS.profiles}/new?token=${encodeURIComponent(tokenId)}`,
  detail: (id: string) => `${PATHS.profiles}/${encodeURIComponent(id)}`,
  edit: (id: string) => `${PATHS.profiles}/${encodeURIComponent(id)}/edit`,
  forToken: (tokenId: string) => `${PATHS.profiles}?token=${encodeURIComponent(tokenId)}`,
} as const;

/**
 * The device list with a filter preset. `?profileName=<name>` lists the devices
 * holding the Depot profile of that name (PRO-17), `?token=<id>` one token's devices,
 * `&serials=A,B` opens the serial-number panel with those serials. `status`, `family`
 * and `model` preset the profile status, family and model filters (the dashboard's charts).
 */
export const DEVICE_PATHS = {
  forProfileName: (name: string) => `${PATHS.devices}?profileName=${encodeURIComponent(name)}`,
  forToken: (tokenId: string) => `${PATHS.devices}?token=${encodeURIComponent(tokenId)}`,
  /** The "Apple serial numbers" panel, open with these serials of one token (to assign a profile). */
  assignSerials: (tokenId: string, serials: readonly string[]) =>
    `${PATHS.devices}?token=${encodeURIComponent(tokenId)}&serials=${encodeURIComponent(serials.join(","))}`,
  /** The list filtered by any of token, profile status, family and model (absent ones do not filter). */
  filtered: (preset: { token?: string; status?: string; family?: string; model?: string }) => {
    const query = (["token", "status", "family", "model"] as const)
      .flatMap((key) => {
        const value = preset[key];
        return value === undefined ? [] : [`${key}=${encodeURIComponent(value)}`];
      })
      .join("&");
    return query === "" ? PATHS.devices : `${PATHS.devices}?${query}`;
  },
} as const;
