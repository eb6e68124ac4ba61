import { useQuery } from "@tanstack/react-query";
import type { CommandName, Commands } from "../bindings/commands";
import { rpc } from "../platform";

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
