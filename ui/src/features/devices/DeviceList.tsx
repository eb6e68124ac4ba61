import {
  Body1,
  Button,
  Caption1,
  Menu,
  MenuButton,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  SearchBox,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowDownload20Regular,
  Delete20Regular,
  Dismiss20Regular,
  DocumentArrowRight20Regular,
  DocumentDismiss20Regular,
  Filter20Regular,
  TableSettings20Regular,
} from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { Suspense, lazy, useCallback, useMemo, useState } from "react";
import { call, useDeviceCount } from "../../app/api";
import { todayStamp } from "../../app/clock";
import { saveOutput } from "../../app/files";
import { PATHS } from "../../app/paths";
import { navigate } from "../../app/router";
import { useCan } from "../../app/session";
import type { DeviceRow } from "../../bindings/DeviceRow";
import type { TokenSummary } from "../../bindings/TokenSummary";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import type { AssignTarget } from "./AssignDialog";
import { COLUMNS, useColumnChoice } from "./columns";
import { useDebounced } from "../../components/useDebounced";
import { rowKey, useDeviceFacets, useDevicePages } from "./data";
import type { DeleteGroup } from "./DeleteDevicesDialog";
import { DeviceFilterBar } from "./DeviceFilters";
import { DeviceTable } from "./DeviceTable";
import { formatCount, plural } from "./format";
import {
  DEFAULT_SORT,
  NO_FILTERS,
  hasFilters,
  searchMode,
  toQuery,
  withoutSort,
  type DeviceFilters,
  type DeviceSort,
} from "./query";

// Dialogs and the drawer load on first use.
const AssignDialog = lazy(() =>
  import("./AssignDialog").then((m) => ({ default: m.AssignDialog })),
);
const DeleteDevicesDialog = lazy(() =>
  import("./DeleteDevicesDialog").then((m) => ({ default: m.DeleteDevicesDialog })),
);
const DeviceDrawer = lazy(() =>
  import("./DeviceDrawer").then((m) => ({ default: m.DeviceDrawer })),
);

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  toolbar: {
    display: "flex",
    gap: tokens.spacingHorizontalM,
    alignItems: "center",
    flexWrap: "wrap",
  },
  search: {
    minWidth: "320px",
  },
  grow: {
    flexGrow: 1,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  selection: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    alignItems: "center",
    flexWrap: "wrap",
    minHeight: "32px",
  },
  hint: {
    color: tokens.colorNeutralForeground2,
  },
});

/** Rows ticked one by one, or every device matching the filters. */
type Selection = {
  /** The filters the selection was made under; another filter starts a new one. */
  key: string;
  rows: ReadonlyMap<string, DeviceRow>;
  allMatching: boolean;
};

type Dialog =
  | { kind: "assign" | "remove"; tokenId: string; tokenName: string; target: AssignTarget }
  | { kind: "delete"; groups: DeleteGroup[] };

type DeviceListProps = {
  tokens: readonly TokenSummary[];
  /** Filters preset from the address (`?token=`, `&status=`, `&family=`, `&model=`). */
  initialFilters: Partial<DeviceFilters>;
  /** PRO-17: `?profileName=` from the address. */
  profileName: string | null;
};

