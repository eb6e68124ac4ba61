import { makeStyles, tokens } from "@fluentui/react-components";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, type ReactNode } from "react";

const ROW = 36;

const useStyles = makeStyles({
  frame: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    overflow: "auto",
  },
  header: {
    position: "sticky",
    top: 0,
    zIndex: 1,
    display: "grid",
    alignItems: "center",
    height: `${ROW}px`,
    paddingLeft: tokens.spacingHorizontalM,
    paddingRight: tokens.spacingHorizontalM,
    columnGap: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    fontWeight: tokens.fontWeightSemibold,
  },
  body: {
    position: "relative",
  },
  row: {
    position: "absolute",
    left: 0,
    top: 0,
    width: "100%",
    boxSizing: "border-box",
    display: "grid",
    alignItems: "center",
    height: `${ROW}px`,
    paddingLeft: tokens.spacingHorizontalM,
    paddingRight: tokens.spacingHorizontalM,
    columnGap: tokens.spacingHorizontalM,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  cell: {
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
    minWidth: 0,
  },
});

export type GridColumn<T> = {
  id: string;
  label: string;
  /** A CSS grid track, e.g. "160px" or "minmax(0, 1fr)". */
  track: string;
  render: (item: T) => ReactNode;
};

type VirtualGridProps<T> = {
  items: readonly T[];
  columns: readonly GridColumn<T>[];
  rowKey: (item: T) => string;
  /** `data-testid` and other attributes of a row. */
  rowAttributes: (item: T) => Record<string, string>;
  label: string;
  testId: string;
  /** Height of the scrolling area in pixels. */
  height: number;
};

/**
 * A read-only table that only puts the rows in view into the DOM: a preview
 * or a result of tens of thousands of serials scrolls like one of ten.
 */
export function VirtualGrid<T>({
  items,
  columns,
  rowKey,
  rowAttributes,
  label,
  testId,
  height,
}: VirtualGridProps<T>) {
  const styles = useStyles();
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 10,
    scrollMargin: ROW,
  });
  const template = columns.map((c) => c.track).join(" ");
  // The frame shrinks to short lists.
  const frameHeight = Math.min(height, ROW * (items.length + 1) + 2);

  return (
    <div
      ref={scrollRef}
      className={styles.frame}
      style={{ height: `${frameHeight}px` }}
      data-virtual-scroll="true"
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      <div role="table" aria-label={label} aria-rowcount={items.length + 1} data-testid={testId}>
        <div
          role="row"
          aria-rowindex={1}
          className={styles.header}
          style={{ gridTemplateColumns: template }}
        >
          {columns.map((column) => (
            <div key={column.id} role="columnheader" className={styles.cell}>
              {column.label}
            </div>
          ))}
        </div>
        <div
          role="rowgroup"
          className={styles.body}
          style={{ height: `${virtualizer.getTotalSize()}px` }}
        >
          {virtualizer.getVirtualItems().map((virtual) => {
            const item = items[virtual.index];
            if (item === undefined) return null;
            return (
              <div
                key={rowKey(item)}
                role="row"
                aria-rowindex={virtual.index + 2}
                className={styles.row}
                style={{
                  gridTemplateColumns: template,
                  transform: `translateY(${virtual.start - ROW}px)`,
                }}
                {...rowAttributes(item)}
              >
                {columns.map((column) => (
                  <div key={column.id} role="cell" className={styles.cell}>
                    {column.render(item)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
