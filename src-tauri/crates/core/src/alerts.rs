//! What needs attention (issue 16, ALR-1): alerts computed from the
//! workspace each time they are asked for, so they clear themselves when
//! their cause goes away. Scoped like everything else: a person limited by
//! scope tags sees the alerts of their tokens (and of the Apps and Books
//! tokens, which belong to no ADE token).

use depot_domain::UnixSeconds;
use depot_domain::alerts::{
    Alert, AlertKind, AlertSubject, MAX_SNOOZE_HOURS, Severity, Snoozed, sort_alerts,
};
use depot_domain::records::{RunResult, VppState};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::{CoreError, Depot, Result};

const DAY: i64 = 86_400;
/// A token expiring within this many days is a warning…
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// …and within this many, critical.
pub const EXPIRY_CRITICAL_DAYS: i64 = 7;
/// Sync failing for longer than this is a warning.
pub const SYNC_FAILING_SECS: i64 = DAY;
/// No successful sync for longer than this is a warning (critical while it fails).
pub const SYNC_STALE_SECS: i64 = 2 * DAY;
/// A webhook whose deliveries have failed for longer than this is a warning.
pub const WEBHOOK_FAILING_SECS: i64 = 3_600;

/// Since when something has been failing, once that is longer than `limit`
/// seconds; `None` while it works or has failed only briefly.
fn failing_longer_than(
    since: Option<UnixSeconds>,
    now: UnixSeconds,
    limit: i64,
) -> Option<UnixSeconds> {
    since.filter(|&since| now.seconds_since(since) > limit)
}

fn date(t: UnixSeconds) -> String {
    t.rfc3339()[..10].to_owned()
}

struct Push<'a> {
    out: &'a mut Vec<Alert>,
}

impl Push<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        kind: AlertKind,
        severity: Severity,
        subject: AlertSubject,
        key_part: &str,
        since: UnixSeconds,
        message: String,
        action: String,
    ) {
        self.out.push(Alert {
            key: format!("{}:{key_part}", kind.as_str()),
            kind,
            severity,
            subject,
            since,
            message,
            action,
            snoozed: None,
        });
    }
}

/// The expiry rule shared by ADE and Apps and Books tokens: `None` when far
/// off; else (expired?, severity, since).
fn expiry(expires_at: UnixSeconds, now: UnixSeconds) -> Option<(bool, Severity, UnixSeconds)> {
    if expires_at <= now {
        return Some((true, Severity::Critical, expires_at));
    }
    let left = expires_at.seconds_since(now);
    if left < EXPIRY_CRITICAL_DAYS * DAY {
        Some((
            false,
            Severity::Critical,
            expires_at.plus(-EXPIRY_CRITICAL_DAYS * DAY),
        ))
    } else if left < EXPIRY_WARNING_DAYS * DAY {
        Some((
            false,
            Severity::Warning,
            expires_at.plus(-EXPIRY_WARNING_DAYS * DAY),
        ))
    } else {
        None
    }
}

