import { useQuery } from "@tanstack/react-query";
import type { CommandName, Commands } from "../bindings/commands";
import type { DeviceQueryDto } from "../bindings/DeviceQueryDto";
import type { OrgDeviceListRequest } from "../bindings/OrgDeviceListRequest";
import { isApiError, rpc, wait } from "../platform";

export { RpcError, isApiError } from "../platform";

/**
 * The typed client: every backend command by name, with the request and
 * response types generated from the api crate. Rejects with an `RpcError`.
 */
export async function call<N extends CommandName>(
  name: N,
  request: Commands[N]["request"],
): Promise<Commands[N]["response"]> {
  // The backend owns the contract; bindings/ is generated from it, so the
  // response is trusted to have the shape the command table declares.
  return (await rpc(name, request)) as Commands[N]["response"];
}

/** Query keys start with the command name, so a "changed" event can invalidate by command. */
export const queryKeys = {
  workspaceInfo: ["workspace.info"] as const,
  tokenList: ["tokens.list"] as const,
  token: (id: string) => ["tokens.get", id] as const,
  pendingKey: ["tokens.pendingKey"] as const,
  vppList: ["vpp.list"] as const,
  alerts: ["alerts.list"] as const,
  webhooks: ["webhooks.list"] as const,
  dashboard: ["dashboard.summary"] as const,
  audit: ["audit.list"] as const,
  syncOverview: ["sync.overview"] as const,
  syncStatus: (id: string) => ["sync.status", id] as const,
  syncHistory: (id: string) => ["sync.history", id] as const,
  profileCatalogue: ["profiles.catalogue"] as const,
  profileList: (tokenId?: string) => ["profiles.list", tokenId ?? "all"] as const,
  profile: (id: string) => ["profiles.get", id] as const,
  enrollmentSettings: ["settings.enrollment"] as const,
  assignment: (id: string) => ["assignments.get", id] as const,
  assignmentResults: (id: string) => ["assignments.results", id] as const,
  deviceList: (query: DeviceQueryDto) => ["devices.list", query] as const,
  deviceCount: (query: DeviceQueryDto) => ["devices.count", query] as const,
  deviceFacets: (query: DeviceQueryDto) => ["devices.facets", query] as const,
  device: (serial: string) => ["devices.get", serial] as const,
  orgList: ["org.list"] as const,
  orgDevices: (request: OrgDeviceListRequest) => ["org.devices", request] as const,
  orgDevice: (serial: string) => ["org.device", serial] as const,
  orgActivities: ["org.activities"] as const,
  orgActivity: (id: string) => ["org.activity", id] as const,
};

/** Workspace facts and counts; shared by the dashboard, settings and list pages. */
export function useWorkspaceInfo() {
  return useQuery({
    queryKey: queryKeys.workspaceInfo,
    queryFn: () => call("workspace.info", {}),
  });
}

export function useTokenList() {
  return useQuery({
    queryKey: queryKeys.tokenList,
    queryFn: () => call("tokens.list", {}),
  });
}

export function useTokenDetail(id: string) {
  return useQuery({
    queryKey: queryKeys.token(id),
    queryFn: () => call("tokens.get", { id }),
  });
}

/**
 * What needs attention, worst first. Refetched every few minutes too: an
 * expiry date comes closer without anything changing.
 */
export function useAlerts() {
  return useQuery({
    queryKey: queryKeys.alerts,
    queryFn: () => call("alerts.list", {}),
    refetchInterval: 5 * 60 * 1000,
  });
}

/**
 * The dashboard's figures in one call (devices per token and status, families,
 * models, assignment results, sync health, expiries). Refetched every few
 * minutes too: days left and next runs move on without anything changing.
 */
export function useDashboardSummary(enabled = true) {
  return useQuery({
    queryKey: queryKeys.dashboard,
    queryFn: () => call("dashboard.summary", {}),
    enabled,
    refetchInterval: 5 * 60 * 1000,
  });
}

/** Apps and Books (VPP) tokens, with their Company Portal licences as last synced. */
export function useVppTokenList(enabled = true) {
  return useQuery({
    queryKey: queryKeys.vppList,
    queryFn: () => call("vpp.list", {}),
    enabled,
  });
}

/** The key pair waiting for Apple's token file (Add token, step 2). */
export function usePendingKey(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.pendingKey,
    queryFn: () => call("tokens.pendingKey", {}),
    enabled,
    staleTime: Infinity,
  });
}

