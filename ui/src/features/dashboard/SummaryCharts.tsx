import {
  Badge,
  Card,
  CardHeader,
  Link,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DEVICE_PATHS, PROFILE_PATHS, TOKEN_PATHS, hrefTo } from "../../app/paths";
import type { DashboardSummary } from "../../bindings/DashboardSummary";
import type { DashboardToken } from "../../bindings/DashboardToken";
import type { DashboardExpiry } from "../../bindings/DashboardExpiry";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDay,
  plural,
} from "../../components/format";
import {
  familyLabel,
  isKnownPlatform,
  platformDevices,
  platformLabel,
} from "../../components/platforms";
import {
  BarList,
  ChartCard,
  FigureTable,
  StackedBars,
  StackedColumns,
  type BarRow,
  type Series,
} from "./charts";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(420px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  wide: { gridColumn: "1 / -1" },
  card: { padding: tokens.spacingHorizontalL, minWidth: 0 },
  paragraph: { margin: 0 },
  bigNumber: {
    margin: 0,
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
  },
  lines: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  timeline: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  expiry: {
    display: "grid",
    gridTemplateColumns: "minmax(160px, 3fr) minmax(80px, 2fr) max-content",
    columnGap: tokens.spacingHorizontalM,
    alignItems: "center",
  },
  expiryName: { display: "flex", flexDirection: "column", minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  nowrap: { whiteSpace: "nowrap" },
  track: {
    height: "8px",
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralStroke3,
    overflow: "hidden",
  },
  bar: { height: "100%", minWidth: "4px", borderRadius: tokens.borderRadiusCircular },
  tableWrap: { overflowX: "auto" },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
  bad: { color: tokens.colorStatusDangerForeground1, fontWeight: tokens.fontWeightSemibold },
  error: {
    display: "-webkit-box",
    WebkitLineClamp: 2,
    WebkitBoxOrient: "vertical",
    overflow: "hidden",
    maxWidth: "360px",
  },
});

const devices = (n: number) => plural(n, "device", "devices");

// ---- 1. Devices per token by profile status --------------------------------

/** Apple's profile statuses, in the order a device goes through them. */
export const STATUS_SERIES: readonly Series[] = [
  { key: "empty", label: "No profile", color: tokens.colorNeutralStrokeAccessible },
  { key: "assigned", label: "Assigned", color: tokens.colorBrandBackground },
  { key: "pushed", label: "Pushed", color: tokens.colorPaletteGreenBorderActive },
  { key: "removed", label: "Removed", color: tokens.colorPaletteMarigoldBorderActive },
];

const countOf = (token: DashboardToken, status: string) =>
  token.byStatus.find((c) => c.label === status)?.count ?? 0;

const statusHref = (tokenId: string, status: string) =>
  `#${DEVICE_PATHS.filtered({ token: tokenId, status })}`;

function TokenStatusChart({ summary }: { summary: DashboardSummary }) {
  const rows = summary.tokens.map((token) => ({
    key: token.id,
    label: token.name,
    segments: STATUS_SERIES.map((series) => ({
      series,
      value: countOf(token, series.key),
      href: statusHref(token.id, series.key),
      testId: `status-${token.id}-${series.key}`,
    })),
  }));
  const total = rows.reduce((sum, r) => sum + r.segments.reduce((s, x) => s + x.value, 0), 0);
  const title = "Devices per token by profile status";
  return (
    <ChartCard
      testId="chart-status"
      title={title}
      description="Select a part of a bar to list those devices."
      empty={total === 0 ? "No devices on these tokens yet." : null}
      chart={<StackedBars label={title} rows={rows} series={STATUS_SERIES} unit={devices} />}
      table={
        <FigureTable
          label={title}
          head={["Token", ...STATUS_SERIES.map((s) => s.label), "Total"]}
          numeric={[1, 2, 3, 4, 5]}
          rows={rows.map((row) => ({
            key: row.key,
            cells: [
              row.label,
              ...row.segments.map((s) => (
                <Link key={s.series.key} href={s.href} data-testid={`${s.testId}-cell`}>
                  {formatCount(s.value)}
                </Link>
              )),
              formatCount(row.segments.reduce((sum, s) => sum + s.value, 0)),
            ],
          }))}
        />
      }
    />
  );
}

