// Small accessible charts drawn with plain elements and Fluent's colour tokens,
// so they follow the light and dark themes, and every bar that leads somewhere
// is a real link (keyboard, middle-click, screen readers). Each chart sits in a
// ChartCard that can show the same figures as a table.

import {
  Card,
  CardHeader,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  ToggleButton,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { Table20Regular } from "@fluentui/react-icons";
import { useId, useState, type ReactNode } from "react";
import { formatCount } from "../../components/format";

const useStyles = makeStyles({
  card: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    minWidth: 0,
  },
  paragraph: { margin: 0, color: tokens.colorNeutralForeground2 },
  actions: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    whiteSpace: "nowrap",
  },
  legend: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    color: tokens.colorNeutralForeground2,
  },
  legendItem: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS },
  swatch: {
    display: "inline-block",
    width: "12px",
    height: "12px",
    borderRadius: tokens.borderRadiusSmall,
    flexShrink: 0,
  },
  rows: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  row: {
    display: "grid",
    gridTemplateColumns: "minmax(96px, 180px) 1fr minmax(48px, max-content)",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalM,
  },
  rowLabel: {
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
  },
  caption: { color: tokens.colorNeutralForeground3 },
  value: {
    textAlign: "end",
    fontVariantNumeric: "tabular-nums",
    color: tokens.colorNeutralForeground2,
  },
  track: {
    display: "flex",
    height: "20px",
    minWidth: 0,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralStroke3,
    overflow: "hidden",
  },
  stack: { display: "flex", height: "100%", gap: "1px" },
  segment: {
    display: "block",
    height: "100%",
    minWidth: "4px",
    ":hover": { opacity: 0.8 },
    ":focus-visible": {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: "-2px",
    },
  },
  // A whole row that is a link: label, bar and figure.
  linkRow: {
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    borderRadius: tokens.borderRadiusMedium,
    ":hover": { backgroundColor: tokens.colorSubtleBackgroundHover },
    ":hover .bar": { opacity: 0.8 },
    ":focus-visible": {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
    },
  },
  linkLabel: { color: tokens.colorBrandForegroundLink },
  bar: { height: "100%", minWidth: "4px", borderRadius: tokens.borderRadiusMedium },
  columns: {
    display: "grid",
    gridAutoFlow: "column",
    gridAutoColumns: "1fr",
    alignItems: "end",
    columnGap: "2px",
    height: "160px",
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  column: {
    display: "flex",
    flexDirection: "column-reverse",
    minHeight: 0,
  },
  columnPart: { display: "block", width: "100%" },
  axis: {
    display: "grid",
    gridAutoFlow: "column",
    gridAutoColumns: "1fr",
    columnGap: "2px",
    color: tokens.colorNeutralForeground3,
  },
  tick: { whiteSpace: "nowrap", overflow: "visible" },
  scale: { color: tokens.colorNeutralForeground3 },
  tableWrap: { overflowX: "auto" },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
});

/** One series of a chart: its name in the legend and its colour (a Fluent token). */
export type Series = { key: string; label: string; color: string };

/**
 * A dashboard card with a visible title, an accessible name, the chart or its
 * table (the "Show as table" toggle), or a sentence when there is nothing to draw.
 */
