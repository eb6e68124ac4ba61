import {
  Button,
  Caption1,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  OverlayDrawer,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import { useQuery } from "@tanstack/react-query";
import { call, isApiError, useDeviceDetail, useOrgAccounts, useOrgDevice } from "../../app/api";
import { isAssignmentRunReason, type AssignmentRunReason } from "../../app/closedSets";
import { hrefTo } from "../../app/paths";
import type { DeviceFactsDto } from "../../bindings/DeviceFactsDto";
import type { DeviceReplacementDto } from "../../bindings/DeviceReplacementDto";
import type { DeviceHistoryEntry } from "../../bindings/DeviceHistoryEntry";
import type { DeviceRecordDto } from "../../bindings/DeviceRecordDto";
import { ErrorState } from "../../components/ErrorState";
import { useNow } from "../../components/sync/time";
import { Facts, type Fact } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { CoverageCard, OrgStatusBadge, orDash, purchaseSource } from "../../components/orgDevice";
import { ResultBadge, StatusBadge } from "./badges";
import { formatDate, formatDateTime } from "./format";
import { SyncEvents } from "./SyncEvents";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXL,
    paddingBottom: tokens.spacingVerticalXL,
  },
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  heading: {
    margin: 0,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
  table: {
    tableLayout: "auto",
  },
});

const REASON: Record<AssignmentRunReason, string> = {
  manual: "Assigned by hand",
  edit: "Profile edited",
  default: "Default profile",
};

function profileLabel(name: string | null, version: number | null): string {
  if (name === null) return "—";
  return version === null ? name : `${name} · version ${version}`;
}

