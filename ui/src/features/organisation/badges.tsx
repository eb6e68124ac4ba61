export { OrgStatusBadge as StatusBadge, purchaseSource } from "../../components/orgDevice";

/** Apple's activity states that are still going. */
export function activityLabel(status: string, subStatus: string): string {
  return subStatus === "" ? status : `${status} · ${subStatus}`;
}