impl Depot {
    /// Everything that needs attention now, worst first.
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let now = self.clock.now();
        let db = self.workspace.connect()?;
        let mut out = Vec::new();
        let mut push = Push { out: &mut out };
        for row in db.list_tokens()? {
            if !crate::scope::visible(&row.scope_tags) {
                continue;
            }
            let name = row.server_name.clone();
            let subject = || AlertSubject::Token {
                id: row.id,
                name: name.clone(),
            };
            let key = row.id.get().to_string();
            let state = db.sync_state(row.id)?;
            let trouble_since = state.last_error_at.unwrap_or(now);
            let mut blocked = false;
            if let Some((expired, severity, since)) = expiry(row.expires_at, now) {
                blocked |= expired;
                let (kind, message) = if expired {
                    (
                        AlertKind::TokenExpired,
                        format!(
                            "The enrollment program token '{name}' expired on {}: Apple no longer syncs or assigns its devices.",
                            date(row.expires_at)
                        ),
                    )
                } else {
                    (
                        AlertKind::TokenExpiring,
                        format!(
                            "The enrollment program token '{name}' expires on {} ({} days left).",
                            date(row.expires_at),
                            row.expires_at.seconds_since(now).div_euclid(DAY)
                        ),
                    )
                };
                push.add(
                    kind,
                    severity,
                    subject(),
                    &key,
                    since,
                    message,
                    format!("Download a new server token for '{name}' in Apple Business Manager and renew it in Depot (Tokens → {name} → Renew)."),
                );
            }
            if row.terms_not_accepted {
                blocked = true;
                push.add(
                    AlertKind::TermsNotAccepted,
                    Severity::Critical,
                    subject(),
                    &key,
                    trouble_since,
                    format!("Apple stops serving '{name}' until the organisation accepts its latest terms and conditions."),
                    "An administrator of the Apple Business Manager or Apple School Manager account accepts the terms there; then check the token in Depot.".into(),
                );
            }
            if row.rejected {
                blocked = true;
                push.add(
                    AlertKind::TokenRejected,
                    Severity::Critical,
                    subject(),
                    &key,
                    trouble_since,
                    format!("Apple refuses the credentials of '{name}' (revoked, or replaced by a newer download)."),
                    format!("Download a new server token for '{name}' and renew it in Depot."),
                );
            }
            if !blocked {
                let last_ok = state.last_success_at.unwrap_or(row.created_at);
                let failing = state.last_error_at.is_some_and(|at| at >= last_ok);
                let quiet = now.seconds_since(last_ok);
                let why = state
                    .last_error
                    .as_deref()
                    .filter(|_| failing)
                    .map(|e| format!(" The last attempt said: {e}"))
                    .unwrap_or_default();
                if quiet > SYNC_STALE_SECS {
                    push.add(
                        AlertKind::SyncStale,
                        if failing { Severity::Critical } else { Severity::Warning },
                        subject(),
                        &key,
                        last_ok,
                        format!(
                            "'{name}' has not synced successfully since {} ({} days): new devices get no profile.{why}",
                            date(last_ok),
                            quiet.div_euclid(DAY)
                        ),
                        "Open Sync, start a sync of this token and read what it says; keep Depot (or depot serve) running for the 12-hour syncs.".into(),
                    );
                } else if failing && quiet > SYNC_FAILING_SECS {
                    push.add(
                        AlertKind::SyncFailing,
                        Severity::Warning,
                        subject(),
                        &key,
                        last_ok,
                        format!("Syncing '{name}' has failed since {}.{why}", date(last_ok)),
                        "Open Sync, look at the error and start a sync again.".into(),
                    );
                }
            }
            for (platform, count) in db.devices_without_default(row.id)? {
                push.add(
                    AlertKind::NoDefaultProfile,
                    Severity::Warning,
                    subject(),
                    &format!("{key}:{platform}"),
                    state.last_success_at.unwrap_or(now),
                    format!(
                        "{} {platform} devices of '{name}' have no profile, and the token has no default {platform} profile: they set up without one.",
                        crate::vpp::count(count)
                    ),
                    format!("Set a default {platform} profile for '{name}' (Profiles → Set as default), or assign a profile to these devices."),
                );
            }
            let cooling = db.cooldowns(row.id, now)?;
            if let Some(first_until) = cooling.values().min() {
                push.add(
                    AlertKind::DevicesCoolingDown,
                    Severity::Info,
                    subject(),
                    &key,
                    first_until.plus(-DAY),
                    format!(
                        "{} devices of '{name}' failed an assignment and Apple will not take them again before their 24-hour cooldown ends.",
                        crate::vpp::count(cooling.len() as u64)
                    ),
                    "Nothing to do now: assign them again after the cooldown (the preview says until when).".into(),
                );
            }
            let mut kept = 0u64;
            let mut kept_until: Option<UnixSeconds> = None;
            for run in db.unfinished_assignment_runs()? {
                if let Some(run) = db.assignment_run(run)?
                    && run.token_id == row.id
                    && run.started_at > now
                {
                    kept += db.pending_assignment_serials(run.id, usize::MAX)?.len() as u64;
                    kept_until = Some(kept_until.map_or(run.started_at, |t| t.min(run.started_at)));
                }
            }
            if let Some(until) = kept_until
                && kept > 0
            {
                push.add(
                    AlertKind::SerialsThrottled,
                    Severity::Info,
                    subject(),
                    &key,
                    now.min(until),
                    format!(
                        "Apple keeps throttling assignments on '{name}': {} serials are kept and sent again after {}.",
                        crate::vpp::count(kept),
                        until.rfc3339()
                    ),
                    "Nothing to do: Depot sends them when Apple allows. Avoid starting large runs on this token meanwhile.".into(),
                );
            }
            if let Some(run) = db.assignment_runs(Some(row.id), 1)?.first()
                && let Some(run) = db.assignment_run(*run)?
                && let Some(finished) = run.finished_at
                && matches!(run.result, RunResult::Failed | RunResult::Partial)
            {
                let failed = run.count(depot_domain::records::Outcome::Failed)
                    + run.count(depot_domain::records::Outcome::NotAccessible);
                if run.result == RunResult::Failed || failed > 0 {
                    push.add(
                        AlertKind::RunFailed,
                        Severity::Warning,
                        AlertSubject::Run {
                            id: run.id,
                            token: row.id,
                        },
                        &run.id.get().to_string(),
                        finished,
                        format!(
                            "The last assignment run on '{name}' stopped with failures{}.",
                            run.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
                        ),
                        "Open the run's results to see which devices failed and why, then assign them again.".into(),
                    );
                }
            }
        }
        for vpp in db.vpp_tokens()? {
            let name = vpp.name.clone();
            let subject = || AlertSubject::VppToken {
                id: vpp.id,
                name: name.clone(),
            };
            let key = vpp.id.get().to_string();
            let renew = format!(
                "Download a new Apps and Books token for the location '{}' and renew '{name}' in Depot.",
                vpp.location_name
            );
            let expiry = expiry(vpp.expires_at, now);
            if vpp.state.rejected() || expiry.is_some_and(|(expired, ..)| expired) {
                let why = match vpp.state {
                    VppState::Revoked => "was revoked by Apple".to_owned(),
                    VppState::Invalid => "is not accepted by Apple".to_owned(),
                    _ => format!("expired on {}", date(vpp.expires_at)),
                };
                push.add(
                    AlertKind::VppRejected,
                    Severity::Critical,
                    subject(),
                    &key,
                    if vpp.state.rejected() && vpp.expires_at > now {
                        vpp.last_sync_at.unwrap_or(now)
                    } else {
                        vpp.expires_at
                    },
                    format!("The Apps and Books token '{name}' {why}: the Company Portal installs fall back to the App Store, which ADE setups cannot use."),
                    renew.clone(),
                );
            } else if let Some((_, severity, since)) = expiry {
                push.add(
                    AlertKind::VppExpiring,
                    severity,
                    subject(),
                    &key,
                    since,
                    format!(
                        "The Apps and Books token '{name}' expires on {} ({} days left).",
                        date(vpp.expires_at),
                        vpp.expires_at.seconds_since(now).div_euclid(DAY)
                    ),
                    renew.clone(),
                );
            }
            if vpp.state == VppState::TakenOver {
                push.add(
                    AlertKind::VppTakenOver,
                    Severity::Warning,
                    subject(),
                    &key,
                    vpp.last_sync_at.unwrap_or(now),
                    format!(
                        "Another MDM ({}) now manages the location of '{name}': two MDMs assigning one location's licences give unpredictable results.",
                        vpp.other_mdm.as_deref().unwrap_or("unknown")
                    ),
                    format!("Renew '{name}' to claim the location back, or delete it in Depot if the other MDM should have it."),
                );
            }
            if let Some(portal) = &vpp.portal {
                let waiting = crate::vpp::waiting_for_token(&db, &vpp.name)?;
                if waiting > portal.available {
                    push.add(
                        AlertKind::LicencesLow,
                        Severity::Warning,
                        subject(),
                        &key,
                        portal.as_of,
                        format!(
                            "{} devices wait to set up with profiles that install the Company Portal with '{name}', but only {} licences are available: {} would get none.",
                            crate::vpp::count(waiting),
                            crate::vpp::count(portal.available),
                            crate::vpp::count(waiting - portal.available)
                        ),
                        "Buy more Company Portal licences for this location in Apple Business Manager, or free some, then sync the token.".into(),
                    );
                }
            }
        }
        // Organisations concern every token: for workspace-wide accounts only.
        if self.workspace_wide("the organisation").is_ok() {
            for account in db.org_accounts()? {
                let Some(since) =
                    failing_longer_than(account.failing_since, now, SYNC_FAILING_SECS)
                else {
                    continue;
                };
                push.add(
                    AlertKind::OrgAccountFailing,
                    Severity::Warning,
                    AlertSubject::OrgAccount {
                        id: account.id,
                        name: account.name.clone(),
                    },
                    &account.id.to_string(),
                    since,
                    format!(
                        "Depot has not been able to read the organisation through the API account '{}' since {}: {}",
                        account.name,
                        date(since),
                        account.last_error.as_deref().unwrap_or("no reason was given")
                    ),
                    format!(
                        "Check the API account '{}' in Apple Business Manager (its key may have been revoked or its access changed); if its key changed, remove the account in Depot and connect it again (Organisation → API accounts).",
                        account.name
                    ),
                );
            }
        }
        // Webhooks carry every token's alerts: for workspace-wide accounts only.
        if self.workspace_wide("the webhooks").is_ok() {
            for hook in db.webhooks()? {
                let Some(since) =
                    failing_longer_than(hook.failing_since, now, WEBHOOK_FAILING_SECS)
                else {
                    continue;
                };
                push.add(
                    AlertKind::WebhookFailing,
                    Severity::Warning,
                    AlertSubject::Webhook {
                        id: hook.id,
                        name: hook.name.clone(),
                    },
                    &hook.id.to_string(),
                    since,
                    format!(
                        "Alerts have not reached the webhook '{}' since {}: {}.",
                        hook.name,
                        date(since),
                        hook.last_error.as_deref().unwrap_or("no reason was given")
                    ),
                    format!(
                        "Check that the channel's webhook still exists (a removed Teams connector or Slack webhook answers 404 or 410); if its address changed, remove '{}' and add it again with the new one (Settings → Webhooks), then send a test.",
                        hook.name
                    ),
                );
            }
        }
        self.apply_snoozes(&db, &mut out, now)?;
        sort_alerts(&mut out);
        Ok(out)
    }

    /// The alerts nobody snoozed: what banners, notifications, webhooks and
    /// `depot alerts --fail-on` act on.
    pub fn active_alerts(&self) -> Result<Vec<Alert>> {
        let mut alerts = self.alerts()?;
        alerts.retain(Alert::is_active);
        Ok(alerts)
    }

    /// Marks snoozed alerts. A snooze holds until its time, or until the
    /// alert gets worse than it was when snoozed.
    fn apply_snoozes(
        &self,
        db: &depot_store::Db,
        alerts: &mut [Alert],
        now: UnixSeconds,
    ) -> Result<()> {
        let snoozes = db.snoozes()?;
        if snoozes.is_empty() {
            return Ok(());
        }
        for alert in alerts.iter_mut() {
            if let Some(s) = snoozes.iter().find(|s| s.key == alert.key)
                && s.until > now
                && Severity::parse(&s.severity).is_some_and(|was| alert.severity <= was)
            {
                alert.snoozed = Some(Snoozed {
                    until: s.until,
                    by: s.by.clone(),
                });
            }
        }
        Ok(())
    }

    /// Hides alert `key` for `hours` (1 to 720), audited. Refused when no
    /// such alert is raised now (alerts clear themselves; there is nothing to
    /// snooze).
    pub fn snooze_alert(&self, key: &str, hours: u32) -> Result<Vec<Alert>> {
        if !(1..=MAX_SNOOZE_HOURS).contains(&hours) {
            return Err(CoreError::InvalidInput {
                field: "hours",
                message: format!(
                    "a snooze lasts from 1 to {MAX_SNOOZE_HOURS} hours (30 days), not {hours}"
                ),
            });
        }
        let alert = self.find_alert(key)?;
        let now = self.clock.now();
        let until = now.plus(i64::from(hours) * 3_600);
        let by = self.acting_name();
        let db = self.workspace.connect()?;
        db.write(|db| -> Result<()> {
            db.put_snooze(&depot_store::alerts::SnoozeRow {
                key: alert.key.clone(),
                severity: alert.severity.as_str().to_owned(),
                until,
                by: by.clone(),
                at: now,
            })?;
            self.audit(
                db,
                AuditEvent {
                    action: "alert.snoozed",
                    object: format!("alert {}", alert.key),
                    token: alert_token(&alert),
                    before: None,
                    after: Some(json!({
                        "key": alert.key,
                        "severity": alert.severity.as_str(),
                        "message": alert.message,
                        "until": until.rfc3339(),
                        "hours": hours,
                    })),
                },
            )
        })?;
        drop(db);
        self.alerts()
    }

    /// Shows a snoozed alert again, audited.
    pub fn unsnooze_alert(&self, key: &str) -> Result<Vec<Alert>> {
        let alert = self.find_alert(key)?;
        let db = self.workspace.connect()?;
        let removed = db.write(|db| -> Result<bool> {
            let removed = db.delete_snooze(&alert.key)?;
            if removed {
                self.audit(
                    db,
                    AuditEvent {
                        action: "alert.unsnoozed",
                        object: format!("alert {}", alert.key),
                        token: alert_token(&alert),
                        before: alert
                            .snoozed
                            .as_ref()
                            .map(|s| json!({"until": s.until.rfc3339(), "by": s.by})),
                        after: None,
                    },
                )?;
            }
            Ok(removed)
        })?;
        if !removed {
            return Err(CoreError::InvalidInput {
                field: "key",
                message: format!("the alert '{key}' is not snoozed"),
            });
        }
        drop(db);
        self.alerts()
    }

    /// The alert raised now with this key, in the acting person's scope.
    fn find_alert(&self, key: &str) -> Result<Alert> {
        let key = key.trim();
        self.alerts()?
            .into_iter()
            .find(|a| a.key == key)
            .ok_or_else(|| {
                CoreError::NotFound(format!(
                    "the alert '{key}' (alerts clear themselves when their cause goes away; `depot alerts` lists the raised ones)"
                ))
            })
    }

    fn acting_name(&self) -> String {
        crate::acting::acting_now().map_or_else(|| self.operator.clone(), |a| a.name)
    }
}

/// The token an alert concerns, for the audit log's scope.
fn alert_token(alert: &Alert) -> Option<depot_domain::TokenId> {
    match &alert.subject {
        AlertSubject::Token { id, .. } => Some(*id),
        AlertSubject::Run { token, .. } => Some(*token),
        AlertSubject::VppToken { .. }
        | AlertSubject::OrgAccount { .. }
        | AlertSubject::Webhook { .. } => None,
    }
}