/** DEV-6: one serial, as every token that lists it sees it, and its profile history. */
export function DeviceDrawer({ serial, onClose }: { serial: string | null; onClose: () => void }) {
  const styles = useStyles();
  const detail = useDeviceDetail(serial);
  return (
    <OverlayDrawer
      open={serial !== null}
      onOpenChange={(_, data) => !data.open && onClose()}
      position="end"
      size="medium"
      data-testid="device-drawer"
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button
              appearance="subtle"
              aria-label="Close"
              icon={<Dismiss24Regular />}
              onClick={onClose}
              data-testid="device-drawer-close"
            />
          }
        >
          {serial ?? ""}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        {detail.isPending ? (
          <LoadingState label="Loading the device…" />
        ) : detail.isError ? (
          <ErrorState
            title="Couldn't load the device"
            error={detail.error}
            onRetry={() => void detail.refetch()}
            retrying={detail.isFetching}
          />
        ) : (
          <div className={styles.body} data-testid="device-detail">
            {detail.data.records.map((record) => (
              <RecordSection key={record.device.tokenId} record={record} />
            ))}
            <OrgSection serial={detail.data.serial} />
            <HistorySection history={detail.data.history} />
          </div>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}

/** "replaced C02… on 2025-01-15", from Apple's replacement details. */
function replacedText(answer: DeviceReplacementDto): string {
  if (answer.originalSerial === null) return "Apple names no replaced device";
  return answer.replacedOn === null
    ? `Replaced ${answer.originalSerial}`
    : `Replaced ${answer.originalSerial} on ${answer.replacedOn}`;
}

/**
 * Which device a replacement device replaced: the kept answer, else Apple is
 * asked once (`devices.replacement`; the backend keeps the answer).
 */
function ReplacementValue({
  tokenId,
  serial,
  facts,
}: {
  tokenId: string;
  serial: string;
  facts: DeviceFactsDto;
}) {
  const styles = useStyles();
  const kept = facts.replacement;
  const asked = useQuery({
    queryKey: ["devices.replacement", tokenId, serial],
    queryFn: () => call("devices.replacement", { tokenId, serial }),
    enabled: kept === null,
    retry: false,
  });
  const answer = kept ?? asked.data ?? null;
  if (answer !== null) return <span data-testid="device-replacement">{replacedText(answer)}</span>;
  if (asked.isError) {
    const reason =
      isApiError(asked.error) || asked.error instanceof Error ? asked.error.message : "";
    return (
      <span data-testid="device-replacement-error">
        A replacement device. Depot couldn&apos;t ask Apple which device it replaced
        {reason ? ` (${reason})` : ""}.{" "}
        <Button
          size="small"
          appearance="transparent"
          onClick={() => void asked.refetch()}
          disabled={asked.isFetching}
          data-testid="device-replacement-retry"
        >
          Ask again
        </Button>
      </span>
    );
  }
  return (
    <Caption1 className={styles.muted} data-testid="device-replacement-pending">
      A replacement device; asking Apple which device it replaced…
    </Caption1>
  );
}

/** Apple's hardware identifiers and replacement flags: only the rows with a value. */
function identifierFacts(record: DeviceRecordDto): Fact[] {
  const f = record.facts;
  const d = record.device;
  const list = (label: string, values: readonly string[], testId: string): Fact[] =>
    values.length === 0
      ? []
      : [
          {
            label: values.length > 1 ? `${label}s` : label,
            value: values.join(", "),
            mono: true,
            testId,
          },
        ];
  const one = (label: string, value: string | null, testId: string): Fact[] =>
    value === null ? [] : [{ label, value, mono: true, testId }];
  return [
    ...list("IMEI", f.imei, "device-imei"),
    ...list("MEID", f.meid, "device-meid"),
    ...one("EID", f.eid, "device-eid"),
    ...one("Wi-Fi MAC", f.wifiMac, "device-wifi-mac"),
    ...one("Bluetooth MAC", f.bluetoothMac, "device-bluetooth-mac"),
    ...one("Ethernet MAC", f.ethernetMac, "device-ethernet-mac"),
    ...(f.isReplacement
      ? [
          {
            label: "Replacement device",
            value: <ReplacementValue tokenId={d.tokenId} serial={d.serial} facts={f} />,
          },
        ]
      : []),
    ...(f.releasedByReplacement
      ? [
          {
            label: "Released",
            value: "Released by a replacement",
            testId: "device-released-by-replacement",
          },
        ]
      : []),
  ];
}

function RecordSection({ record }: { record: DeviceRecordDto }) {
  const styles = useStyles();
  const now = useNow(30_000);
  const d = record.device;
  const apple: Fact[] = [
    { label: "Model", value: d.model || "—" },
    { label: "Description", value: d.description || "—" },
    { label: "Color", value: d.color || "—" },
    { label: "OS", value: d.os ?? "—" },
    { label: "Family", value: d.family || "—" },
    { label: "Asset tag", value: d.assetTag ?? "—" },
    {
      label: "Assigned to the server",
      value:
        d.assignedAt === null
          ? "—"
          : `${formatDateTime(d.assignedAt)}${d.assignedBy ? ` by ${d.assignedBy}` : ""}`,
      testId: "device-assigned",
    },
    {
      label: "Profile status",
      value: <StatusBadge status={d.profileStatus} />,
      testId: "device-profile-status",
    },
    { label: "Apple profile UUID", value: d.profileUuid ?? "—", mono: true },
    { label: "Profile assigned", value: formatDateTime(d.profileAssignedAt) },
    { label: "Profile pushed", value: formatDateTime(d.profilePushedAt) },
  ];
  const identifiers = identifierFacts(record);
  const depot: Fact[] = [
    {
      label: "Depot profile",
      value:
        d.depotProfileName === null
          ? d.profileUuid === null
            ? "None"
            : "A profile not made in Depot"
          : profileLabel(d.depotProfileName, d.depotProfileVersion),
      testId: "device-depot-profile",
    },
    {
      label: "Device name",
      value: record.renderedName ?? "Not set by the profile",
      testId: "device-rendered-name",
    },
    {
      label: "Last assignment",
      value: (
        <>
          <ResultBadge result={d.lastResult} waiting={d.lastRunId !== null} />{" "}
          {d.lastResultAt ? formatDateTime(d.lastResultAt) : null}
        </>
      ),
      testId: "device-last-result",
    },
  ];
  const sync: Fact[] = [
    { label: "In Depot since", value: formatDateTime(record.addedAt), testId: "device-added" },
    {
      label: "Apple's last change",
      value: formatDateTime(record.appleChangedAt),
      testId: "device-apple-changed",
    },
    { label: "Last updated in Depot", value: formatDateTime(record.updatedAt) },
    ...(d.removedAt !== null
      ? [
          {
            label: "Apple stopped listing it",
            value: formatDate(d.removedAt),
            testId: "device-removed",
          },
        ]
      : []),
  ];
  const cooling =
    record.cooldownUntil !== null && Date.parse(record.cooldownUntil) > now
      ? record.cooldownUntil
      : null;

  return (
    <section
      className={styles.section}
      data-testid={`device-record-${d.tokenId}`}
      aria-label={`On ${d.tokenName}`}
    >
      <Subtitle2 as="h2" className={styles.heading}>
        {d.tokenName}
      </Subtitle2>
      {cooling !== null ? (
        <MessageBar intent="warning" layout="multiline" data-testid="device-cooldown">
          <MessageBarBody>
            <MessageBarTitle>Cooling down</MessageBarTitle>
            Apple refused the last change for this device. Depot does not send it again before{" "}
            {formatDateTime(cooling)}.
          </MessageBarBody>
        </MessageBar>
      ) : record.cooldownUntil !== null ? (
        <Caption1 className={styles.muted} data-testid="device-cooldown-over">
          A 24-hour pause after a refusal ended {formatDateTime(record.cooldownUntil)}.
        </Caption1>
      ) : null}
      <Facts facts={apple} testId="device-apple-facts" />
      {identifiers.length > 0 ? <Facts facts={identifiers} testId="device-identifiers" /> : null}
      <Facts facts={depot} testId="device-depot-facts" />
      <Facts facts={sync} testId="device-sync-facts" />
      <Subtitle2 as="h3" className={styles.heading}>
        Sync events
      </Subtitle2>
      <SyncEvents events={record.events} />
    </section>
  );
}

function HistorySection({ history }: { history: readonly DeviceHistoryEntry[] }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-label="Profile history">
      <Subtitle2 as="h2" className={styles.heading}>
        Profile history
      </Subtitle2>
      {history.length === 0 ? (
        <Caption1 className={styles.muted} data-testid="device-history-empty">
          Depot has not sent a profile change for this device yet.
        </Caption1>
      ) : (
        <Table size="small" className={styles.table} data-testid="device-history">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Change</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
              <TableHeaderCell>By</TableHeaderCell>
              <TableHeaderCell>Outcome</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {history.map((entry) => (
              <TableRow
                key={entry.runId}
                data-testid="device-history-row"
                data-outcome={entry.outcome ?? ""}
              >
                <TableCell>{formatDateTime(entry.at ?? entry.startedAt)}</TableCell>
                <TableCell>
                  {entry.kind === "remove"
                    ? "Profile removed"
                    : profileLabel(entry.profileName, entry.profileVersion)}
                </TableCell>
                <TableCell>
                  {isAssignmentRunReason(entry.reason) ? REASON[entry.reason] : entry.reason}
                </TableCell>
                <TableCell>{entry.operator}</TableCell>
                <TableCell>
                  <ResultBadge result={entry.outcome} waiting />
                  {entry.detail ? (
                    <Caption1 className={styles.muted}> {entry.detail}</Caption1>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}

/**
 * The organisation's view of the serial (Apple Business/School Manager API):
 * shown once an account is connected, read when the drawer opens.
 */
function OrgSection({ serial }: { serial: string }) {
  const styles = useStyles();
  const accounts = useOrgAccounts();
  const connected = (accounts.data?.accounts.length ?? 0) > 0;
  const org = useOrgDevice(serial, connected);
  if (!connected) return null;

  let content;
  if (org.isPending) {
    content = <LoadingState label="Asking the organisation…" />;
  } else if (org.isError) {
    const notFound = isApiError(org.error) && org.error.code === "NOT_FOUND";
    content = notFound ? (
      <Caption1 className={styles.muted} data-testid="device-org-missing">
        This device is not in the organisation&apos;s copy. If the organisation owns it, sync the
        account on the <Link href={hrefTo("organisation")}>Organisation</Link> page.
      </Caption1>
    ) : (
      <Caption1 data-testid="device-org-error">
        Couldn&apos;t read the organisation&apos;s view
        {isApiError(org.error) || org.error instanceof Error ? ` (${org.error.message})` : ""}.{" "}
        <Button
          size="small"
          appearance="transparent"
          onClick={() => void org.refetch()}
          disabled={org.isFetching}
          data-testid="device-org-retry"
        >
          Try again
        </Button>
      </Caption1>
    );
  } else {
    const d = org.data.device;
    const facts: Fact[] = [
      {
        label: "Status",
        value: <OrgStatusBadge status={d.status} />,
        testId: "device-org-status",
      },
      { label: "MDM server", value: d.serverName ?? "—", testId: "device-org-server" },
      { label: "Order number", value: orDash(d.orderNumber), mono: true },
      { label: "Order date", value: formatDate(d.orderedAt) },
      { label: "Purchase source", value: purchaseSource(d) },
    ];
    content = (
      <>
        <Facts facts={facts} testId="device-org-facts" />
        <Subtitle2 as="h3" className={styles.heading}>
          AppleCare coverage
        </Subtitle2>
        <div className={styles.section} data-testid="device-applecare">
          {org.data.coverage.length === 0 ? (
            <Caption1 className={styles.muted} data-testid="device-applecare-none">
              No AppleCare coverage
            </Caption1>
          ) : (
            org.data.coverage.map((item, index) => (
              <CoverageCard key={index} item={item} testId={`device-applecare-${index}`} />
            ))
          )}
        </div>
      </>
    );
  }

  return (
    <section className={styles.section} data-testid="device-org" aria-label="Organisation">
      <Subtitle2 as="h2" className={styles.heading}>
        Organisation
      </Subtitle2>
      {content}
      <Link href={hrefTo("organisation")} data-testid="device-org-open">
        Open in Organisation
      </Link>
    </section>
  );
}