/** The Setup Assistant screens and the draft a new profile starts from; fixed per build. */
export function useProfileCatalogue() {
  return useQuery({
    queryKey: queryKeys.profileCatalogue,
    queryFn: () => call("profiles.catalogue", {}),
    staleTime: Infinity,
  });
}

/** Profiles of one token, or of every token when `tokenId` is absent. */
export function useProfileList(tokenId?: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.profileList(tokenId),
    queryFn: () => call("profiles.list", tokenId === undefined ? {} : { tokenId }),
    enabled,
  });
}

export function useProfileDetail(id: string) {
  return useQuery({
    queryKey: queryKeys.profile(id),
    queryFn: () => call("profiles.get", { id }),
  });
}

/** Workspace enrollment URLs and each token's override (PRO-18). */
export function useEnrollmentSettings() {
  return useQuery({
    queryKey: queryKeys.enrollmentSettings,
    queryFn: () => call("settings.enrollment", {}),
  });
}

/** While an assignment run is running it is polled every second. */
export const ASSIGNMENT_POLL_MS = 1_000;

/** One assignment run (a re-assignment after an edit), polled until it ends. */
export function useAssignmentRun(id: string | null) {
  return useQuery({
    queryKey: queryKeys.assignment(id ?? ""),
    queryFn: () => call("assignments.get", { id: id ?? "" }),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.result === "running" ? wait(ASSIGNMENT_POLL_MS) : false),
  });
}

/** Per-serial outcomes of an assignment run, once it has ended. */
export function useAssignmentResults(id: string | null, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.assignmentResults(id ?? ""),
    queryFn: () => call("assignments.results", { id: id ?? "" }),
    enabled: id !== null && enabled,
  });
}

/** Devices matching a query (DEV-1): the total the list shows. */
export function useDeviceCount(query: DeviceQueryDto, enabled = true) {
  return useQuery({
    queryKey: queryKeys.deviceCount(query),
    queryFn: () => call("devices.count", { query }),
    enabled,
  });
}

/** One serial's records on every token, and its profile history (DEV-6). */
export function useDeviceDetail(serial: string | null) {
  return useQuery({
    queryKey: queryKeys.device(serial ?? ""),
    queryFn: () => call("devices.get", { serial: serial ?? "" }),
    enabled: serial !== null,
  });
}

/** Apple Business/School Manager API accounts, their MDM servers and device counts. */
export function useOrgAccounts() {
  return useQuery({
    queryKey: queryKeys.orgList,
    queryFn: () => call("org.list", {}),
  });
}

/** The organisation's devices matching the filters (as of the accounts' last sync). */
export function useOrgDevices(request: OrgDeviceListRequest, enabled = true) {
  return useQuery({
    queryKey: queryKeys.orgDevices(request),
    queryFn: () => call("org.devices", request),
    enabled,
  });
}

/**
 * One organisation device with its AppleCare coverage. NOT_FOUND (a serial
 * the organisation's copy does not hold) is an answer, not asked again.
 */
export function useOrgDevice(serial: string | null, enabled = true) {
  return useQuery({
    queryKey: queryKeys.orgDevice(serial ?? ""),
    queryFn: () => call("org.device", { serial: serial ?? "" }),
    enabled: enabled && serial !== null,
    retry: (failures, error) => failures < 1 && !(isApiError(error) && error.code === "NOT_FOUND"),
  });
}

/** While an organisation activity runs at Apple, it is polled every 2 seconds. */
export const ORG_ACTIVITY_POLL_MS = 2_000;

/** Assign/unassign activities, newest first; polled while one is unfinished. */
export function useOrgActivities(enabled = true) {
  return useQuery({
    queryKey: queryKeys.orgActivities,
    queryFn: () => call("org.activities", {}),
    enabled,
    refetchInterval: (q) =>
      q.state.data?.activities.some((a) => a.finishedAt === null) === true
        ? wait(ORG_ACTIVITY_POLL_MS)
        : false,
  });
}

/** One activity, polled until Depot has read Apple's log (`finishedAt`). */
export function useOrgActivity(id: string) {
  return useQuery({
    queryKey: queryKeys.orgActivity(id),
    queryFn: () => call("org.activity", { id }),
    refetchInterval: (q) =>
      q.state.data !== undefined && q.state.data.finishedAt !== null
        ? false
        : wait(ORG_ACTIVITY_POLL_MS),
  });
}
