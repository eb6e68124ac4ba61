//! Records: what the store answers and core and the API show. The store
//! writes and reads them (SQLite today; a second backend answers the same
//! types), `core` computes with them, and the API turns them into DTOs. They
//! live here, not in `depot-store`, so nothing above the store names a store
//! type (`tests/it/architecture.rs` checks it).
//!
//! Plain data with their closed sets' wire names (`as_str`/`parse`); no IO.

use crate::{ProfileId, ProfileStatus, RunId, SerialNumber, SyncRunId, TokenId, UnixSeconds};

// ----- device list: query, cursor, rows, facets, preview placement -----------

/// `DeviceQuery::last_result` value: devices never sent in an assignment run.
pub const LAST_RESULT_NONE: &str = "NONE";
/// `DeviceQuery::last_result` value: devices whose newest run has not answered
/// for them yet.
pub const LAST_RESULT_PENDING: &str = "PENDING";

/// Models listed in [`DeviceFacets::models`] (the most frequent ones).
pub const MODEL_FACET_LIMIT: usize = 50;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DeviceSort {
    #[default]
    Serial,
    Model,
    /// Apple's date the device was assigned to the MDM server (`assigned_at`);
    /// devices without one come first ascending, last descending.
    AssignedDate,
    /// Profile status (`empty`, `assigned`, `pushed`, `removed`, ...).
    Status,
}

/// Which Depot profile a device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileFilter {
    /// Any version of this Depot profile.
    Profile(ProfileId),
    /// No profile, or a profile that is not one of Depot's (another tool's).
    NoDepotProfile,
}

/// What the device list shows. Every set field narrows the list; empty lists
/// and `None` do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    pub token: Option<TokenId>,
    /// Profile statuses (any of).
    pub statuses: Vec<ProfileStatus>,
    pub profile: Option<ProfileFilter>,
    /// Device families (any of), as stored (`iPad`, `Mac`, ...).
    pub families: Vec<String>,
    /// Models (any of), exactly as stored.
    pub models: Vec<String>,
    /// Devices of tokens carrying this scope tag.
    pub scope_tag: Option<String>,
    /// Devices of these tokens only: the acting person's scope, set by
    /// `core` (never by a client). `None`: every token.
    pub within: Option<Vec<TokenId>>,
    /// Name of the Depot profile the device holds, any case (PRO-17).
    pub enrollment_profile_name: Option<String>,
    /// The outcome of the device's newest assignment (`SUCCESS`,
    /// `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`), or [`LAST_RESULT_PENDING`] or
    /// [`LAST_RESULT_NONE`].
    pub last_result: Option<String>,
    /// Serials starting with this (any case).
    pub serial_prefix: Option<String>,
    /// Words that must each appear (any case) in the serial, model,
    /// description, color, asset tag or OS.
    pub text: Option<String>,
    /// Also devices Apple no longer lists for their token.
    pub include_removed: bool,
    pub sort: DeviceSort,
    pub descending: bool,
}

/// The value a sort orders by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    Text(String),
    Int(i64),
}

/// Where the next page starts: strictly after this row in the query's order.
/// Build it with [`DeviceCursor::after`] from the last row of a page, with the
/// same sort as the query it is used with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceCursor {
    pub value: SortValue,
    pub token_id: TokenId,
    pub serial: String,
}

impl DeviceCursor {
    pub fn after(row: &DeviceListRow, sort: DeviceSort) -> Self {
        let value = match sort {
            DeviceSort::Serial => SortValue::Text(row.serial.clone()),
            DeviceSort::Model => SortValue::Text(row.model.clone()),
            DeviceSort::Status => SortValue::Text(row.profile_status.clone()),
            DeviceSort::AssignedDate => SortValue::Int(row.assigned_at.map_or(0, UnixSeconds::get)),
        };
        Self {
            value,
            token_id: row.token_id,
            serial: row.serial.clone(),
        }
    }
}

/// A Depot profile version a device holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepotProfileRef {
    pub id: ProfileId,
    pub name: String,
    /// The version whose Apple uuid the device holds (maybe not the current).
    pub version: i64,
}

/// The device's newest row in an assignment run of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastResult {
    pub run_id: RunId,
    /// `None` while the run has not sent the serial yet.
    pub outcome: Option<String>,
    pub at: Option<UnixSeconds>,
}

/// One device row of the list (and of the export and device detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListRow {
    pub token_id: TokenId,
    pub token_name: String,
    pub serial: String,
    pub model: String,
    pub description: String,
    pub color: String,
    pub asset_tag: Option<String>,
    pub os: Option<String>,
    pub family: String,
    pub profile_status: String,
    pub profile_uuid: Option<String>,
    pub depot_profile: Option<DepotProfileRef>,
    pub profile_assign_time: Option<UnixSeconds>,
    pub profile_push_time: Option<UnixSeconds>,
    /// Apple's date (and who) the device was assigned to the MDM server.
    pub assigned_at: Option<UnixSeconds>,
    pub assigned_by: Option<String>,
    /// Set when Apple no longer lists the device for the token.
    pub removed_at: Option<UnixSeconds>,
    pub last_result: Option<LastResult>,
}

