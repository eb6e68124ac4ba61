import {
  Caption1,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TableSelectionCell,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, type CSSProperties } from "react";
import type { DeviceRow } from "../../bindings/DeviceRow";
import { ResultBadge, StatusBadge } from "./badges";
import type { Column, ColumnId } from "./columns";
import { rowKey } from "./data";
import { formatCount, formatDate } from "./format";
import type { DeviceSort } from "./query";

/** Fixed row height: no measuring, so 200,000 rows cost the same as 200. */
export const ROW_HEIGHT = 40;
const HEADER_HEIGHT = 40;
const SELECT_WIDTH = 44;
/** Ask for the next page when the visible rows come this close to the last loaded one. */
const PREFETCH_ROWS = 60;

const useStyles = makeStyles({
  wrap: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  position: {
    color: tokens.colorNeutralForeground3,
    textAlign: "end",
  },
  frame: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    overflow: "auto",
    height: "max(360px, calc(100vh - 420px))",
    position: "relative",
  },
  header: {
    position: "sticky",
    top: 0,
    zIndex: 1,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  headerRow: {
    height: `${HEADER_HEIGHT}px`,
  },
  body: {
    position: "relative",
  },
  row: {
    position: "absolute",
    top: 0,
    left: 0,
    width: "100%",
    height: `${ROW_HEIGHT}px`,
    cursor: "pointer",
  },
  removed: {
    color: tokens.colorNeutralForeground3,
  },
  text: {
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
    minWidth: 0,
  },
  serial: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  loader: {
    display: "flex",
    alignItems: "center",
    paddingLeft: tokens.spacingHorizontalM,
  },
});

function cellStyle(column: Column): CSSProperties {
  return {
    flex: `${column.grow === true ? 1 : 0} 0 ${column.width}px`,
    minWidth: `${column.width}px`,
  };
}

const SELECT_STYLE: CSSProperties = {
  flex: `0 0 ${SELECT_WIDTH}px`,
  minWidth: `${SELECT_WIDTH}px`,
};

type DeviceTableProps = {
  rows: readonly DeviceRow[];
  /** Devices matching the query (`devices.count`), once known. */
  total: number | null;
  hasMore: boolean;
  loadingMore: boolean;
  onNeedMore: () => void;
  columns: readonly Column[];
  sort: DeviceSort;
  onSort: (sort: DeviceSort) => void;
  isSelected: (row: DeviceRow) => boolean;
  onToggle: (row: DeviceRow) => void;
  /** The header checkbox: every loaded row selected, some, or none. */
  loadedSelection: boolean | "mixed";
  onToggleLoaded: () => void;
  onOpen: (row: DeviceRow) => void;
  /** Changes when the query does: the list goes back to its top. */
  resetKey: string;
};

/**
 * DEV-1: the device list as a virtual table. Only the rows in view (and a few
 * around them) are in the DOM; pages are fetched as the admin scrolls.
 */
