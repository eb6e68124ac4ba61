// Generated from the api crate's command table (src-tauri/crates/api) — do not edit.
import type { AddTokenRequest } from "./AddTokenRequest";
import type { AuditExport } from "./AuditExport";
import type { AuditExportRequest } from "./AuditExportRequest";
import type { AuditListRequest } from "./AuditListRequest";
import type { AuditPage } from "./AuditPage";
import type { DemoStarted } from "./DemoStarted";
import type { Empty } from "./Empty";
import type { GenerateKeyRequest } from "./GenerateKeyRequest";
import type { InspectTokenRequest } from "./InspectTokenRequest";
import type { IssueDemoTokenRequest } from "./IssueDemoTokenRequest";
import type { IssuedDemoToken } from "./IssuedDemoToken";
import type { PendingKey } from "./PendingKey";
import type { PendingKeyState } from "./PendingKeyState";
import type { RenewTokenRequest } from "./RenewTokenRequest";
import type { SavePublicKeyRequest } from "./SavePublicKeyRequest";
import type { SavedFile } from "./SavedFile";
import type { SetScopeTagsRequest } from "./SetScopeTagsRequest";
import type { SyncHistory } from "./SyncHistory";
import type { SyncOverview } from "./SyncOverview";
import type { SyncStartRequest } from "./SyncStartRequest";
import type { SyncStarted } from "./SyncStarted";
import type { SyncStatus } from "./SyncStatus";
import type { TokenDetail } from "./TokenDetail";
import type { TokenList } from "./TokenList";
import type { TokenPreview } from "./TokenPreview";
import type { TokenRef } from "./TokenRef";
import type { TokenSummary } from "./TokenSummary";
import type { WorkspaceInfo } from "./WorkspaceInfo";

/** Every command the backend answers: `name(request) -> response`. */
export type Commands = {
  "workspace.info": { request: Empty; response: WorkspaceInfo };
  "tokens.list": { request: Empty; response: TokenList };
  "tokens.get": { request: TokenRef; response: TokenDetail };
  "tokens.pendingKey": { request: Empty; response: PendingKeyState };
  "tokens.generateKey": { request: GenerateKeyRequest; response: PendingKey };
  "tokens.savePublicKey": { request: SavePublicKeyRequest; response: SavedFile };
  "tokens.inspect": { request: InspectTokenRequest; response: TokenPreview };
  "tokens.add": { request: AddTokenRequest; response: TokenSummary };
  "tokens.renew": { request: RenewTokenRequest; response: TokenSummary };
  "tokens.setScopeTags": { request: SetScopeTagsRequest; response: TokenSummary };
  "tokens.delete": { request: TokenRef; response: Empty };
  "tokens.check": { request: TokenRef; response: TokenSummary };
  "demo.start": { request: Empty; response: DemoStarted };
  "demo.issueToken": { request: IssueDemoTokenRequest; response: IssuedDemoToken };
  "sync.overview": { request: Empty; response: SyncOverview };
  "sync.status": { request: TokenRef; response: SyncStatus };
  "sync.start": { request: SyncStartRequest; response: SyncStarted };
  "sync.cancel": { request: TokenRef; response: Empty };
  "sync.history": { request: TokenRef; response: SyncHistory };
  "audit.list": { request: AuditListRequest; response: AuditPage };
  "audit.export": { request: AuditExportRequest; response: AuditExport };
};

export type CommandName = keyof Commands;

export const COMMAND_NAMES: readonly CommandName[] = ["workspace.info", "tokens.list", "tokens.get", "tokens.pendingKey", "tokens.generateKey", "tokens.savePublicKey", "tokens.inspect", "tokens.add", "tokens.renew", "tokens.setScopeTags", "tokens.delete", "tokens.check", "demo.start", "demo.issueToken", "sync.overview", "sync.status", "sync.start", "sync.cancel", "sync.history", "audit.list", "audit.export"];