export function DeviceList({ tokens: tokenList, initialFilters, profileName }: DeviceListProps) {
  const styles = useStyles();
  const [filters, setFilters] = useState<DeviceFilters>({ ...NO_FILTERS, ...initialFilters });
  const [searchText, setSearchText] = useState("");
  const [search] = useDebounced(searchText, 300);
  const [sort, setSort] = useState<DeviceSort>(DEFAULT_SORT);
  const { columns, shown, choose } = useColumnChoice();

  const effective = useMemo(() => ({ ...filters, search }), [filters, search]);
  const query = useMemo(
    () => toQuery(effective, profileName, sort),
    [effective, profileName, sort],
  );
  const filterQuery = useMemo(() => withoutSort(query), [query]);
  const filterKey = JSON.stringify(filterQuery);
  const filtering = hasFilters(effective, profileName);

  const { list, rows } = useDevicePages(query, true);
  const count = useDeviceCount(filterQuery);
  const facets = useDeviceFacets(filterQuery, true);
  const total = count.data?.count ?? null;

  const [selectionState, setSelection] = useState<Selection>({
    key: filterKey,
    rows: new Map(),
    allMatching: false,
  });
  const selection: Selection =
    selectionState.key === filterKey
      ? selectionState
      : { key: filterKey, rows: new Map(), allMatching: false };
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [openSerial, setOpenSerial] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<number | null>(null);

  const toggle = useCallback(
    (row: DeviceRow) =>
      setSelection((previous) => {
        const current =
          previous.key === filterKey
            ? previous
            : { key: filterKey, rows: new Map<string, DeviceRow>(), allMatching: false };
        // Unticking one row of "all matching" keeps the other loaded rows ticked.
        const next = new Map(
          current.allMatching ? rows.map((r) => [rowKey(r), r] as const) : current.rows,
        );
        const key = rowKey(row);
        if (next.has(key)) next.delete(key);
        else next.set(key, row);
        return { key: filterKey, rows: next, allMatching: false };
      }),
    [filterKey, rows],
  );
  const isSelected = (row: DeviceRow) => selection.allMatching || selection.rows.has(rowKey(row));
  const loadedSelected = selection.allMatching
    ? rows.length
    : rows.filter((r) => selection.rows.has(rowKey(r))).length;
  const loadedSelection: boolean | "mixed" =
    rows.length > 0 && loadedSelected === rows.length ? true : loadedSelected > 0 ? "mixed" : false;
  const toggleLoaded = () =>
    setSelection(
      loadedSelection === true
        ? { key: filterKey, rows: new Map(), allMatching: false }
        : {
            key: filterKey,
            rows: new Map([...selection.rows, ...rows.map((r) => [rowKey(r), r] as const)]),
            allMatching: false,
          },
    );
  const clearSelection = () =>
    setSelection({ key: filterKey, rows: new Map(), allMatching: false });

  const { fetchNextPage } = list;
  const needMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const openRow = useCallback((row: DeviceRow) => setOpenSerial(row.serial), []);

  const exporter = useMutation({
    mutationFn: () =>
      saveOutput({
        fileName: `depot-devices-${todayStamp()}.csv`,
        filterName: "CSV file",
        extensions: ["csv"],
        mimeType: "text/csv",
        produce: async () => {
          const result = await call("devices.export", { query });
          return { result, text: result.text };
        },
      }),
  });

  // What the actions work on.
  const selectedCount = selection.allMatching ? (total ?? 0) : selection.rows.size;
  const selectedTokens = selection.allMatching
    ? filters.tokenId === null
      ? []
      : [filters.tokenId]
    : [...new Set([...selection.rows.values()].map((r) => r.tokenId))];
  const oneToken = selectedTokens.length === 1 ? (selectedTokens[0] ?? null) : null;
  const tokenName = (id: string) =>
    tokenList.find((t) => t.id === id)?.serverName ??
    rows.find((r) => r.tokenId === id)?.tokenName ??
    id;
  const canAssign = selectedCount > 0 && oneToken !== null;
  const canDelete = selection.rows.size > 0 && !selection.allMatching;
  // What the role allows at all: assigning (help-desk and up), deleting (administrators).
  const mayAssign = useCan("assign");
  const mayDelete = useCan("manage");
  let hint: string | null = null;
  if (!mayAssign && !mayDelete) {
    hint = null;
  } else if (selectedCount === 0) {
    hint = mayDelete
      ? "Tick devices to assign or remove a profile, or to delete them from Depot."
      : "Tick devices to assign or remove a profile.";
  } else if (selection.allMatching && filters.tokenId === null) {
    hint =
      "A profile belongs to one token, so a change to every matching device works one token at a time: choose a token in the Token filter first.";
  } else if (!selection.allMatching && oneToken === null) {
    hint = `The ticked devices belong to ${selectedTokens.length} tokens. A profile belongs to one token: tick devices of a single token to assign or remove a profile.`;
  } else if (selection.allMatching) {
    hint = "Deleting from Depot works on devices ticked one by one.";
  }

  const openAssign = (kind: "assign" | "remove") => {
    if (oneToken === null) return;
    setDialog({
      kind,
      tokenId: oneToken,
      tokenName: tokenName(oneToken),
      target: selection.allMatching
        ? { kind: "query", query: { ...filterQuery, tokenId: oneToken }, count: total ?? 0 }
        : { kind: "serials", serials: [...selection.rows.values()].map((r) => r.serial) },
    });
  };
  const openDelete = () => {
    const groups = new Map<string, DeleteGroup>();
    for (const row of selection.rows.values()) {
      const group = groups.get(row.tokenId) ?? {
        tokenId: row.tokenId,
        tokenName: row.tokenName,
        serials: [],
      };
      group.serials.push(row.serial);
      groups.set(row.tokenId, group);
    }
    setDialog({ kind: "delete", groups: [...groups.values()] });
  };

  const clearProfileName = () => {
    const params = new URLSearchParams(window.location.hash.split("?")[1] ?? "");
    params.delete("profileName");
    const rest = params.toString();
    navigate(rest === "" ? PATHS.devices : `${PATHS.devices}?${rest}`);
  };
  const clearAll = () => {
    setFilters(NO_FILTERS);
    setSearchText("");
    if (profileName !== null) clearProfileName();
  };

  const mode = searchMode(searchText);
  const scopeTags = [...new Set(tokenList.flatMap((t) => t.scopeTags))].sort();

  let table;
  if (list.isPending) {
    table = <LoadingState label="Loading devices…" />;
  } else if (list.isError && rows.length === 0) {
    table = (
      <ErrorState
        title="Couldn't load devices"
        error={list.error}
        onRetry={() => void list.refetch()}
        retrying={list.isFetching}
      />
    );
  } else if (rows.length === 0 && !list.isPlaceholderData) {
    table = (
      <EmptyState
        testId="devices-no-match"
        icon={<Filter20Regular />}
        title="No devices match"
        actions={
          filtering ? (
            <Button onClick={clearAll} data-testid="devices-no-match-clear">
              Clear all filters
            </Button>
          ) : undefined
        }
      >
        {filtering
          ? "Nothing in this workspace matches the search and filters. Removed devices are hidden unless you include them."
          : "Every device in this workspace has been removed by Apple. Include removed devices to see them."}
      </EmptyState>
    );
  } else {
    table = (
      <>
        {list.isFetchNextPageError ? (
          <ErrorState
            title="Couldn't load more devices"
            error={list.error}
            onRetry={() => void list.fetchNextPage()}
            retrying={list.isFetchingNextPage}
          />
        ) : null}
        <DeviceTable
          rows={rows}
          total={total}
          hasMore={list.hasNextPage && !list.isFetchNextPageError}
          loadingMore={list.isFetchingNextPage}
          onNeedMore={needMore}
          columns={columns}
          sort={sort}
          onSort={setSort}
          isSelected={isSelected}
          onToggle={toggle}
          loadedSelection={loadedSelection}
          onToggleLoaded={toggleLoaded}
          onOpen={openRow}
          resetKey={JSON.stringify(query)}
        />
      </>
    );
  }

  return (
    <div className={styles.root}>
      <div className={styles.toolbar}>
        <SearchBox
          className={styles.search}
          placeholder="Search serial numbers, models, descriptions…"
          aria-label="Search devices"
          value={searchText}
          onChange={(_, data) => setSearchText(data.value)}
          data-testid="devices-search"
        />
        <Caption1
          className={styles.muted}
          data-testid="devices-search-mode"
          data-mode={mode ?? "none"}
        >
          {mode === "serial"
            ? "Serial numbers starting with this text"
            : mode === "text"
              ? "Every word, in serial, model, description, color, asset tag and OS, or the start of an IMEI, EID or MAC address"
              : "Capital letters and digits search serial numbers by their start"}
        </Caption1>
        <span className={styles.grow} />
        <Body1 data-testid="devices-total" data-count={total ?? ""}>
          {total === null ? "Counting…" : plural(total, "device", "devices")}
        </Body1>
        <Menu
          checkedValues={{ columns: shown }}
          onCheckedValueChange={(_, data) => choose(data.checkedItems)}
        >
          <MenuTrigger disableButtonEnhancement>
            <MenuButton icon={<TableSettings20Regular />} data-testid="devices-columns">
              Columns
            </MenuButton>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {COLUMNS.map((column) => (
                <MenuItemCheckbox
                  key={column.id}
                  name="columns"
                  value={column.id}
                  disabled={column.fixed === true}
                  data-testid={`devices-column-toggle-${column.id}`}
                >
                  {column.label}
                </MenuItemCheckbox>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
        <Button
          icon={<ArrowDownload20Regular />}
          onClick={() => exporter.mutate()}
          disabled={exporter.isPending}
          data-testid="devices-export"
        >
          {exporter.isPending ? "Exporting…" : "Export CSV"}
        </Button>
      </div>
      <DeviceFilterBar
        filters={filters}
        onChange={setFilters}
        facets={facets.data}
        scopeTags={scopeTags}
        profileName={profileName}
        onClearProfileName={clearProfileName}
        onClearAll={clearAll}
        filtering={filtering}
      />
      {exporter.isError ? (
        <ErrorState title="Couldn't export the devices" error={exporter.error} />
      ) : exporter.data ? (
        <MessageBar intent="success" layout="multiline" data-testid="devices-exported">
          <MessageBarBody>
            {exporter.data.download
              ? `${plural(exporter.data.result.rows, "device", "devices")} exported as ${exporter.data.savedTo}.`
              : `${plural(exporter.data.result.rows, "device", "devices")} exported to ${exporter.data.savedTo}.`}
          </MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                aria-label="Dismiss"
                icon={<Dismiss20Regular />}
                onClick={() => exporter.reset()}
              />
            }
          />
        </MessageBar>
      ) : null}
      {deleted !== null ? (
        <MessageBar intent="success" data-testid="devices-deleted">
          <MessageBarBody>
            {plural(deleted, "device was", "devices were")} deleted from Depot. Devices still
            assigned to the server in Apple&apos;s portal return with the next full sync.
          </MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                aria-label="Dismiss"
                icon={<Dismiss20Regular />}
                onClick={() => setDeleted(null)}
              />
            }
          />
        </MessageBar>
      ) : null}
      <div className={styles.selection} data-testid="devices-selection" data-count={selectedCount}>
        <Body1>
          {selection.allMatching
            ? `All ${plural(selectedCount, "matching device", "matching devices")} selected`
            : selectedCount > 0
              ? `${formatCount(selectedCount)} selected`
              : "None selected"}
        </Body1>
        {total !== null && total > 0 && !selection.allMatching ? (
          <Button
            size="small"
            appearance="subtle"
            onClick={() => setSelection({ key: filterKey, rows: new Map(), allMatching: true })}
            data-testid="devices-select-all-matching"
          >
            Select all {formatCount(total)} matching
          </Button>
        ) : null}
        {selectedCount > 0 ? (
          <Button
            size="small"
            appearance="subtle"
            onClick={clearSelection}
            data-testid="devices-clear-selection"
          >
            Clear selection
          </Button>
        ) : null}
        <span className={styles.grow} />
        {mayAssign ? (
          <>
            <Button
              appearance="primary"
              icon={<DocumentArrowRight20Regular />}
              disabled={!canAssign}
              onClick={() => openAssign("assign")}
              data-testid="devices-assign"
            >
              Assign profile
            </Button>
            <Button
              icon={<DocumentDismiss20Regular />}
              disabled={!canAssign}
              onClick={() => openAssign("remove")}
              data-testid="devices-remove"
            >
              Remove profile
            </Button>
          </>
        ) : null}
        {mayDelete ? (
          <Button
            icon={<Delete20Regular />}
            disabled={!canDelete}
            onClick={openDelete}
            data-testid="devices-delete"
          >
            Delete from Depot
          </Button>
        ) : null}
      </div>
      {hint !== null ? (
        <Caption1 className={styles.hint} data-testid="devices-action-hint">
          {hint}
        </Caption1>
      ) : null}
      {table}
      <Suspense fallback={null}>
        {dialog !== null && dialog.kind !== "delete" ? (
          <AssignDialog
            action={dialog.kind}
            tokenId={dialog.tokenId}
            tokenName={dialog.tokenName}
            target={dialog.target}
            onClose={() => setDialog(null)}
          />
        ) : null}
        {dialog?.kind === "delete" ? (
          <DeleteDevicesDialog
            groups={dialog.groups}
            onClose={() => setDialog(null)}
            onDeleted={(n) => {
              setDialog(null);
              setDeleted(n);
              clearSelection();
            }}
          />
        ) : null}
        {openSerial !== null ? (
          <DeviceDrawer serial={openSerial} onClose={() => setOpenSerial(null)} />
        ) : null}
      </Suspense>
    </div>
  );
}
