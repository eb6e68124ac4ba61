//! What needs attention (issue 16, ALR-1).

use depot_domain::alerts::{Alert, AlertSubject, Severity};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertSeverity {
    Info,
    Warning,
    Critical,
}

pub(crate) fn severity_dto(s: Severity) -> AlertSeverity {
    match s {
        Severity::Info => AlertSeverity::Info,
        Severity::Warning => AlertSeverity::Warning,
        Severity::Critical => AlertSeverity::Critical,
    }
}

impl From<AlertSeverity> for Severity {
    fn from(s: AlertSeverity) -> Self {
        match s {
            AlertSeverity::Info => Severity::Info,
            AlertSeverity::Warning => Severity::Warning,
            AlertSeverity::Critical => Severity::Critical,
        }
    }
}

/// What an alert is about: where its fix is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AlertSubjectDto {
    Token {
        id: String,
        name: String,
    },
    VppToken {
        id: String,
        name: String,
    },
    Run {
        id: String,
        token_id: String,
    },
    /// An Apple Business/School Manager API account (the Organisation page).
    OrgAccount {
        id: String,
        name: String,
    },
    /// A webhook (Settings → Webhooks).
    Webhook {
        id: String,
        name: String,
    },
}

/// One thing that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertDto {
    /// Stable while the cause lasts.
    pub key: String,
    /// Which rule raised it (e.g. `tokenExpiring`, `licencesLow`).
    pub kind: String,
    pub severity: AlertSeverity,
    pub subject: AlertSubjectDto,
    /// RFC 3339.
    pub since: String,
    pub message: String,
    /// What fixes it.
    pub action: String,
    /// RFC 3339: snoozed until then (no banner, notification, webhook or
    /// `--fail-on` for it meanwhile); null: not snoozed. A snooze ends early
    /// when the alert gets worse.
    pub snoozed_until: Option<String>,
    /// Who snoozed it.
    pub snoozed_by: Option<String>,
}

impl From<Alert> for AlertDto {
    fn from(a: Alert) -> Self {
        Self {
            key: a.key,
            kind: a.kind.as_str().to_owned(),
            severity: severity_dto(a.severity),
            subject: match a.subject {
                AlertSubject::Token { id, name } => AlertSubjectDto::Token {
                    id: id.get().to_string(),
                    name,
                },
                AlertSubject::VppToken { id, name } => AlertSubjectDto::VppToken {
                    id: id.get().to_string(),
                    name,
                },
                AlertSubject::Run { id, token } => AlertSubjectDto::Run {
                    id: id.get().to_string(),
                    token_id: token.get().to_string(),
                },
                AlertSubject::OrgAccount { id, name } => AlertSubjectDto::OrgAccount {
                    id: id.to_string(),
                    name,
                },
                AlertSubject::Webhook { id, name } => AlertSubjectDto::Webhook {
                    id: id.to_string(),
                    name,
                },
            },
            since: a.since.rfc3339(),
            message: a.message,
            action: a.action,
            snoozed_until: a.snoozed.as_ref().map(|s| s.until.rfc3339()),
            snoozed_by: a.snoozed.map(|s| s.by),
        }
    }
}

/// `alerts.list`: worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertList {
    pub alerts: Vec<AlertDto>,
}

/// `alerts.snooze`: hides an alert for a while (audited).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnoozeAlertRequest {
    /// The alert's `key`.
    pub key: String,
    /// How long, in hours (1 to 720).
    pub hours: u32,
}

/// `alerts.unsnooze`: shows a snoozed alert again (audited).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertRef {
    pub key: String,
}