export function ChartCard({
  testId,
  title,
  description,
  empty,
  chart,
  table,
  action,
  className,
}: {
  testId: string;
  title: string;
  description?: string;
  /** A sentence instead of the chart when every figure is zero; `null` draws it. */
  empty: string | null;
  chart: ReactNode;
  table: ReactNode;
  /** A link next to the title (e.g. to the page the figures come from). */
  action?: ReactNode;
  className?: string;
}) {
  const styles = useStyles();
  const titleId = useId();
  const [asTable, setAsTable] = useState(false);
  return (
    <Card
      className={mergeClasses(styles.card, className)}
      role="region"
      aria-labelledby={titleId}
      data-testid={testId}
    >
      <CardHeader
        header={
          <Subtitle2 as="h2" id={titleId}>
            {title}
          </Subtitle2>
        }
        {...(description === undefined ? {} : { description })}
        action={
          <span className={styles.actions}>
            {action}
            {empty === null ? (
              <ToggleButton
                appearance="subtle"
                size="small"
                icon={<Table20Regular />}
                checked={asTable}
                onClick={() => setAsTable((shown) => !shown)}
                data-testid={`${testId}-toggle`}
              >
                Show as table
              </ToggleButton>
            ) : null}
          </span>
        }
      />
      {empty !== null ? (
        <Text as="p" block className={styles.paragraph} data-testid={`${testId}-empty`}>
          {empty}
        </Text>
      ) : asTable ? (
        <div className={styles.tableWrap} data-testid={`${testId}-table`}>
          {table}
        </div>
      ) : (
        chart
      )}
    </Card>
  );
}

