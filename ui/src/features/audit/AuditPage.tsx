import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowDownload20Regular,
  ChevronDown16Regular,
  ChevronRight16Regular,
  DocumentBulletList20Regular,
  Dismiss16Regular,
} from "@fluentui/react-icons";
import { keepPreviousData, useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { call, queryKeys } from "../../app/api";
import { todayStamp } from "../../app/clock";
import { dateInputKind, saveOutput } from "../../app/files";
import type { AuditEntry } from "../../bindings/AuditEntry";
import type { AuditFilter } from "../../bindings/AuditFilter";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatCount, formatDateTimeSeconds } from "../../components/format";
import { LoadingState } from "../../components/LoadingState";
import { useDebounced } from "../../components/useDebounced";
import { Page } from "../../components/Page";

export const AUDIT_PAGE_SIZE = 100;

const formatTime = formatDateTimeSeconds;

type FilterForm = { action: string; object: string; operator: string; from: string; to: string };
const NO_FILTER: FilterForm = { action: "", object: "", operator: "", from: "", to: "" };

/** A whole YYYY-MM-DD date that exists (typed dates arrive a digit at a time). */
function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Only the filters the admin set; the backend treats a missing one as "any". */
function toFilter(form: FilterForm): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ["action", "object", "operator", "from", "to"] as const) {
    const text = form[key].trim();
    if (text === "") continue;
    if ((key === "from" || key === "to") && !isDay(text)) continue;
    filter[key] = text;
  }
  return filter;
}

