import type { DeviceQueryDto } from "../../bindings/DeviceQueryDto";
import type { DeviceSortKey } from "../../bindings/DeviceSortKey";
import type { ProfileStatus } from "../../bindings/ProfileStatus";

/** What the admin set on the page; `toQuery` turns it into the backend's query. */
export type DeviceFilters = {
  search: string;
  tokenId: string | null;
  statuses: readonly ProfileStatus[];
  /** A Depot profile id, or `none`. */
  profileId: string | null;
  families: readonly string[];
  models: readonly string[];
  lastResult: string | null;
  scopeTag: string | null;
  includeRemoved: boolean;
};

export const NO_FILTERS: DeviceFilters = {
  search: "",
  tokenId: null,
  statuses: [],
  profileId: null,
  families: [],
  models: [],
  lastResult: null,
  scopeTag: null,
  includeRemoved: false,
};

export type DeviceSort = { key: DeviceSortKey; descending: boolean };

export const DEFAULT_SORT: DeviceSort = { key: "serial", descending: false };

/**
 * Text that could be the start of a serial number (capital letters and digits,
 * nothing else) searches by serial prefix, which the backend answers from an
 * index; anything else is a word search over serial, model, description,
 * colour, asset tag and OS, and the start of an IMEI, MEID, EID or MAC
 * address. Text that reads more like one of those identifiers than like a
 * serial (6 or more digits only, 12 hexadecimal digits like a bare MAC, or
 * longer than any serial) is a word search too; it still finds serials that
 * contain it.
 */
export function searchMode(text: string): "serial" | "text" | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!/^[A-Z0-9]+$/.test(trimmed)) return "text";
  const identifier =
    /^[0-9]{6,}$/.test(trimmed) || /^[0-9A-F]{12}$/.test(trimmed) || trimmed.length > 12;
  return identifier ? "text" : "serial";
}

/** The backend's query for the page's filters; absent fields do not filter. */
export function toQuery(
  filters: DeviceFilters,
  profileName: string | null,
  sort: DeviceSort = DEFAULT_SORT,
): DeviceQueryDto {
  const query: DeviceQueryDto = {};
  const search = filters.search.trim();
  const mode = searchMode(search);
  if (mode === "serial") query.serialPrefix = search;
  if (mode === "text") query.text = search;
  if (filters.tokenId !== null) query.tokenId = filters.tokenId;
  if (filters.statuses.length > 0) query.statuses = [...filters.statuses];
  if (filters.profileId !== null) query.profileId = filters.profileId;
  if (filters.families.length > 0) query.families = [...filters.families];
  if (filters.models.length > 0) query.models = [...filters.models];
  if (filters.lastResult !== null) query.lastResult = filters.lastResult;
  if (filters.scopeTag !== null) query.scopeTag = filters.scopeTag;
  if (profileName !== null && profileName.trim() !== "") {
    query.enrollmentProfileName = profileName.trim();
  }
  if (filters.includeRemoved) query.includeRemoved = true;
  if (sort.key !== DEFAULT_SORT.key) query.sort = sort.key;
  if (sort.descending) query.descending = true;
  return query;
}

/** The same query without its sort: counts, facets and "all matching" do not depend on order. */
export function withoutSort(query: DeviceQueryDto): DeviceQueryDto {
  const rest = { ...query };
  delete rest.sort;
  delete rest.descending;
  return rest;
}

export function hasFilters(filters: DeviceFilters, profileName: string | null): boolean {
  return Object.keys(withoutSort(toQuery(filters, profileName))).length > 0;
}