export function Legend({ series }: { series: readonly Series[] }) {
  const styles = useStyles();
  return (
    <ul className={styles.legend} aria-label="Legend">
      {series.map((s) => (
        <li key={s.key} className={styles.legendItem}>
          <span className={styles.swatch} style={{ backgroundColor: s.color }} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/** A segment of a stacked bar: a value of one series, and where it leads. */
export type Segment = { series: Series; value: number; href: string; testId: string };

export type StackedRow = { key: string; label: string; segments: readonly Segment[] };

/**
 * Horizontal stacked bars, one per row, on one scale (the largest row fills
 * the width). Each segment is a link named "<row>, <series>: <value> <unit>".
 */
export function StackedBars({
  label,
  rows,
  series,
  unit,
}: {
  label: string;
  rows: readonly StackedRow[];
  series: readonly Series[];
  unit: (n: number) => string;
}) {
  const styles = useStyles();
  const totals = rows.map((row) => row.segments.reduce((sum, s) => sum + s.value, 0));
  const max = Math.max(1, ...totals);
  return (
    <div role="group" aria-label={label}>
      <Legend series={series} />
      <ul className={styles.rows} style={{ marginTop: tokens.spacingVerticalM }}>
        {rows.map((row, i) => {
          const total = totals[i] ?? 0;
          return (
            <li key={row.key} className={styles.row}>
              <Text className={styles.rowLabel} title={row.label}>
                {row.label}
              </Text>
              <div className={styles.track}>
                <div className={styles.stack} style={{ width: `${(total / max) * 100}%` }}>
                  {row.segments
                    .filter((s) => s.value > 0)
                    .map((s) => {
                      const name = `${row.label}, ${s.series.label}: ${unit(s.value)}`;
                      return (
                        <a
                          key={s.series.key}
                          href={s.href}
                          className={styles.segment}
                          style={{
                            flexGrow: s.value,
                            flexBasis: 0,
                            backgroundColor: s.series.color,
                          }}
                          aria-label={name}
                          title={name}
                          data-testid={s.testId}
                        />
                      );
                    })}
                </div>
              </div>
              <span className={styles.value}>{formatCount(total)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export type BarRow = {
  key: string;
  label: string;
  caption?: string;
  value: number;
  /** Where the bar leads; `undefined` for a bar that is not a link ("Other models"). */
  href?: string;
  /** The bar's colour when not the chart's (a rest such as "Other models"). */
  color?: string;
  testId: string;
};

/** Horizontal bars, largest first as given; a bar with a link is a link as a whole row. */
export function BarList({
  label,
  rows,
  color,
  unit,
}: {
  label: string;
  rows: readonly BarRow[];
  color: string;
  unit: (n: number) => string;
}) {
  const styles = useStyles();
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul className={styles.rows} aria-label={label}>
      {rows.map((row) => {
        const name = `${row.label}${row.caption === undefined ? "" : ` (${row.caption})`}: ${unit(row.value)}`;
        const content = (
          <>
            <span className={styles.rowLabel} title={row.label}>
              <Text className={row.href === undefined ? undefined : styles.linkLabel}>
                {row.label}
              </Text>
              {row.caption === undefined ? null : (
                <Text size={200} className={styles.caption}>
                  {" "}
                  {row.caption}
                </Text>
              )}
            </span>
            <span className={styles.track} aria-hidden="true">
              <span
                className={mergeClasses("bar", styles.bar)}
                style={{
                  width: `${(row.value / max) * 100}%`,
                  backgroundColor: row.color ?? color,
                }}
              />
            </span>
            <span className={styles.value} aria-hidden="true">
              {formatCount(row.value)}
            </span>
          </>
        );
        return (
          <li key={row.key}>
            {row.href === undefined ? (
              <div className={styles.row} aria-label={name} role="group" data-testid={row.testId}>
                {content}
              </div>
            ) : (
              <a
                href={row.href}
                className={mergeClasses(styles.row, styles.linkRow)}
                aria-label={name}
                data-testid={row.testId}
              >
                {content}
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export type Column = {
  key: string;
  /** The axis label ("Nov 26"). */
  label: string;
  values: readonly { series: Series; value: number }[];
  testId: string;
};

/**
 * Vertical stacked columns (a day each), on one scale. Every seventh label and
 * the last (unless too close to the one before) are written on the axis; each column is named in full for screen
 * readers and as a tooltip.
 */
export function StackedColumns({
  label,
  columns,
  series,
}: {
  label: string;
  columns: readonly Column[];
  series: readonly Series[];
}) {
  const styles = useStyles();
  const totals = columns.map((c) => c.values.reduce((sum, v) => sum + v.value, 0));
  const max = Math.max(1, ...totals);
  const last = columns.length - 1;
  return (
    <div role="group" aria-label={label}>
      <Legend series={series} />
      <Text
        size={200}
        block
        className={styles.scale}
        style={{ marginTop: tokens.spacingVerticalS }}
      >
        Highest day: {formatCount(Math.max(0, ...totals))}
      </Text>
      <ul className={styles.columns} style={{ listStyle: "none", margin: 0, padding: 0 }}>
        {columns.map((column, i) => {
          const total = totals[i] ?? 0;
          const name = `${column.label}: ${column.values
            .map((v) => `${formatCount(v.value)} ${v.series.label.toLowerCase()}`)
            .join(", ")}`;
          return (
            <li
              key={column.key}
              className={styles.column}
              style={{ height: `${(total / max) * 100}%` }}
              aria-label={name}
              title={name}
              data-testid={column.testId}
            >
              {column.values
                .filter((v) => v.value > 0)
                .map((v) => (
                  <span
                    key={v.series.key}
                    className={styles.columnPart}
                    style={{ flexGrow: v.value, flexBasis: 0, backgroundColor: v.series.color }}
                  />
                ))}
            </li>
          );
        })}
      </ul>
      <div className={styles.axis} aria-hidden="true">
        {columns.map((column, i) => (
          <Text key={column.key} size={200} className={styles.tick}>
            {(i % 7 === 0 && last - i >= 4) || i === last ? column.label : ""}
          </Text>
        ))}
      </div>
    </div>
  );
}

/** A plain table for a chart's "Show as table": a header row, then rows of cells. */
export function FigureTable({
  label,
  head,
  rows,
  numeric,
}: {
  label: string;
  head: readonly string[];
  rows: readonly { key: string; cells: readonly ReactNode[] }[];
  /** Which columns hold numbers (right-aligned). */
  numeric: readonly number[];
}) {
  const styles = useStyles();
  return (
    <Table size="small" aria-label={label}>
      <TableHeader>
        <TableRow>
          {head.map((h, i) => (
            <TableHeaderCell key={h} className={numeric.includes(i) ? styles.number : undefined}>
              {h}
            </TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.key}>
            {row.cells.map((cell, i) => (
              <TableCell key={i} className={numeric.includes(i) ? styles.number : undefined}>
                {cell}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
