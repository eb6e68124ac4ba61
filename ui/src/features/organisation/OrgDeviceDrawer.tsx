import {
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
import type { OrgDeviceDto } from "../../bindings/OrgDeviceDto";
import { ErrorState } from "../../components/ErrorState";
import { Facts } from "../../components/Facts";
import { LoadingState } from "../../components/LoadingState";
import { formatDate } from "../../components/format";
import {
  CoverageCard,
  OrgStatusBadge as StatusBadge,
  orDash,
  purchaseSource,
} from "../../components/orgDevice";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXL,
    paddingBottom: tokens.spacingVerticalXL,
  },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  heading: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
});

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
                  <CoverageCard key={index} item={item} testId={`org-coverage-${index}`} />
                ))
              )}
            </section>
          </>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}