// ---- 2. Devices by family and by model --------------------------------------

function FamilyChart({ summary }: { summary: DashboardSummary }) {
  const rows: BarRow[] = summary.families.map((f) => ({
    key: f.label,
    label: familyLabel(f.label),
    value: f.count,
    href: `#${DEVICE_PATHS.filtered({ family: f.label })}`,
    testId: `family-${f.label}`,
  }));
  const title = "Devices by family";
  return (
    <ChartCard
      testId="chart-families"
      title={title}
      empty={rows.every((r) => r.value === 0) ? "No devices to count by family yet." : null}
      chart={
        <BarList label={title} rows={rows} color={tokens.colorBrandBackground} unit={devices} />
      }
      table={<BarTable label={title} head="Family" rows={rows} />}
    />
  );
}

function ModelChart({ summary }: { summary: DashboardSummary }) {
  const rows: BarRow[] = summary.models.map((m) => ({
    key: `${m.family}:${m.model}`,
    label: m.model,
    caption: familyLabel(m.family),
    value: m.count,
    href: `#${DEVICE_PATHS.filtered({ family: m.family, model: m.model })}`,
    testId: `model-${m.model}`,
  }));
  if (summary.otherModels > 0) {
    rows.push({
      key: "other",
      label: "Other models",
      value: summary.otherModels,
      color: tokens.colorNeutralStrokeAccessible,
      testId: "model-other",
    });
  }
  const title = "Devices by model";
  return (
    <ChartCard
      testId="chart-models"
      title={title}
      description="The twelve most common models."
      empty={rows.every((r) => r.value === 0) ? "No devices to count by model yet." : null}
      chart={
        <BarList
          label={title}
          rows={rows}
          color={tokens.colorPaletteTealBorderActive}
          unit={devices}
        />
      }
      table={<BarTable label={title} head="Model" rows={rows} />}
    />
  );
}

function BarTable({ label, head, rows }: { label: string; head: string; rows: readonly BarRow[] }) {
  return (
    <FigureTable
      label={label}
      head={[head, "Devices"]}
      numeric={[1]}
      rows={rows.map((row) => ({
        key: row.key,
        cells: [
          row.href === undefined ? (
            row.label
          ) : (
            <Link href={row.href} data-testid={`${row.testId}-cell`}>
              {row.label}
              {row.caption === undefined ? "" : ` (${row.caption})`}
            </Link>
          ),
          formatCount(row.value),
        ],
      }))}
    />
  );
}

// ---- 3. Assignment results over the last 30 days -----------------------------

export const RESULT_SERIES = [
  { key: "assigned", label: "Assigned", color: tokens.colorStatusSuccessBackground3 },
  { key: "failed", label: "Failed", color: tokens.colorStatusDangerBackground3 },
  { key: "throttled", label: "Throttled", color: tokens.colorStatusWarningBackground3 },
  { key: "notSent", label: "Not sent", color: tokens.colorNeutralStrokeAccessible },
] as const satisfies readonly (Series & { key: keyof DashboardSummary["assignments"][number] })[];

function AssignmentChart({ summary }: { summary: DashboardSummary }) {
  const columns = summary.assignments.map((day) => ({
    key: day.date,
    label: formatDay(day.date),
    values: RESULT_SERIES.map((series) => ({ series, value: day[series.key] })),
    testId: `day-${day.date}`,
  }));
  const total = columns.reduce((sum, c) => sum + c.values.reduce((s, v) => s + v.value, 0), 0);
  const title = "Assignment results, last 30 days";
  return (
    <ChartCard
      testId="chart-assignments"
      title={title}
      description="Each device of the day's assignment runs (UTC): accepted by Apple, failed or not accessible, throttled, or not sent (cooldown, run stopped)."
      empty={total === 0 ? "No profile was assigned in the last 30 days." : null}
      chart={<StackedColumns label={title} columns={columns} series={RESULT_SERIES} />}
      table={
        <FigureTable
          label={title}
          head={["Day", ...RESULT_SERIES.map((s) => s.label)]}
          numeric={[1, 2, 3, 4]}
          rows={columns
            .filter((c) => c.values.some((v) => v.value > 0))
            .map((c) => ({
              key: c.key,
              cells: [c.label, ...c.values.map((v) => formatCount(v.value))],
            }))}
        />
      }
    />
  );
}

