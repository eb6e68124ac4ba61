//! Apps and Books (VPP) tokens (issue 15; PRO-4/PRO-5, TOK-8).

use depot_domain::records::{LicenceCounts, VppState, VppTokenRow};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::TokenFile;

/// Identifies one Apps and Books token: its id or its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VppTokenRef {
    pub id: String,
}

/// Apple's last word on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum VppTokenState {
    Ok,
    Expired,
    Revoked,
    Invalid,
    TakenOver,
    Failing,
}

shown_as_wire_name!(VppTokenState);

impl From<VppState> for VppTokenState {
    fn from(s: VppState) -> Self {
        match s {
            VppState::Ok => Self::Ok,
            VppState::Expired => Self::Expired,
            VppState::Revoked => Self::Revoked,
            VppState::Invalid => Self::Invalid,
            VppState::TakenOver => Self::TakenOver,
            VppState::Failing => Self::Failing,
        }
    }
}

/// The Company Portal's licences at the token's location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Licences {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub assigned: u64,
    #[ts(type = "number")]
    pub available: u64,
    #[ts(type = "number")]
    pub retired: u64,
    /// Licences can go to devices (no Apple Account needed), which ADE needs.
    pub device_assignable: bool,
    /// RFC 3339: when Depot read them.
    pub as_of: String,
}

impl From<&LicenceCounts> for Licences {
    fn from(c: &LicenceCounts) -> Self {
        Self {
            total: c.total,
            assigned: c.assigned,
            available: c.available,
            retired: c.retired,
            device_assignable: c.device_assignable,
            as_of: c.as_of.rfc3339(),
        }
    }
}

/// An Apps and Books token; never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VppToken {
    pub id: String,
    pub name: String,
    pub location_name: String,
    pub org_name: String,
    /// RFC 3339.
    pub expires_at: String,
    pub state: VppTokenState,
    /// What went wrong last, with what to do.
    pub problem: Option<String>,
    /// Apple's error number, when Apple gave one.
    pub problem_number: Option<u32>,
    /// The MDM that claimed the location after Depot.
    pub other_mdm: Option<String>,
    /// The Company Portal's licences; `null` before the first sync or when
    /// the location has none.
    pub company_portal: Option<Licences>,
    pub last_sync_at: Option<String>,
    /// Apple asked to wait until then.
    pub retry_at: Option<String>,
    /// A simulator, not Apple (demo mode and tests).
    pub simulator: bool,
}

impl From<VppTokenRow> for VppToken {
    fn from(r: VppTokenRow) -> Self {
        Self {
            id: r.id.get().to_string(),
            simulator: !r.apps_url.starts_with(depot_core::vpp::APPLE_APPS_URL),
            name: r.name,
            location_name: r.location_name,
            org_name: r.org_name,
            expires_at: r.expires_at.rfc3339(),
            state: r.state.into(),
            problem: r.problem,
            problem_number: r.problem_number,
            other_mdm: r.other_mdm,
            company_portal: r.portal.as_ref().map(Licences::from),
            last_sync_at: r.last_sync_at.map(|t| t.rfc3339()),
            retry_at: r.retry_at.map(|t| t.rfc3339()),
        }
    }
}

/// `vpp.list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VppTokenList {
    pub tokens: Vec<VppToken>,
}

/// `vpp.add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddVppTokenRequest {
    /// The `.vpptoken` file's contents.
    pub file: TokenFile,
    /// Depot's name for it (default: the location's name).
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// Apple's service when absent; `simulator` for demo mode's.
    #[serde(default)]
    #[ts(optional)]
    pub apps_url: Option<String>,
    /// Use the location here even though another MDM manages it.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub take_over: bool,
}

/// `vpp.renew`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenewVppTokenRequest {
    pub id: String,
    pub file: TokenFile,
    /// The new file may be for another location.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub other_location: bool,
}

/// `vpp.sync`: one token, or every token without `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VppSyncRequest {
    #[serde(default)]
    #[ts(optional)]
    pub id: Option<String>,
}
