//! `depot vpp …`: Apps and Books (VPP) tokens (issue 15): add, list, show,
//! renew, delete, sync. Their secret is never printed.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use depot_api::dto::{VppToken, VppTokenList};
use depot_core::Depot;
use depot_core::vpp::AddVppToken;

use crate::print_json;
use crate::tokens::token_file;

#[derive(Debug, Subcommand)]
pub enum VppCommand {
    /// Add a token downloaded from Apple Business Manager or Apple School
    /// Manager (Preferences → Payments and Billing → Apps and Books). Depot
    /// reads its location from Apple and claims it; a location another MDM
    /// manages needs --take-over.
    Add {
        #[arg(long, value_name = "F.vpptoken")]
        file: PathBuf,
        /// Depot's name for it (default: the location's name).
        #[arg(long, value_name = "N")]
        name: Option<String>,
        /// Another Apps and Books service (a simulator: needs
        /// DEPOT_ALLOW_TEST_APPLE_URL=1; `simulator` for demo mode's).
        #[arg(long, value_name = "URL")]
        apps_url: Option<String>,
        /// Use the location here even though another MDM manages it.
        #[arg(long)]
        take_over: bool,
    },
    /// Every token: state, expiry, location, Company Portal licences.
    List,
    /// One token, by name or id.
    Show { token: String },
    /// Replace a token's file with a new one for the same location.
    Renew {
        token: String,
        #[arg(long, value_name = "F.vpptoken")]
        file: PathBuf,
        /// The new file may be for another location.
        #[arg(long)]
        other_location: bool,
    },
    /// Delete a token (refused while a profile installs the Company Portal with it).
    Delete { token: String },
    /// Read the Company Portal's licences and the token's standing from Apple
    /// now (every token without TOKEN).
    Sync { token: Option<String> },
}

fn licences(t: &VppToken) -> String {
    match &t.company_portal {
        Some(c) => format!(
            "{} available of {} ({} assigned{}), as of {}",
            c.available,
            c.total,
            c.assigned,
            if c.device_assignable {
                ""
            } else {
                "; not device-assignable"
            },
            c.as_of
        ),
        None => "no Company Portal licences read yet".into(),
    }
}

fn print_one(t: &VppToken) {
    println!("Apps and Books token {} '{}'", t.id, t.name);
    println!("  location:  {} ({})", t.location_name, t.org_name);
    println!("  expires:   {}", t.expires_at);
    println!("  state:     {}", t.state);
    if let Some(problem) = &t.problem {
        println!("  problem:   {problem}");
    }
    if let Some(other) = &t.other_mdm {
        println!("  claimed by: {other}");
    }
    println!("  Company Portal: {}", licences(t));
    if let Some(at) = &t.last_sync_at {
        println!("  last sync: {at}");
    }
    if let Some(at) = &t.retry_at {
        println!("  next try:  {at} (Apple asked to wait)");
    }
    if t.simulator {
        println!("  (a simulator, not Apple)");
    }
}

fn print_list(list: &VppTokenList) {
    if list.tokens.is_empty() {
        println!("No Apps and Books tokens. Add one with `depot vpp add --file F.vpptoken`.");
        return;
    }
    println!(
        "{:<4} {:<24} {:<24} {:<10} {:<21} COMPANY PORTAL",
        "ID", "NAME", "LOCATION", "STATE", "EXPIRES"
    );
    for t in &list.tokens {
        let portal = t.company_portal.as_ref().map_or_else(
            || "-".to_owned(),
            |c| format!("{}/{} available", c.available, c.total),
        );
        println!(
            "{:<4} {:<24} {:<24} {:<10} {:<21} {portal}",
            t.id, t.name, t.location_name, t.state, t.expires_at
        );
    }
}

pub async fn run(depot: &Depot, command: VppCommand, json: bool) -> Result<()> {
    match command {
        VppCommand::Add {
            file,
            name,
            apps_url,
            take_over,
        } => {
            let input = token_file(&file)?;
            let token: VppToken = depot
                .add_vpp_token(&AddVppToken {
                    file: &input,
                    name: name.as_deref(),
                    apps_url: apps_url.as_deref(),
                    take_over,
                })
                .await?
                .into();
            if json {
                return print_json(&token);
            }
            println!(
                "Added the Apps and Books token '{}' for {}.",
                token.name, token.location_name
            );
            print_one(&token);
        }
        VppCommand::List => {
            let list = VppTokenList {
                tokens: depot.vpp_tokens()?.into_iter().map(Into::into).collect(),
            };
            if json {
                return print_json(&list);
            }
            print_list(&list);
        }
        VppCommand::Show { token } => {
            let token: VppToken = depot.vpp_token(&token)?.into();
            if json {
                return print_json(&token);
            }
            print_one(&token);
        }
        VppCommand::Renew {
            token,
            file,
            other_location,
        } => {
            let input = token_file(&file)?;
            let token: VppToken = depot
                .renew_vpp_token(&token, &input, other_location)
                .await?
                .into();
            if json {
                return print_json(&token);
            }
            println!("Renewed the Apps and Books token '{}'.", token.name);
            print_one(&token);
        }
        VppCommand::Delete { token } => {
            let row = depot.vpp_token(&token)?;
            depot.delete_vpp_token(&token)?;
            if json {
                return print_json(&serde_json::json!({ "deleted": row.name }));
            }
            println!("Deleted the Apps and Books token '{}'.", row.name);
        }
        VppCommand::Sync { token } => {
            let rows = match token {
                Some(token) => vec![depot.sync_vpp_token(&token).await?],
                None => depot.sync_vpp_tokens().await?,
            };
            let list = VppTokenList {
                tokens: rows.into_iter().map(Into::into).collect(),
            };
            if json {
                print_json(&list)?;
            } else {
                for t in &list.tokens {
                    match &t.problem {
                        None => println!("{}: {}", t.name, licences(t)),
                        Some(problem) => println!("{}: {} — {problem}", t.name, t.state),
                    }
                }
            }
            // A token Apple refused makes the command fail (for cron).
            if let Some(bad) = list.tokens.iter().find(|t| t.problem.is_some()) {
                anyhow::bail!(
                    "the Apps and Books token '{}' needs attention: {}",
                    bad.name,
                    bad.problem.as_deref().unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