// ---- 4. Sync health ----------------------------------------------------------

function SyncHealth({ summary }: { summary: DashboardSummary }) {
  const styles = useStyles();
  return (
    <Card
      className={styles.card}
      role="region"
      aria-label="Sync health per token"
      data-testid="dashboard-sync"
    >
      <CardHeader
        header={<Subtitle2 as="h2">Sync health</Subtitle2>}
        description="Each token's device sync with Apple."
        action={
          <Link href={hrefTo("sync")} className={styles.nowrap}>
            Open Sync
          </Link>
        }
      />
      <div className={styles.tableWrap}>
        <Table size="small" aria-label="Sync health per token">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Token</TableHeaderCell>
              <TableHeaderCell>Last success</TableHeaderCell>
              <TableHeaderCell className={styles.number}>
                Failures since last success
              </TableHeaderCell>
              <TableHeaderCell className={styles.number}>Failures, 30 days</TableHeaderCell>
              <TableHeaderCell>Next run</TableHeaderCell>
              <TableHeaderCell>Last error</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {summary.tokens.map(({ id, name, sync }) => (
              <TableRow key={id} data-testid={`sync-${id}`}>
                <TableCell>{name}</TableCell>
                <TableCell>
                  {sync.lastSuccessAt === null ? "Never" : formatDateTime(sync.lastSuccessAt)}
                </TableCell>
                <TableCell className={styles.number}>
                  <span className={sync.failuresSinceSuccess > 0 ? styles.bad : undefined}>
                    {formatCount(sync.failuresSinceSuccess)}
                  </span>
                </TableCell>
                <TableCell className={styles.number}>{formatCount(sync.failures30Days)}</TableCell>
                <TableCell>
                  {sync.running
                    ? "Running now"
                    : sync.nextRunAt === null
                      ? "—"
                      : formatDateTime(sync.nextRunAt)}
                </TableCell>
                <TableCell>
                  {sync.lastError === null ? (
                    "—"
                  ) : (
                    <span
                      className={styles.error}
                      title={`${formatDateTime(sync.lastErrorAt)}: ${sync.lastError}`}
                    >
                      {sync.lastError}
                    </span>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </Card>
  );
}

// ---- 5. Expiry timeline ------------------------------------------------------

type Urgency = "danger" | "warning" | "ok";

function urgencyOf(daysLeft: number): Urgency {
  return daysLeft <= 7 ? "danger" : daysLeft <= 30 ? "warning" : "ok";
}

const URGENCY = {
  danger: { badge: "danger", color: tokens.colorStatusDangerBackground3 },
  warning: { badge: "warning", color: tokens.colorStatusWarningBackground3 },
  ok: { badge: "success", color: tokens.colorBrandBackground },
} as const;

/** "Expired", "Expires today", "1 day left", "40 days left". */
export function daysLeftText(daysLeft: number): string {
  if (daysLeft < 0) return "Expired";
  if (daysLeft === 0) return "Expires today";
  return `${plural(daysLeft, "day", "days")} left`;
}

const expiryHref = (e: DashboardExpiry) =>
  e.kind === "vpp" ? hrefTo("vpp") : `#${TOKEN_PATHS.detail(e.id)}`;

const expiryKind = (e: DashboardExpiry) =>
  e.kind === "vpp" ? "Apps and Books token" : "Enrollment program token";

/** The timeline's scale: a year; a token further out fills the bar. */
const TIMELINE_DAYS = 365;

function ExpiryTimeline({ summary }: { summary: DashboardSummary }) {
  const styles = useStyles();
  const expiries = [...summary.expiries].sort((a, b) => a.daysLeft - b.daysLeft);
  const title = "Token expiry";
  return (
    <ChartCard
      testId="chart-expiries"
      title={title}
      description="Enrollment program and Apps and Books tokens, soonest first."
      empty={expiries.length === 0 ? "No token has an expiry date." : null}
      chart={
        <ol className={styles.timeline} aria-label={title}>
          {expiries.map((e) => {
            const urgency = URGENCY[urgencyOf(e.daysLeft)];
            const left = Math.min(Math.max(e.daysLeft, 0), TIMELINE_DAYS);
            return (
              <li
                key={`${e.kind}:${e.id}`}
                className={styles.expiry}
                data-testid={`expiry-${e.kind}-${e.id}`}
                data-urgency={urgencyOf(e.daysLeft)}
              >
                <span className={styles.expiryName}>
                  <Link href={expiryHref(e)}>{e.name}</Link>
                  <Text size={200} className={styles.muted}>
                    {expiryKind(e)}, {formatDate(e.expiresAt)}
                  </Text>
                </span>
                <span className={styles.track} aria-hidden="true">
                  <span
                    className={styles.bar}
                    style={{
                      display: "block",
                      width: `${(left / TIMELINE_DAYS) * 100}%`,
                      backgroundColor: urgency.color,
                    }}
                  />
                </span>
                <Badge appearance="tint" color={urgency.badge} shape="rounded">
                  {daysLeftText(e.daysLeft)}
                </Badge>
              </li>
            );
          })}
        </ol>
      }
      table={
        <FigureTable
          label={title}
          head={["Token", "Kind", "Expires", "Days left"]}
          numeric={[3]}
          rows={expiries.map((e) => ({
            key: `${e.kind}:${e.id}`,
            cells: [
              <Link key="name" href={expiryHref(e)}>
                {e.name}
              </Link>,
              expiryKind(e),
              formatDate(e.expiresAt),
              e.daysLeft < 0 ? "Expired" : formatCount(e.daysLeft),
            ],
          }))}
        />
      }
    />
  );
}

// ---- 6. Devices waiting for a default profile --------------------------------

/**
 * PLT-2: devices without a profile whose platform has no default on their
 * token, summed over the tokens (each token's page has its own count).
 */
function WithoutDefault({ summary }: { summary: DashboardSummary }) {
  const styles = useStyles();
  const lines = summary.tokens.flatMap((token) =>
    token.waitingForDefault
      .filter((c) => c.count > 0 && isKnownPlatform(c.label))
      .map((c) => ({ token, platform: c.label, count: c.count })),
  );
  const total = lines.reduce((sum, line) => sum + line.count, 0);
  return (
    <Card
      className={styles.card}
      role="region"
      aria-label="Devices waiting for a default profile"
      data-testid="dashboard-without-default"
    >
      <CardHeader
        header={<Subtitle2 as="h2">Devices waiting for a default profile</Subtitle2>}
        description="A sync gives a new device the default profile of its own platform only."
      />
      <p className={styles.bigNumber} data-testid="count-without-default">
        {formatCount(total)}
      </p>
      {lines.length === 0 ? (
        <Text as="p" block className={styles.paragraph}>
          Every platform with new devices has a default profile.
        </Text>
      ) : (
        <ul className={styles.lines}>
          {lines.map((line) => (
            <li
              key={`${line.token.id}:${line.platform}`}
              data-testid={`without-default-${line.token.id}-${line.platform}`}
            >
              {platformDevices(line.platform, line.count)} on{" "}
              <Link href={`#${TOKEN_PATHS.detail(line.token.id)}`}>{line.token.name}</Link>: no{" "}
              {platformLabel(line.platform)} default.{" "}
              <Link href={`#${PROFILE_PATHS.forToken(line.token.id)}`}>Set one</Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** The dashboard's charts, all from one `dashboard.summary`. */
export function SummaryCharts({ summary }: { summary: DashboardSummary }) {
  const styles = useStyles();
  return (
    <div className={styles.grid} data-testid="dashboard-charts">
      <div className={styles.wide}>
        <TokenStatusChart summary={summary} />
      </div>
      <WithoutDefault summary={summary} />
      <ExpiryTimeline summary={summary} />
      <FamilyChart summary={summary} />
      <ModelChart summary={summary} />
      <div className={styles.wide}>
        <AssignmentChart summary={summary} />
      </div>
      <div className={styles.wide}>
        <SyncHealth summary={summary} />
      </div>
    </div>
  );
}