/// A count of matching devices per value of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFacet {
    /// `None`: no Depot profile.
    pub profile_id: Option<ProfileId>,
    pub name: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacet {
    pub token_id: TokenId,
    pub token_name: String,
    pub count: u64,
}

/// Counts for the filter panel, each sorted by count (largest first), then
/// value. Faceted-search rule: each facet counts the devices matching every
/// filter of the query except its own (the status facet ignores `statuses`,
/// the token facet ignores `token`, the profile facet ignores `profile`, ...),
/// so the panel shows what choosing another value would give. Filters that
/// are no facet (scope tag, enrollment profile name, serial prefix, text,
/// removed devices) always apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFacets {
    pub statuses: Vec<FacetCount>,
    pub families: Vec<FacetCount>,
    /// The [`MODEL_FACET_LIMIT`] most frequent models, plus any model the
    /// query filters on.
    pub models: Vec<FacetCount>,
    pub profiles: Vec<ProfileFacet>,
    /// Keys: outcomes, [`LAST_RESULT_PENDING`], [`LAST_RESULT_NONE`].
    pub last_results: Vec<FacetCount>,
    pub tokens: Vec<TokenFacet>,
}

/// Where a pasted serial stands, for the assignment preview (DEV-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialPlacement {
    /// Listed by Apple for the token the preview is for.
    OnToken {
        profile_uuid: Option<String>,
        profile_status: String,
        depot_profile: Option<DepotProfileRef>,
        /// Apple's device family (`iPad`, `Mac`, …), for the platform guards.
        family: String,
    },
    /// Listed for another token (the most recently updated one if several).
    OnOtherToken {
        token_id: TokenId,
        token_name: String,
    },
    /// Known to Depot only as removed (no token lists it any more).
    RemovedOnly,
    /// Never seen by Depot.
    Unknown,
}

// ----- assignment runs --------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentKind {
    Assign,
    Remove,
}

impl AssignmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentKind::Assign => "assign",
            AssignmentKind::Remove => "remove",
        }
    }

    pub fn parse(text: &str) -> Self {
        if text == "remove" {
            AssignmentKind::Remove
        } else {
            AssignmentKind::Assign
        }
    }
}

/// A serial's result: Apple's per-serial answer (§3.6; a serial missing from
/// the answer is `Failed`), or why Depot did not send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Success,
    NotAccessible,
    Failed,
    Throttled,
    /// Not sent: the serial failed less than 24 hours ago.
    Cooldown,
    /// Not sent: the run stopped (whole call refused, or cancelled).
    NotSent,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Success,
        Outcome::NotAccessible,
        Outcome::Failed,
        Outcome::Throttled,
        Outcome::Cooldown,
        Outcome::NotSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "SUCCESS",
            Outcome::NotAccessible => "NOT_ACCESSIBLE",
            Outcome::Failed => "FAILED",
            Outcome::Throttled => "THROTTLED",
            Outcome::Cooldown => "COOLDOWN",
            Outcome::NotSent => "NOT_SENT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// Why an assignment run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssignReason {
    /// The admin chose the serials.
    Manual,
    /// A profile edit moves devices to the new version (PRO-14).
    Edit,
    /// New devices get the token's default profile after a sync (SYN-7).
    Default,
}

impl AssignReason {
    pub const ALL: [AssignReason; 3] = [
        AssignReason::Manual,
        AssignReason::Edit,
        AssignReason::Default,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssignReason::Manual => "manual",
            AssignReason::Edit => "edit",
            AssignReason::Default => "default",
        }
    }

    /// The stored text (the table's CHECK allows only these); anything else
    /// reads as `manual`.
    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .unwrap_or(AssignReason::Manual)
    }
}

impl std::fmt::Display for AssignReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RunResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an assignment run stands: still running, or how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunResult {
    Running,
    /// Apple accepted every serial.
    Ok,
    /// Some serials were not accepted (or not sent).
    Partial,
    /// Apple refused the whole call, or the run could not go on.
    Failed,
    Cancelled,
}

impl RunResult {
    pub const ALL: [RunResult; 5] = [
        RunResult::Running,
        RunResult::Ok,
        RunResult::Partial,
        RunResult::Failed,
        RunResult::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunResult::Running => "running",
            RunResult::Ok => "ok",
            RunResult::Partial => "partial",
            RunResult::Failed => "failed",
            RunResult::Cancelled => "cancelled",
        }
    }

    /// The stored text (the table's CHECK allows only these); anything else
    /// reads as `failed`.
    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .unwrap_or(RunResult::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentResultRow {
    pub serial: SerialNumber,
    pub batch: i64,
    pub outcome: Option<Outcome>,
    pub detail: Option<String>,
    pub at: Option<UnixSeconds>,
}

/// One serial's place in a profile's history (device detail, DEV-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialAssignmentRow {
    pub run_id: RunId,
    pub kind: AssignmentKind,
    pub reason: AssignReason,
    pub profile_id: Option<ProfileId>,
    pub profile_version: Option<i64>,
    pub operator: String,
    pub outcome: Option<Outcome>,
    pub detail: Option<String>,
    pub at: Option<UnixSeconds>,
    pub started_at: UnixSeconds,
}

