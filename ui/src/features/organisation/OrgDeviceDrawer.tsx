import {
  Badge,
  Button,
  Caption1,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Link,
  OverlayDrawer,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import { useOrgDevice } from "../../app/api";
import { DEVICE_PATHS } from "../../app/paths";
import type { CoverageDto } from "../../bindings/CoverageDto";
import type { OrgDeviceDto } from "../../bindings/OrgDeviceDto";
import { ErrorState } from "../../components/ErrorState";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { formatDate } from "../../components/format";
import { StatusBadge, purchaseSource } from "./badges";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXL,
    paddingBottom: tokens.spacingVerticalXL,
  },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  heading: { margin: 0 },
  coverage: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  coverageTitle: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

const orDash = (value: string) => (value === "" ? "—" : value);

/** The facts Apple keeps about a device the organisation owns. */
export function deviceFacts(device: OrgDeviceDto) {
  return [
    { label: "Serial number", value: device.serial, mono: true },
    { label: "Status", value: <StatusBadge status={device.status} /> },
    { label: "MDM server", value: device.serverName ?? "—" },
    { label: "Model", value: orDash(device.model) },
    { label: "Family", value: orDash(device.family) },
    { label: "Colour", value: orDash(device.color) },
    { label: "Capacity", value: orDash(device.capacity) },
    { label: "Part number", value: orDash(device.partNumber), mono: true },
    { label: "Order number", value: orDash(device.orderNumber), mono: true },
    { label: "Order date", value: formatDate(device.orderedAt) },
    { label: "Purchase source", value: purchaseSource(device) },
    { label: "Added", value: formatDate(device.addedAt) },
    { label: "Updated", value: formatDate(device.updatedAt) },
    { label: "Released", value: formatDate(device.releasedAt), testId: "org-device-released" },
  ];
}

function Coverage({ item, index }: { item: CoverageDto; index: number }) {
  const styles = useStyles();
  const active = item.status.toUpperCase() === "ACTIVE";
  return (
    <div className={styles.coverage} data-testid={`org-coverage-${index}`}>
      <div className={styles.coverageTitle}>
        <strong>{item.description}</strong>
        <Badge appearance="tint" color={active ? "success" : "informative"}>
          {item.status}
        </Badge>
        {item.canceled ? (
          <Badge appearance="tint" color="danger">
            Canceled
          </Badge>
        ) : null}
      </div>
      <Caption1>
        {formatDate(item.startsAt)} – {formatDate(item.endsAt)} · {orDash(item.paymentType)}
        {item.renewable ? " · renewable" : ""}
      </Caption1>
      {item.agreementNumber !== null ? (
        <Caption1 className={styles.muted}>Agreement {item.agreementNumber}</Caption1>
      ) : null}
    </div>
  );
}

/** One device of the organisation: its facts and its AppleCare coverage. */
export function OrgDeviceDrawer({
  serial,
  onClose,
}: {
  serial: string | null;
  onClose: () => void;
}) {
  const styles = useStyles();
  const detail = useOrgDevice(serial);
  return (
    <OverlayDrawer
      open={serial !== null}
      onOpenChange={(_, data) => !data.open && onClose()}
      position="end"
      size="medium"
      data-testid="org-device-drawer"
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button
              appearance="subtle"
              aria-label="Close"
              icon={<Dismiss24Regular />}
              onClick={onClose}
              data-testid="org-device-close"
            />
          }
        >
          {serial ?? ""}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody className={styles.body}>
        {detail.isPending ? (
          <LoadingState label="Loading the device…" />
        ) : detail.isError ? (
          <ErrorState title="Couldn't load the device" error={detail.error} />
        ) : (
          <>
            <Facts facts={deviceFacts(detail.data.device)} testId="org-device-facts" />
            {detail.data.device.tokenId !== null ? (
              <Link
                href={`#${DEVICE_PATHS.assignSerials(detail.data.device.tokenId, [detail.data.device.serial])}`}
                data-testid="org-device-open-depot"
              >
                Open in Depot&apos;s device list
              </Link>
            ) : null}
            <section className={styles.section} data-testid="org-coverage">
              <Subtitle2 as="h3" className={styles.heading}>
                AppleCare coverage
              </Subtitle2>
              {detail.data.coverage.length === 0 ? (
                <Caption1 className={styles.muted} data-testid="org-coverage-none">
                  Apple lists no coverage for this device.
                </Caption1>
              ) : (
                detail.data.coverage.map((item, index) => (
                  <Coverage key={index} item={item} index={index} />
                ))
              )}
            </section>
          </>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}
