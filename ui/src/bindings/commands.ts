// Generated from the api crate's command table (src-tauri/crates/api) — do not edit.
import type { Empty } from "./Empty";
import type { TokenList } from "./TokenList";
import type { WorkspaceInfo } from "./WorkspaceInfo";

/** Every command the backend answers: `name(request) -> response`. */
export type Commands = {
  "workspace.info": { request: Empty; response: WorkspaceInfo };
  "tokens.list": { request: Empty; response: TokenList };
};

export type CommandName = keyof Commands;

export const COMMAND_NAMES: readonly CommandName[] = ["workspace.info", "tokens.list"];
