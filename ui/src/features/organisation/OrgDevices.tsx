import {
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowDownload20Regular, Search20Regular } from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { call, useOrgDevices } from "../../app/api";
import { todayStamp } from "../../app/clock";
import { saveOutput } from "../../app/files";
import { useCan } from "../../app/session";
import type { OrgAccountDto } from "../../bindings/OrgAccountDto";
import type { OrgActivityRequest } from "../../bindings/OrgActivityRequest";
import type { OrgDeviceListRequest } from "../../bindings/OrgDeviceListRequest";
import { ErrorState } from "../../components/ErrorState";
import { LoadingState } from "../../components/LoadingState";
import { formatCount, formatDate, plural } from "../../components/format";
import { useDebounced } from "../../components/useDebounced";
import { ActivityDialog } from "./ActivityDialog";
import { StatusBadge, purchaseSource } from "./badges";
import { OrgDeviceDrawer } from "./OrgDeviceDrawer";

/** The table shows this many devices at most; the CSV has them all. */
export const ORG_DEVICE_LIMIT = 500;
const SEARCH_DEBOUNCE_MS = 300;

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  filters: {
    display: "flex",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
  },
  search: { minWidth: "240px" },
  actions: {
    display: "flex",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  serials: { minWidth: "280px" },
  tableWrap: { overflowX: "auto" },
  table: { tableLayout: "auto" },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  muted: { color: tokens.colorNeutralForeground3 },
  nowrap: { whiteSpace: "nowrap" },
});

type ServerOption = { accountId: string; id: string; label: string };

/** Every account's servers, named with their account when there are several accounts. */
function serverOptions(accounts: readonly OrgAccountDto[]): ServerOption[] {
  return accounts.flatMap((account) =>
    account.servers.map((server) => ({
      accountId: account.id,
      id: server.id,
      label: accounts.length > 1 ? `${server.name} (${account.name})` : server.name,
    })),
  );
}

/** Serials typed or pasted: one per line, or separated by commas or spaces. */
export function parseSerials(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
}

type StatusFilter = "all" | "assigned" | "unassigned";

/**
 * ORG: every device the organisation owns, filtered, with a CSV export, and
 * assign/unassign to an MDM server for ticked or pasted serials.
 */
