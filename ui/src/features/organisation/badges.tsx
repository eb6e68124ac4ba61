import { Badge } from "@fluentui/react-components";
import type { OrgDeviceDto } from "../../bindings/OrgDeviceDto";

/** ASSIGNED (to an MDM server) or UNASSIGNED, as Apple says. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const assigned = status === "ASSIGNED";
  return (
    <Badge
      appearance="tint"
      color={assigned ? "success" : "warning"}
      data-testid={testId}
      data-status={status}
    >
      {status}
    </Badge>
  );
}

/** "RESELLER 123456", or "—" when Apple says nothing. */
export function purchaseSource(
  device: Pick<OrgDeviceDto, "purchaseSourceType" | "purchaseSourceId">,
) {
  const text = [device.purchaseSourceType, device.purchaseSourceId]
    .filter((s) => s !== "")
    .join(" ");
  return text === "" ? "—" : text;
}

/** Apple's activity states that are still going. */
export function activityLabel(status: string, subStatus: string): string {
  return subStatus === "" ? status : `${status} · ${subStatus}`;
}