const useStyles = makeStyles({
  origin: { color: tokens.colorNeutralForeground3 },
  toolbar: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
  },
  filterWide: { width: "200px" },
  filterDate: { width: "160px" },
  table: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    overflow: "hidden",
  },
  time: { whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" },
  action: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  changes: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(280px, 1fr))",
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} 0 ${tokens.spacingVerticalM}`,
  },
  json: {
    margin: 0,
    marginTop: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    maxHeight: "260px",
    overflow: "auto",
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
  },
  muted: { color: tokens.colorNeutralForeground3 },
  footer: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
  },
});

function prettyJson(text: string | null): string {
  if (text === null) return "—";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const hasChanges = entry.before !== null || entry.after !== null;
  return (
    <Fragment>
      <TableRow data-testid="audit-row" data-entry-id={entry.id}>
        <TableCell className={styles.time}>{formatTime(entry.at)}</TableCell>
        <TableCell>
          {entry.operator}
          {entry.origin !== undefined && <span className={styles.origin}> · {entry.origin}</span>}
        </TableCell>
        <TableCell className={styles.action}>{entry.action}</TableCell>
        <TableCell>{entry.object}</TableCell>
        <TableCell>
          {hasChanges ? (
            <Button
              size="small"
              appearance="subtle"
              icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
              aria-expanded={open}
              onClick={() => setOpen(!open)}
              data-testid="audit-toggle"
            >
              {open ? "Hide" : "Show"}
            </Button>
          ) : (
            <span className={styles.muted}>—</span>
          )}
        </TableCell>
      </TableRow>
      {open ? (
        <TableRow data-testid="audit-changes">
          <TableCell colSpan={5}>
            <div className={styles.changes}>
              <div>
                <Caption1>Before</Caption1>
                <pre className={styles.json}>{prettyJson(entry.before)}</pre>
              </div>
              <div>
                <Caption1>After</Caption1>
                <pre className={styles.json}>{prettyJson(entry.after)}</pre>
              </div>
            </div>
          </TableCell>
        </TableRow>
      ) : null}
    </Fragment>
  );
}

export function AuditPage() {
  const styles = useStyles();
  const [form, setForm] = useState<FilterForm>(NO_FILTER);
  const dateInput = dateInputKind();
  // Typing in a text filter asks the backend once the admin pauses.
  const [debounced] = useDebounced(form, 300);
  // The drop-down and the dates apply at once; only typing waits for a pause.
  const filter = toFilter({
    ...debounced,
    action: form.action,
    from: form.from,
    to: form.to,
  });
  const filtering = Object.values(form).some((value) => value.trim() !== "");
  const set = (patch: Partial<FilterForm>) => setForm((current) => ({ ...current, ...patch }));

  const list = useInfiniteQuery({
    queryKey: [...queryKeys.audit, filter],
    queryFn: ({ pageParam }) =>
      call("audit.list", {
        filter,
        ...(pageParam === null ? {} : { before: pageParam }),
        limit: AUDIT_PAGE_SIZE,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextBefore,
    // Keep showing the current rows (and the toolbar, with focus) while a new filter loads.
    placeholderData: keepPreviousData,
  });

  const knownActions = list.data?.pages[0]?.actions ?? [];

  const exporter = useMutation({
    mutationFn: () =>
      saveOutput({
        fileName: `depot-audit-${todayStamp()}.csv`,
        filterName: "CSV file",
        extensions: ["csv"],
        mimeType: "text/csv",
        produce: async () => {
          const result = await call("audit.export", { filter: toFilter(form) });
          return { result, text: result.csv };
        },
      }),
  });

  const entries = list.data?.pages.flatMap((page) => page.entries) ?? [];
  const neverUsed =
    list.isSuccess && entries.length === 0 && !filtering && knownActions.length === 0;

  return (
    <Page
      testId="audit"
      title="Audit log"
      description="A permanent record of every change made in this workspace."
      actions={
        neverUsed || list.isPending ? undefined : (
          <Button
            icon={<ArrowDownload20Regular />}
            onClick={() => exporter.mutate()}
            disabled={exporter.isPending}
            data-testid="audit-export"
          >
            {exporter.isPending ? "Exporting…" : "Export CSV"}
          </Button>
        )
      }
    >
      {list.isPending ? (
        <LoadingState label="Loading audit log…" />
      ) : list.isError ? (
        <ErrorState
          title="Couldn't load the audit log"
          error={list.error}
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : neverUsed ? (
        <EmptyState
          testId="audit-empty"
          icon={<DocumentBulletList20Regular />}
          title="No changes recorded yet"
        >
          <p style={{ margin: 0 }}>
            Adding, renewing or deleting a token, editing a profile, assigning devices and changing
            settings each leave an entry here: when it happened, who did it, what it touched and
            what changed. Entries can never be edited or removed.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className={styles.toolbar} role="search" aria-label="Filter the audit log">
            <Field label="Action">
              <Select
                className={styles.filterWide}
                value={form.action}
                onChange={(_, data) => set({ action: data.value })}
                data-testid="audit-filter-action"
              >
                <option value="">All actions</option>
                {knownActions.map((action) => (
                  <option key={action} value={action}>
                    {action}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Object">
              <Input
                className={styles.filterWide}
                value={form.object}
                placeholder="Name or id contains…"
                onChange={(_, data) => set({ object: data.value })}
                data-testid="audit-filter-object"
              />
            </Field>
            <Field label="Operator">
              <Input
                className={styles.filterWide}
                value={form.operator}
                onChange={(_, data) => set({ operator: data.value })}
                data-testid="audit-filter-operator"
              />
            </Field>
            {(["from", "to"] as const).map((key) => (
              <Field
                key={key}
                label={key === "from" ? "From" : "To"}
                {...(form[key].trim() !== "" && !isDay(form[key].trim())
                  ? { validationMessage: "A date as YYYY-MM-DD" }
                  : {})}
              >
                <Input
                  type={dateInput}
                  {...(dateInput === "text" ? { placeholder: "YYYY-MM-DD" } : {})}
                  className={styles.filterDate}
                  value={form[key]}
                  onChange={(_, data) => set({ [key]: data.value })}
                  data-testid={`audit-filter-${key}`}
                />
              </Field>
            ))}
            {filtering ? (
              <Button
                appearance="subtle"
                icon={<Dismiss16Regular />}
                onClick={() => setForm(NO_FILTER)}
                data-testid="audit-clear-filters"
              >
                Clear filters
              </Button>
            ) : null}
          </div>
          {exporter.isError ? (
            <ErrorState title="Couldn't export the audit log" error={exporter.error} />
          ) : exporter.data ? (
            <MessageBar intent="success" layout="multiline" data-testid="audit-exported">
              <MessageBarBody>
                Exported {formatCount(exporter.data.result.rows)}{" "}
                {exporter.data.result.rows === 1 ? "entry" : "entries"}
                {exporter.data.download ? " as " : " to "}
                {exporter.data.savedTo}.
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {entries.length === 0 ? (
            <MessageBar intent="info" data-testid="audit-no-match">
              <MessageBarBody>No entries match these filters.</MessageBarBody>
            </MessageBar>
          ) : (
            <div className={styles.table}>
              <Table aria-label="Audit log" data-testid="audit-table" size="small">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell style={{ width: "200px" }}>Time</TableHeaderCell>
                    <TableHeaderCell style={{ width: "18%" }}>Operator</TableHeaderCell>
                    <TableHeaderCell style={{ width: "18%" }}>Action</TableHeaderCell>
                    <TableHeaderCell>Object</TableHeaderCell>
                    <TableHeaderCell style={{ width: "110px" }}>Changes</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {entries.map((entry) => (
                    <AuditRow key={entry.id} entry={entry} />
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
          <div className={styles.footer}>
            <Caption1 className={styles.muted} data-testid="audit-shown">
              {formatCount(entries.length)} {entries.length === 1 ? "entry" : "entries"} shown
              {list.hasNextPage ? "; older entries are available" : ""}
            </Caption1>
            {list.hasNextPage ? (
              <Button
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
                data-testid="audit-load-more"
              >
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            ) : null}
          </div>
        </>
      )}
    </Page>
  );
}
