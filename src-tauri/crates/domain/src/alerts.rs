//! What needs attention (issue 16): one alert model, computed in `core` from
//! the workspace and shown everywhere (dashboard, banner, notifications,
//! `depot alerts`). Each alert says how bad, about what, since when, and
//! what fixes it.

use crate::UnixSeconds;

/// How bad an alert is; ordered (`Info` < `Warning` < `Critical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Severity::Info, Severity::Warning, Severity::Critical]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Which rule raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// An ADE token expires within 30 days (warning) or 7 (critical).
    TokenExpiring,
    TokenExpired,
    /// Apple's terms must be accepted (`T_C_NOT_SIGNED`).
    TermsNotAccepted,
    /// Apple refused the token's credentials.
    TokenRejected,
    VppExpiring,
    /// Expired, revoked or not accepted by Apple.
    VppRejected,
    /// Another MDM claimed the location.
    VppTakenOver,
    /// Fewer Company Portal licences than devices waiting for them.
    LicencesLow,
    /// Sync has failed for more than 24 hours.
    SyncFailing,
    /// No successful sync for more than 48 hours.
    SyncStale,
    /// Devices without a profile because their platform has no default.
    NoDefaultProfile,
    /// Devices in Apple's 24-hour cooldown after FAILED.
    DevicesCoolingDown,
    /// Serials Apple keeps throttling: kept by a run for a later one.
    SerialsThrottled,
    /// An assignment run stopped with failures.
    RunFailed,
    /// Depot can't read the organisation through an Apple Business/School
    /// Manager API account (its scheduled sync fails).
    OrgAccountFailing,
    /// Alerts have not reached a webhook for a while (its deliveries fail).
    WebhookFailing,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::TokenExpiring => "tokenExpiring",
            AlertKind::TokenExpired => "tokenExpired",
            AlertKind::TermsNotAccepted => "termsNotAccepted",
            AlertKind::TokenRejected => "tokenRejected",
            AlertKind::VppExpiring => "vppExpiring",
            AlertKind::VppRejected => "vppRejected",
            AlertKind::VppTakenOver => "vppTakenOver",
            AlertKind::LicencesLow => "licencesLow",
            AlertKind::SyncFailing => "syncFailing",
            AlertKind::SyncStale => "syncStale",
            AlertKind::NoDefaultProfile => "noDefaultProfile",
            AlertKind::DevicesCoolingDown => "devicesCoolingDown",
            AlertKind::SerialsThrottled => "serialsThrottled",
            AlertKind::RunFailed => "runFailed",
            AlertKind::OrgAccountFailing => "orgAccountFailing",
            AlertKind::WebhookFailing => "webhookFailing",
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlertSubject {
    Token {
        id: crate::TokenId,
        name: String,
    },
    VppToken {
        id: crate::VppTokenId,
        name: String,
    },
    Run {
        id: crate::RunId,
        token: crate::TokenId,
    },
    /// An Apple Business/School Manager API account.
    OrgAccount {
        id: i64,
        name: String,
    },
    /// A webhook that receives alerts.
    Webhook {
        id: i64,
        name: String,
    },
}

/// One thing that needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Stable while the cause lasts: `kind:subject` (snoozes and
    /// notifications key on it).
    pub key: String,
    pub kind: AlertKind,
    pub severity: Severity,
    pub subject: AlertSubject,
    /// Since when the cause holds (as well as Depot knows).
    pub since: UnixSeconds,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What fixes it, in a sentence.
    pub action: String,
    /// Hidden for a while by someone (issue 16's snooze).
    pub snoozed: Option<Snoozed>,
}

impl Alert {
    /// Not snoozed: shown in banners, notified, delivered, and counted by
    /// `depot alerts --fail-on`.
    pub fn is_active(&self) -> bool {
        self.snoozed.is_none()
    }
}

/// Who hid an alert, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snoozed {
    pub until: UnixSeconds,
    pub by: String,
}

/// The longest snooze: 30 days.
pub const MAX_SNOOZE_HOURS: u32 = 720;

/// Active before snoozed, worst first, then oldest first, then by key.
pub fn sort_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        b.is_active()
            .cmp(&a.is_active())
            .then(b.severity.cmp(&a.severity))
            .then(a.since.cmp(&b.since))
            .then_with(|| a.key.cmp(&b.key))
    });
}
