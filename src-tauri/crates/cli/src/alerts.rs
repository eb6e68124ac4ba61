//! `depot alerts [--json] [--fail-on warning|critical]` (issue 16): what
//! needs attention, worst first. With `--fail-on`, the exit code is 3 when
//! any alert is at or above that severity (for cron and monitoring; 1 and 2
//! keep their meanings).

use anyhow::Result;
use clap::Args;
use depot_core::Depot;
use depot_domain::alerts::{Alert, AlertSubject, Severity};
use serde::Serialize;

use crate::print_json;

/// The exit code of `--fail-on` when an alert is at or above the severity.
pub const ALERTS_EXIT_CODE: u8 = 3;

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Exit with code 3 when any alert is at or above this severity.
    #[arg(long, value_parser = parse_severity, value_name = "warning|critical")]
    fail_on: Option<Severity>,
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
    };
    AlertView {
        key: a.key.clone(),
        kind: a.kind.as_str(),
        severity: a.severity.as_str(),
        subject,
        since: a.since.rfc3339(),
        message: a.message.clone(),
        action: a.action.clone(),
    }
}

pub fn run(depot: &Depot, args: AlertsArgs, json: bool) -> Result<()> {
    let alerts = depot.alerts()?;
    if json {
        print_json(&serde_json::json!({
            "alerts": alerts.iter().map(view).collect::<Vec<_>>()
        }))?;
    } else if alerts.is_empty() {
        println!("Nothing needs attention.");
    } else {
        for alert in &alerts {
            println!(
                "{:<8}  {}  (since {})",
                alert.severity.as_str().to_uppercase(),
                alert.message,
                &alert.since.rfc3339()[..10]
            );
            println!("          → {}", alert.action);
        }
    }
    if let Some(floor) = args.fail_on {
        let count = alerts.iter().filter(|a| a.severity >= floor).count();
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
