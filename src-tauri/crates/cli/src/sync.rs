//! `depot sync [TOKEN] [--full] [--ignore-pacing]`, `depot sync history TOKEN`.

use std::io::{IsTerminal, Write};

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use depot_api::dto::{SyncRun, TokenSummary};
use depot_core::Depot;
use depot_core::sync::{SyncProgress, SyncRequest, SyncTrigger};

use crate::print_json;
use crate::tokens::resolve;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    /// The token (id, server name or server UUID); every token when omitted.
    token: Option<String>,
    /// A full fetch of every device (Apple: at most once every 7 days).
    #[arg(long)]
    full: bool,
    /// Skip Apple's pacing rules (simulator tokens only).
    #[arg(long)]
    ignore_pacing: bool,
    /// Pages committed per transaction (tuning and crash tests; default 25).
    #[arg(long, hide = true, value_name = "N")]
    pages_per_commit: Option<u32>,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// The last 50 syncs of a token.
    History { token: String },
}

pub async fn run(depot: &Depot, args: SyncArgs, json: bool) -> Result<()> {
    if let Some(SyncCommand::History { token }) = args.command {
        let id = resolve(depot, &token)?;
        let runs: Vec<SyncRun> = depot
            .sync_history(id)?
            .into_iter()
            .map(Into::into)
            .collect();
        if json {
            return print_json(&runs);
        }
        if runs.is_empty() {
            println!("No syncs yet.");
        }
        for r in &runs {
            println!(
                "{}  {:<5} {:<9} {:<9} {:>4} pages  +{} ~{} -{}  {}",
                r.started_at,
                format!("{:?}", r.kind).to_lowercase(),
                format!("{:?}", r.trigger).to_lowercase(),
                format!("{:?}", r.result).to_lowercase(),
                r.pages,
                r.added,
                r.modified,
                r.removed,
                r.error.as_deref().unwrap_or("")
            );
        }
        // PLT-2: devices an earlier default (before platforms) gave a profile
        // of another platform, to fix by assigning the right one.
        let mismatches = depot.token_detail(id)?.platform_mismatches;
        if !mismatches.is_empty() {
            println!(
                "\n{} device(s) hold a profile made for another platform; assign the right one (`depot assign --profile P SERIAL…`):",
                mismatches.len()
            );
            for m in &mismatches {
                println!(
                    "  {}  {:<8} on '{}' ({}){}",
                    m.serial,
                    m.family,
                    m.profile_name,
                    m.profile_platform.as_str(),
                    if m.profile_status == "pushed" {
                        ", already set up: erase it after assigning"
                    } else {
                        ""
                    }
                );
            }
        }
        return Ok(());
    }
    let tokens = match &args.token {
        Some(name) => vec![resolve(depot, name)?],
        None => depot.list_tokens()?.into_iter().map(|t| t.id).collect(),
    };
    if tokens.is_empty() {
        bail!("there are no tokens to sync (depot token add …)");
    }
    let defaults = SyncRequest::manual(args.full);
    let request = SyncRequest {
        trigger: SyncTrigger::Manual,
        ignore_pacing: args.ignore_pacing,
        pages_per_commit: args.pages_per_commit.unwrap_or(defaults.pages_per_commit),
        ..defaults
    };
    let tty = std::io::stderr().is_terminal() && !json;
    let mut results = Vec::new();
    let mut failures: Vec<(String, anyhow::Error)> = Vec::new();
    let total = tokens.len();
    for id in tokens {
        let name = depot.token_detail(id)?.overview.server_name;
        let draw = |p: &SyncProgress| {
            if tty {
                let bar = "#".repeat((p.pages as usize).min(30));
                eprint!(
                    "\r{name}: {:<6} [{bar:<30}] {} pages  +{} ~{} -{}",
                    format!("{:?}", p.phase).to_lowercase(),
                    p.pages,
                    p.added,
                    p.modified,
                    p.removed
                );
                let _ = std::io::stderr().flush();
            }
        };
        match depot.sync_token(id, request, &draw).await {
            Ok(outcome) => {
                if tty {
                    eprintln!();
                }
                let token: TokenSummary = depot
                    .list_tokens()?
                    .into_iter()
                    .find(|t| t.id == id)
                    .map(Into::into)
                    .ok_or_else(|| anyhow::anyhow!("token {id} vanished"))?;
                if !json {
                    println!(
                        "{}: {} sync {} — {} pages, {} added, {} modified, {} removed; {} devices",
                        token.server_name,
                        outcome.kind.as_str(),
                        if outcome.cancelled {
                            "cancelled (what was read is kept)"
                        } else {
                            "done"
                        },
                        outcome.pages,
                        outcome.added,
                        outcome.modified,
                        outcome.removed,
                        outcome.device_count
                    );
                }
                results.push(serde_json::json!({
                    "token": token.id,
                    "serverName": token.server_name,
                    "kind": outcome.kind.as_str(),
                    "cancelled": outcome.cancelled,
                    "pages": outcome.pages,
                    "added": outcome.added,
                    "modified": outcome.modified,
                    "removed": outcome.removed,
                    "deviceCount": outcome.device_count,
                }));
            }
            Err(err) => {
                if tty {
                    eprintln!();
                }
                failures.push((name, err.into()));
            }
        }
    }
    if json {
        print_json(&results)?;
    }
    match failures.len() {
        0 => Ok(()),
        1 if total == 1 => Err(failures.remove(0).1),
        n => {
            for (name, err) in &failures {
                eprintln!("depot: {name}: {err:#}");
            }
            bail!("{n} of {total} tokens did not sync")
        }
    }
}
