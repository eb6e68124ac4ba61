//! `depot alerts [--json] [--fail-on warning|critical]` (issue 16): what
//! needs attention, worst first. With `--fail-on`, the exit code is 3 when
//! any alert is at or above that severity (for cron and monitoring; 1 and 2
//! keep their meanings).

use anyhow::Result;
use clap::{Args, Subcommand};
use depot_core::Depot;
use depot_domain::alerts::{Alert, AlertSubject, Severity};
use serde::Serialize;

use crate::print_json;

/// The exit code of `--fail-on` when an alert is at or above the severity.
pub const ALERTS_EXIT_CODE: u8 = 3;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    /// Exit with code 3 when any alert (not snoozed) is at or above this severity.
    #[arg(long, value_parser = parse_severity, value_name = "warning|critical")]
    fail_on: Option<Severity>,
    #[command(subcommand)]
    action: Option<AlertsAction>,
}

#[derive(Debug, Subcommand)]
enum AlertsAction {
    /// Hide an alert for a while (audited): no banner, notification, webhook
    /// or --fail-on for it meanwhile. A snooze ends early when the alert
    /// gets worse.
    Snooze {
        /// The alert's key (`depot alerts` shows it).
        key: String,
        /// How long: hours (12h) or days (7d), at most 30 days.
        #[arg(long = "for", value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
        duration: u32,
    },
    /// Show a snoozed alert again (audited).
    Unsnooze {
        /// The alert's key.
        key: String,
    },
}

/// `12h` or `7d` (a bare number is hours) → hours.
fn parse_duration(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, per) = match text.strip_suffix(['d', 'D']) {
        Some(days) => (days, 24),
        None => (text.strip_suffix(['h', 'H']).unwrap_or(text), 1),
    };
    number
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|h| (1..=depot_domain::alerts::MAX_SNOOZE_HOURS).contains(h))
        .ok_or_else(|| {
            format!("'{text}' is not a snooze length: use hours (12h) or days (7d), up to 30 days")
        })
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    match Severity::parse(text) {
        Some(s) if s != Severity::Info => Ok(s),
        _ => Err(format!(
            "'{text}' is not a severity to fail on; use warning or critical"
        )),
    }
}

/// `--fail-on` found alerts: main turns this into exit code 3.
#[derive(Debug)]
pub struct AlertsFound {
    pub count: usize,
    pub severity: &'static str,
}

impl std::fmt::Display for AlertsFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} alert(s) at or above {}", self.count, self.severity)
    }
}

impl std::error::Error for AlertsFound {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubjectView {
    kind: &'static str,
    id: String,
    name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertView {
    key: String,
    kind: &'static str,
    severity: &'static str,
    subject: SubjectView,
    since: String,
    message: String,
    action: String,
    snoozed_until: Option<String>,
    snoozed_by: Option<String>,
}

fn view(a: &Alert) -> AlertView {
    let subject = match &a.subject {
        AlertSubject::Token { id, name } => SubjectView {
            kind: "token",
            id: id.get().to_string(),
            name: Some(name.clone()),
        },
        AlertSubject::VppToken { id, name } => SubjectView {
            kind: "vppToken",
            id: id.get().to_string(),
            name: Some(name.clone()),
        },
        AlertSubject::Run { id, .. } => SubjectView {
            kind: "run",
            id: id.get().to_string(),
            name: None,
        },
        AlertSubject::OrgAccount { id, name } => SubjectView {
            kind: "orgAccount",
            id: id.to_string(),
            name: Some(name.clone()),
        },
        AlertSubject::Webhook { id, name } => SubjectView {
            kind: "webhook",
            id: id.to_string(),
            name: Some(name.clone()),
        },
    };
    AlertView {
        key: a.key.clone(),
        kind: a.kind.as_str(),
        severity: a.severity.as_str(),
        subject,
        since: a.since.rfc3339(),
        message: a.message.clone(),
        action: a.action.clone(),
        snoozed_until: a.snoozed.as_ref().map(|s| s.until.rfc3339()),
        snoozed_by: a.snoozed.as_ref().map(|s| s.by.clone()),
    }
}

fn print_list(alerts: &[Alert], json: bool) -> Result<()> {
    if json {
        return print_json(&serde_json::json!({
            "alerts": alerts.iter().map(view).collect::<Vec<_>>()
        }));
    }
    if alerts.is_empty() {
        println!("Nothing needs attention.");
    }
    for alert in alerts {
        let label = match &alert.snoozed {
            Some(_) => "snoozed".to_owned(),
            None => alert.severity.as_str().to_uppercase(),
        };
        println!(
            "{label:<8}  {}  (since {})",
            alert.message,
            &alert.since.rfc3339()[..10]
        );
        println!("          → {}", alert.action);
        match &alert.snoozed {
            Some(s) => println!(
                "          key {} · snoozed by {} until {}",
                alert.key,
                s.by,
                s.until.rfc3339()
            ),
            None => println!("          key {}", alert.key),
        }
    }
    Ok(())
}

pub fn run(depot: &Depot, args: AlertsArgs, json: bool) -> Result<()> {
    match args.action {
        Some(AlertsAction::Snooze { key, duration }) => {
            let alerts = depot.snooze_alert(&key, duration)?;
            if !json {
                if let Some(a) = alerts.iter().find(|a| a.key == key.trim())
                    && let Some(s) = &a.snoozed
                {
                    println!("Snoozed '{}' until {}.", a.key, s.until.rfc3339());
                }
                return Ok(());
            }
            return print_list(&alerts, json);
        }
        Some(AlertsAction::Unsnooze { key }) => {
            let alerts = depot.unsnooze_alert(&key)?;
            if !json {
                println!("'{}' is shown again.", key.trim());
                return Ok(());
            }
            return print_list(&alerts, json);
        }
        None => {}
    }
    let alerts = depot.alerts()?;
    print_list(&alerts, json)?;
    if let Some(floor) = args.fail_on {
        let count = alerts
            .iter()
            .filter(|a| a.is_active() && a.severity >= floor)
            .count();
        if count > 0 {
            return Err(AlertsFound {
                count,
                severity: floor.as_str(),
            }
            .into());
        }
    }
    Ok(())
}
