import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { call, queryKeys } from "../../app/api";
import type { DeviceQueryDto } from "../../bindings/DeviceQueryDto";
import type { DeviceRow } from "../../bindings/DeviceRow";

/** Rows per `devices.list` call (the backend allows up to 500). */
export const DEVICE_PAGE_SIZE = 200;

/**
 * The device list, one keyset page at a time: the next page is asked for with
 * the previous page's `next` cursor, loaded pages are kept. Never the whole list.
 */
export function useDevicePages(query: DeviceQueryDto, enabled: boolean) {
  const list = useInfiniteQuery({
    queryKey: queryKeys.deviceList(query),
    queryFn: ({ pageParam }) =>
      call("devices.list", {
        query,
        limit: DEVICE_PAGE_SIZE,
        ...(pageParam === null ? {} : { cursor: pageParam }),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    placeholderData: keepPreviousData,
    enabled,
  });
  const rows = useMemo<DeviceRow[]>(
    () => list.data?.pages.flatMap((page) => page.rows) ?? [],
    [list.data],
  );
  return { list, rows };
}

/** Counts per filter value; each facet ignores its own filter. */
export function useDeviceFacets(query: DeviceQueryDto, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.deviceFacets(query),
    queryFn: () => call("devices.facets", { query }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The row key: a serial can be listed by more than one token. */
export function rowKey(row: { tokenId: string; serial: string }): string {
  return `${row.tokenId}|${row.serial}`;
}
