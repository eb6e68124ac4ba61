import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { DeviceFieldChange } from "../../bindings/DeviceFieldChange";
import type { DeviceSyncEvent } from "../../bindings/DeviceSyncEvent";
import { formatDateTime } from "./format";

const useStyles = makeStyles({
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  item: {
    display: "grid",
    gridTemplateColumns: "minmax(140px, max-content) minmax(0, 1fr)",
    columnGap: tokens.spacingHorizontalXXL,
  },
  when: {
    color: tokens.colorNeutralForeground2,
  },
  what: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    minWidth: 0,
    overflowWrap: "anywhere",
  },
  change: {
    color: tokens.colorNeutralForeground2,
  },
  muted: {
    color: tokens.colorNeutralForeground3,
  },
});

/** Apple's field names as the drawer labels them. */
const FIELD: Record<string, string> = {
  profile_status: "Profile status",
  profile_uuid: "Apple profile",
  model: "Model",
  description: "Description",
  color: "Color",
  os: "OS",
  asset_tag: "Asset tag",
  family: "Family",
  assigned_by: "Assigned by",
  assigned_at: "Assigned to the server",
  profile_assign_time: "Profile assigned",
  profile_push_time: "Profile pushed",
  imei: "IMEI",
  meid: "MEID",
  eid: "EID",
  wifi_mac: "Wi-Fi MAC",
  bluetooth_mac: "Bluetooth MAC",
  ethernet_mac: "Ethernet MAC",
  is_replacement: "Replacement device",
};

const TIME_FIELDS = new Set(["assigned_at", "profile_assign_time", "profile_push_time"]);

function eventTitle(event: DeviceSyncEvent): string {
  switch (event.kind) {
    case "added":
      return "Apple listed it for this server";
    case "returned":
      return "Back on this server after being removed";
    case "removed":
      return event.reason === "unlisted"
        ? "Removed: missing from Apple's full device list"
        : "Removed: Apple released it from this server";
    case "modified":
      return "Apple changed it";
    default:
      return event.kind;
  }
}

function value(change: DeviceFieldChange, v: string | null): string {
  if (v === null || v === "") return "none";
  return TIME_FIELDS.has(change.field) ? formatDateTime(v) : v;
}

/** DEV-6: what syncs did to the device on one token, newest first. */
export function SyncEvents({ events }: { events: readonly DeviceSyncEvent[] }) {
  const styles = useStyles();
  if (events.length === 0) {
    return (
      <Caption1 className={styles.muted} data-testid="device-events-empty">
        No sync has changed this device yet.
      </Caption1>
    );
  }
  return (
    <ol className={styles.list} aria-label="Sync events" data-testid="device-events">
      {events.map((event, i) => (
        <li
          key={`${event.at}-${i}`}
          className={styles.item}
          data-testid="device-event"
          data-kind={event.kind}
        >
          <span className={styles.when}>{formatDateTime(event.at)}</span>
          <span className={styles.what}>
            <span>{eventTitle(event)}</span>
            {event.changes.map((change) => (
              <Caption1 key={change.field} className={styles.change}>
                {FIELD[change.field] ?? change.field}: {value(change, change.before)} →{" "}
                {value(change, change.after)}
              </Caption1>
            ))}
          </span>
        </li>
      ))}
    </ol>
  );
}