// ----- sync -------------------------------------------------------------------

/// One thing a sync did to a device (DEV-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEventRow {
    /// When Depot applied it.
    pub at: UnixSeconds,
    /// Apple's time of the change.
    pub op_date: Option<UnixSeconds>,
    /// `added`, `modified`, `removed` or `returned`.
    pub kind: String,
    /// `modified`: a JSON list of `{"field", "before", "after"}`; `removed`:
    /// `released` (Apple said so) or `unlisted` (missing from a full fetch).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRunRow {
    pub id: SyncRunId,
    pub token_id: TokenId,
    pub kind: String,
    pub trigger: String,
    pub started_at: UnixSeconds,
    pub finished_at: Option<UnixSeconds>,
    pub result: String,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

/// Apple's answer about a replacement device, as cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacementRow {
    /// `None`: Apple said the device replaced nothing (`DEVICE_NOT_FOUND`),
    /// or its answer held no usable serial number.
    pub original_serial: Option<String>,
    /// `YYYY-MM-DD` (UTC).
    pub replaced_on: Option<String>,
    pub fetched_at: UnixSeconds,
}

// ----- profiles and the workspace ----------------------------------------------

/// A device on a profile of another platform (the store's `platform_mismatches`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformMismatch {
    pub serial: String,
    /// Apple's device family (`Mac`, `AppleTV`, …).
    pub family: String,
    pub profile_id: ProfileId,
    pub profile_name: String,
    pub profile_platform: crate::profile::ApplePlatform,
    /// `assigned`: fixable by assigning the right profile; `pushed`: the device
    /// also needs an erase.
    pub profile_status: String,
}

/// Whether a version reached Apple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// Stored, not sent yet (or the app stopped while sending).
    Pending,
    Uploaded,
    Failed,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Pending => "pending",
            UploadState::Uploaded => "uploaded",
            UploadState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "uploaded" => UploadState::Uploaded,
            "failed" => UploadState::Failed,
            _ => UploadState::Pending,
        }
    }
}

/// How the workspace key is kept, for the Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    Keychain,
    KeyFile,
    TestKey,
}

// ----- people (issue 14) -------------------------------------------------------

/// A person who signs in to a shared workspace. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: crate::access::Role,
    pub scope_tags: Vec<String>,
    pub disabled: bool,
    pub has_password: bool,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    /// Sessions signed in with another epoch are over (sign out everywhere,
    /// a new password, a disable move it on).
    pub session_epoch: i64,
}

// ----- Apps and Books tokens (issue 15) ----------------------------------------

/// What Depot knows of an Apps and Books token's standing with Apple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VppState {
    /// Apple takes it.
    Ok,
    /// Past its expiry, or Apple said so (9621).
    Expired,
    /// Apple revoked it (9625): a newer download or a password change.
    Revoked,
    /// Apple does not take it (9601, 9622, 9722).
    Invalid,
    /// Another MDM claimed the location after Depot did.
    TakenOver,
    /// The last sync failed for another reason (tried again later).
    Failing,
}

impl VppState {
    pub const ALL: [VppState; 6] = [
        VppState::Ok,
        VppState::Expired,
        VppState::Revoked,
        VppState::Invalid,
        VppState::TakenOver,
        VppState::Failing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VppState::Ok => "ok",
            VppState::Expired => "expired",
            VppState::Revoked => "revoked",
            VppState::Invalid => "invalid",
            VppState::TakenOver => "takenOver",
            VppState::Failing => "failing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Apple will not take the token again: only a new file helps, so it
    /// is not tried on a schedule.
    pub fn rejected(self) -> bool {
        matches!(
            self,
            VppState::Expired | VppState::Revoked | VppState::Invalid
        )
    }
}

/// The Company Portal's licences at a token's location, as of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenceCounts {
    pub total: u64,
    pub assigned: u64,
    pub available: u64,
    pub retired: u64,
    pub device_assignable: bool,
    pub as_of: UnixSeconds,
}

/// An Apps and Books (VPP) token as stored; never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppTokenRow {
    pub id: crate::VppTokenId,
    pub name: String,
    pub location_name: String,
    /// Apple's id of the location's library (`uId`).
    pub location_uid: String,
    pub org_name: String,
    pub apps_url: String,
    pub expires_at: UnixSeconds,
    pub state: VppState,
    /// The last problem, with what to do about it.
    pub problem: Option<String>,
    pub problem_number: Option<u32>,
    /// The MDM that claimed the location away from Depot.
    pub other_mdm: Option<String>,
    /// Company Portal licences; `None` before the first sync, or when the
    /// location has none.
    pub portal: Option<LicenceCounts>,
    pub last_sync_at: Option<UnixSeconds>,
    /// Not tried before this (Apple asked to wait).
    pub retry_at: Option<UnixSeconds>,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
}