export function DeviceTable({
  rows,
  total,
  hasMore,
  loadingMore,
  onNeedMore,
  columns,
  sort,
  onSort,
  isSelected,
  onToggle,
  loadedSelection,
  onToggleLoaded,
  onOpen,
  resetKey,
}: DeviceTableProps) {
  const styles = useStyles();
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = rows.length + (hasMore ? 1 : 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    getItemKey: (index) => {
      const row = rows[index];
      return row ? rowKey(row) : "more";
    },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - PREFETCH_ROWS) onNeedMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, onNeedMore]);

  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [resetKey, virtualizer]);

  const minWidth = SELECT_WIDTH + columns.reduce((sum, c) => sum + c.width, 0);
  // Where the admin is in a long list: keyset pages load as they scroll, so
  // the scrollbar only spans the rows loaded so far.
  const offset = virtualizer.scrollOffset ?? 0;
  const viewport = Math.max(0, (virtualizer.scrollRect?.height ?? 0) - HEADER_HEIGHT);
  const first = Math.min(rows.length, Math.floor(offset / ROW_HEIGHT) + 1);
  const last = Math.min(rows.length, Math.max(first, Math.floor((offset + viewport) / ROW_HEIGHT)));

  return (
    <div className={styles.wrap}>
      <div
        ref={scrollRef}
        className={styles.frame}
        data-testid="devices-scroll"
        data-virtual-scroll="true"
        tabIndex={0}
        aria-label="Device list"
        role="region"
      >
        <Table
          noNativeElements
          sortable
          aria-label="Devices"
          aria-rowcount={(total ?? rows.length) + 1}
          data-testid="devices-table"
          data-loaded={rows.length}
          style={{ minWidth: `${minWidth}px` }}
        >
          <TableHeader className={styles.header}>
            <TableRow className={styles.headerRow} aria-rowindex={1}>
              <TableSelectionCell
                style={SELECT_STYLE}
                checked={loadedSelection}
                onClick={onToggleLoaded}
                checkboxIndicator={{ "aria-label": "Select every loaded device" }}
                data-testid="devices-select-loaded"
              />
              {columns.map((column) => {
                const active = column.sort !== undefined && column.sort === sort.key;
                return (
                  <TableHeaderCell
                    key={column.id}
                    style={cellStyle(column)}
                    sortable={column.sort !== undefined}
                    {...(active
                      ? { sortDirection: sort.descending ? "descending" : "ascending" }
                      : {})}
                    {...(column.sort !== undefined
                      ? {
                          onClick: () => {
                            const key = column.sort;
                            if (key === undefined) return;
                            onSort({ key, descending: active ? !sort.descending : false });
                          },
                        }
                      : {})}
                    data-testid={`devices-column-${column.id}`}
                  >
                    {column.label}
                  </TableHeaderCell>
                );
              })}
            </TableRow>
          </TableHeader>
          <TableBody className={styles.body} style={{ height: `${virtualizer.getTotalSize()}px` }}>
            {items.map((item) => {
              const row = rows[item.index];
              const position: CSSProperties = {
                transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)`,
              };
              if (!row) {
                return (
                  <TableRow
                    key={item.key}
                    className={styles.row}
                    style={position}
                    aria-rowindex={item.index + 2}
                    data-testid="devices-loading-more"
                  >
                    <TableCell className={styles.loader}>
                      <Spinner size="tiny" label="Loading more devices…" labelPosition="after" />
                    </TableCell>
                  </TableRow>
                );
              }
              return (
                <DeviceTableRow
                  key={item.key}
                  row={row}
                  index={item.index}
                  style={position}
                  columns={columns}
                  selected={isSelected(row)}
                  onToggle={onToggle}
                  onOpen={onOpen}
                />
              );
            })}
          </TableBody>
        </Table>
      </div>
      {rows.length > 0 ? (
        <Caption1 className={styles.position} data-testid="devices-position" aria-live="off">
          Rows {formatCount(first)}–{formatCount(last)} of {formatCount(total ?? rows.length)}
          {hasMore ? ` · ${formatCount(rows.length)} loaded so far` : ""}
        </Caption1>
      ) : null}
    </div>
  );
}

type RowProps = {
  row: DeviceRow;
  index: number;
  style: CSSProperties;
  columns: readonly Column[];
  selected: boolean;
  onToggle: (row: DeviceRow) => void;
  onOpen: (row: DeviceRow) => void;
};

const DeviceTableRow = memo(function DeviceTableRow({
  row,
  index,
  style,
  columns,
  selected,
  onToggle,
  onOpen,
}: RowProps) {
  const styles = useStyles();
  const removed = row.removedAt !== null;
  return (
    <TableRow
      className={mergeClasses("device-row", styles.row, removed && styles.removed)}
      style={style}
      aria-rowindex={index + 2}
      appearance={selected ? "brand" : "none"}
      onClick={() => onOpen(row)}
      onKeyDown={(event) => {
        if (event.key === "Enter" && event.target === event.currentTarget) onOpen(row);
      }}
      tabIndex={0}
      data-testid={`device-row-${row.serial}`}
      data-token-id={row.tokenId}
      data-removed={removed ? "true" : undefined}
    >
      <TableSelectionCell
        style={SELECT_STYLE}
        checked={selected}
        onClick={(event) => {
          event.stopPropagation();
          onToggle(row);
        }}
        onKeyDown={(event) => event.stopPropagation()}
        checkboxIndicator={{ "aria-label": `Select ${row.serial}` }}
      />
      {columns.map((column) => (
        <TableCell key={column.id} style={cellStyle(column)} data-column={column.id}>
          <DeviceCell row={row} id={column.id} />
        </TableCell>
      ))}
    </TableRow>
  );
});

function DeviceCell({ row, id }: { row: DeviceRow; id: ColumnId }) {
  const styles = useStyles();
  const text = (value: string | null, extra?: string) => (
    <span className={mergeClasses(styles.text, extra)} title={value ?? undefined}>
      {value === null || value === "" ? "—" : value}
    </span>
  );
  switch (id) {
    case "serial":
      return (
        <span className={mergeClasses(styles.text, styles.serial)}>
          {row.serial}
          {row.removedAt !== null ? <Caption1 className={styles.muted}> (removed)</Caption1> : null}
        </span>
      );
    case "model":
      return text(row.model);
    case "description":
      return text(row.description);
    case "color":
      return text(row.color);
    case "os":
      return text(row.os);
    case "family":
      return text(row.family);
    case "status":
      return <StatusBadge status={row.profileStatus} />;
    case "profile":
      if (row.depotProfileName !== null) {
        return text(
          row.depotProfileVersion === null
            ? row.depotProfileName
            : `${row.depotProfileName} · v${row.depotProfileVersion}`,
        );
      }
      return row.profileUuid !== null ? text("Not made in Depot", styles.muted) : text(null);
    case "assigned":
      return text(row.assignedAt === null ? null : formatDate(row.assignedAt));
    case "lastResult":
      return <ResultBadge result={row.lastResult} waiting={row.lastRunId !== null} />;
    case "token":
      return text(row.tokenName);
  }
}