export function OrgDevices({ accounts }: { accounts: readonly OrgAccountDto[] }) {
  const styles = useStyles();
  const canManage = useCan("manage");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [server, setServer] = useState("");
  const [search, setSearch] = useState("");
  const [settledSearch] = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [pasted, setPasted] = useState("");
  const [target, setTarget] = useState("");
  const [openSerial, setOpenSerial] = useState<string | null>(null);
  const [activity, setActivity] = useState<OrgActivityRequest | null>(null);

  const options = useMemo(() => serverOptions(accounts), [accounts]);

  const filter: OrgDeviceListRequest = useMemo(
    () => ({
      ...(status === "all" ? {} : { status }),
      ...(server === "" ? {} : { server }),
      ...(settledSearch === "" ? {} : { search: settledSearch }),
    }),
    [status, server, settledSearch],
  );
  const request = useMemo(() => ({ ...filter, limit: ORG_DEVICE_LIMIT }), [filter]);
  const list = useOrgDevices(request);
  const devices = list.data?.devices ?? [];

  const exporter = useMutation({
    mutationFn: () =>
      saveOutput({
        fileName: `depot-organisation-devices-${todayStamp()}.csv`,
        filterName: "CSV file",
        extensions: ["csv"],
        mimeType: "text/csv",
        produce: async () => {
          const result = await call("org.export", filter);
          return { result, text: result.text };
        },
      }),
  });

  const serials = useMemo(
    () => [...new Set([...selected, ...parseSerials(pasted)])],
    [selected, pasted],
  );
  const targetOption = options.find((o) => o.id === target);
  const canStart = serials.length > 0 && targetOption !== undefined;
  const open = (kind: "assign" | "unassign") => {
    if (!targetOption) return;
    setActivity({
      ...(accounts.length > 1 ? { account: targetOption.accountId } : {}),
      kind,
      server: targetOption.id,
      serials,
    });
  };

  const toggle = (serial: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(serial);
      else next.delete(serial);
      return next;
    });
  const allTicked = devices.length > 0 && devices.every((d) => selected.has(d.serial));
  const someTicked = devices.some((d) => selected.has(d.serial));

  return (
    <div className={styles.root}>
      <div className={styles.filters}>
        <Field label="Status">
          <Select
            value={status}
            onChange={(_, data) => setStatus(data.value as StatusFilter)}
            data-testid="org-filter-status"
          >
            <option value="all">All</option>
            <option value="assigned">Assigned</option>
            <option value="unassigned">Unassigned</option>
          </Select>
        </Field>
        <Field label="MDM server">
          <Select
            value={server}
            onChange={(_, data) => setServer(data.value)}
            data-testid="org-filter-server"
          >
            <option value="">All servers</option>
            {options.map((o) => (
              <option key={`${o.accountId}/${o.id}`} value={o.id}>
                {o.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Search" className={styles.search}>
          <Input
            value={search}
            onChange={(_, data) => setSearch(data.value)}
            contentBefore={<Search20Regular />}
            placeholder="Serial, model, order number…"
            data-testid="org-search"
          />
        </Field>
        <Button
          icon={<ArrowDownload20Regular />}
          onClick={() => exporter.mutate()}
          disabled={exporter.isPending}
          data-testid="org-export"
        >
          {exporter.isPending ? "Exporting…" : "Export CSV"}
        </Button>
      </div>
      {exporter.isError ? (
        <ErrorState title="Couldn't export the devices" error={exporter.error} />
      ) : exporter.data ? (
        <MessageBar intent="success" data-testid="org-export-done">
          <MessageBarBody>
            {plural(exporter.data.result.rows, "device", "devices")} exported{" "}
            {exporter.data.download ? "as" : "to"} {exporter.data.savedTo}.
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {canManage ? (
        <div className={styles.actions} data-testid="org-actions">
          <Field
            label="Serial numbers"
            hint="Tick devices in the table, or paste serial numbers here (one per line)."
            className={styles.serials}
          >
            <Textarea
              value={pasted}
              onChange={(_, data) => setPasted(data.value)}
              resize="vertical"
              data-testid="org-serials"
            />
          </Field>
          <Field label="MDM server">
            <Select
              value={target}
              onChange={(_, data) => setTarget(data.value)}
              data-testid="org-server-picker"
            >
              <option value="">Choose a server…</option>
              {options.map((o) => (
                <option key={`${o.accountId}/${o.id}`} value={o.id}>
                  {o.label}
                </option>
              ))}
            </Select>
          </Field>
          <Button
            appearance="primary"
            disabled={!canStart}
            onClick={() => open("assign")}
            data-testid="org-assign"
          >
            Assign to server
          </Button>
          <Button disabled={!canStart} onClick={() => open("unassign")} data-testid="org-unassign">
            Unassign from server
          </Button>
          <Caption1 className={styles.muted} data-testid="org-selected-count">
            {plural(serials.length, "device", "devices")} chosen
          </Caption1>
        </div>
      ) : null}

      {list.isPending ? (
        <LoadingState label="Loading the organisation's devices…" />
      ) : list.isError ? (
        <ErrorState
          title="Couldn't load the organisation's devices"
          error={list.error}
          onRetry={() => void list.refetch()}
          retrying={list.isFetching}
        />
      ) : devices.length === 0 ? (
        <Caption1 className={styles.muted} data-testid="org-devices-none">
          No devices match.
        </Caption1>
      ) : (
        <>
          <Caption1 className={styles.muted} data-testid="org-devices-shown">
            {devices.length >= ORG_DEVICE_LIMIT
              ? `First ${formatCount(ORG_DEVICE_LIMIT)} shown: narrow the filters, or export the CSV for all of them.`
              : `${plural(devices.length, "device", "devices")}`}
          </Caption1>
          <div className={styles.tableWrap}>
            <Table
              size="small"
              aria-label="Organisation devices"
              className={styles.table}
              data-testid="org-devices-table"
            >
              <TableHeader>
                <TableRow>
                  {canManage ? (
                    <TableHeaderCell>
                      <Checkbox
                        aria-label="Tick every device shown"
                        checked={allTicked ? true : someTicked ? "mixed" : false}
                        onChange={(_, data) =>
                          setSelected((current) => {
                            const next = new Set(current);
                            for (const d of devices) {
                              if (data.checked === true) next.add(d.serial);
                              else next.delete(d.serial);
                            }
                            return next;
                          })
                        }
                        data-testid="org-select-all"
                      />
                    </TableHeaderCell>
                  ) : null}
                  <TableHeaderCell>Serial number</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>MDM server</TableHeaderCell>
                  <TableHeaderCell>Model</TableHeaderCell>
                  <TableHeaderCell>Family</TableHeaderCell>
                  <TableHeaderCell>Colour</TableHeaderCell>
                  <TableHeaderCell>Capacity</TableHeaderCell>
                  <TableHeaderCell>Order number</TableHeaderCell>
                  <TableHeaderCell>Order date</TableHeaderCell>
                  <TableHeaderCell>Purchase source</TableHeaderCell>
                  <TableHeaderCell>Added</TableHeaderCell>
                  <TableHeaderCell>Released</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {devices.map((d) => (
                  <TableRow key={d.serial} data-testid={`org-row-${d.serial}`}>
                    {canManage ? (
                      <TableCell>
                        <Checkbox
                          aria-label={`Tick ${d.serial}`}
                          checked={selected.has(d.serial)}
                          onChange={(_, data) => toggle(d.serial, data.checked === true)}
                          data-testid={`org-select-${d.serial}`}
                        />
                      </TableCell>
                    ) : null}
                    <TableCell className={styles.mono}>
                      <Link
                        as="button"
                        onClick={() => setOpenSerial(d.serial)}
                        data-testid={`org-open-${d.serial}`}
                      >
                        {d.serial}
                      </Link>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={d.status} testId={`org-status-${d.serial}`} />
                    </TableCell>
                    <TableCell>{d.serverName ?? "—"}</TableCell>
                    <TableCell>{d.model || "—"}</TableCell>
                    <TableCell>{d.family || "—"}</TableCell>
                    <TableCell>{d.color || "—"}</TableCell>
                    <TableCell>{d.capacity || "—"}</TableCell>
                    <TableCell className={styles.mono}>{d.orderNumber || "—"}</TableCell>
                    <TableCell className={styles.nowrap}>{formatDate(d.orderedAt)}</TableCell>
                    <TableCell>{purchaseSource(d)}</TableCell>
                    <TableCell className={styles.nowrap}>{formatDate(d.addedAt)}</TableCell>
                    <TableCell className={styles.nowrap}>{formatDate(d.releasedAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      )}
      <OrgDeviceDrawer serial={openSerial} onClose={() => setOpenSerial(null)} />
      {activity !== null ? (
        <ActivityDialog request={activity} onClose={() => setActivity(null)} />
      ) : null}
    </div>
  );
}
