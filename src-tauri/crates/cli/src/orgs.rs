//! `depot org …` (issue 17): Apple Business/School Manager API accounts, the
//! organisation's devices, and assigning devices to (or unassigning them
//! from) an MDM server. The private key is read from a file and never
//! printed.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use depot_api::dto::{OrgAccountDto, OrgActivityDto, OrgDeviceDto, OrgPreviewDto};
use depot_core::Depot;
use depot_core::orgs::{ActivityKind, AddOrgAccount};
use depot_domain::SecretString;

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an API account from Apple Business Manager (or School Manager):
    /// Preferences → API → the account's Client ID, Key ID and the private
    /// key `.pem` downloaded when it was generated.
    Add {
        #[arg(long, value_name = "ID")]
        client_id: String,
        #[arg(long, value_name = "KID")]
        key_id: String,
        #[arg(long, value_name = "FILE.pem")]
        key: PathBuf,
        /// An Apple School Manager account (SCHOOLAPI.…).
        #[arg(long)]
        school: bool,
        /// Both halves of the API at another base (a simulator: the token at
        /// URL/auth/oauth2/token, the API at URL/v1/…); needs
        /// DEPOT_ALLOW_TEST_APPLE_URL=1.
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
        /// Depot's name for it (default: the client id).
        #[arg(long)]
        name: Option<String>,
    },
    /// Every API account: devices, MDM servers and their Depot tokens.
    List,
    /// One account, by name, client id or id.
    Show { account: String },
    /// Remove an account and what Depot read with it.
    Remove { account: String },
    /// Read the organisation's devices and servers from Apple now.
    Sync { account: Option<String> },
    /// The devices the organisation owns, assigned to a server or not.
    Devices {
        #[arg(long, value_parser = ["assigned", "unassigned"])]
        status: Option<String>,
        /// An MDM server's name (or id).
        #[arg(long, value_name = "NAME")]
        server: Option<String>,
        /// Part of the serial, model, family, order number or colour.
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        /// At most this many (default 100).
        #[arg(long, value_name = "N", conflicts_with = "all")]
        limit: Option<u32>,
        /// Every matching device.
        #[arg(long)]
        all: bool,
        /// Write them as CSV to this file instead.
        #[arg(long, value_name = "FILE.csv")]
        csv: Option<PathBuf>,
        #[arg(long)]
        account: Option<String>,
    },
    /// One device, with its AppleCare coverage (read from Apple now).
    Device { serial: String },
    /// Assign devices to an MDM server: a preview first, then an activity
    /// Depot follows to completion; then the server's token is synced.
    Assign(ActivityArgs),
    /// Unassign devices from an MDM server.
    Unassign(ActivityArgs),
    /// The activities Depot started, newest first.
    Activities,
}

#[derive(Debug, clap::Args)]
pub struct ActivityArgs {
    /// The MDM server's name (or id).
    #[arg(long, value_name = "NAME")]
    server: String,
    /// A file of serial numbers (one per line, or CSV with a serial column).
    #[arg(long, value_name = "FILE", conflicts_with = "serial")]
    serials: Option<PathBuf>,
    /// Serial numbers.
    #[arg(value_name = "SERIAL", required_unless_present = "serials")]
    serial: Vec<String>,
    /// Show what would change, send nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    account: Option<String>,
}

fn serials_of(args: &ActivityArgs) -> Result<Vec<String>> {
    let mut out = args.serial.clone();
    if let Some(path) = &args.serials {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for line in text.lines() {
            let first = line.split([',', ';', '\t']).next().unwrap_or("").trim();
            let first = first.trim_matches('"');
            if first.is_empty()
                || first.eq_ignore_ascii_case("serial")
                || first.to_ascii_lowercase().contains("serial")
            {
                continue;
            }
            out.push(first.to_owned());
        }
    }
    if out.is_empty() {
        bail!("no serial numbers given");
    }
    Ok(out)
}

fn print_account(a: &OrgAccountDto) {
    println!(
        "{}  ({} · {} · key {})",
        a.name, a.kind, a.client_id, a.key_id
    );
    println!(
        "  devices: {} ({} assigned, {} unassigned, {} released) · last sync {}{}",
        a.devices,
        a.assigned,
        a.unassigned,
        a.released,
        a.last_sync_at.as_deref().unwrap_or("never"),
        a.last_error
            .as_deref()
            .map(|e| format!(" · last error: {e}"))
            .unwrap_or_default()
    );
    for s in &a.servers {
        println!(
            "  server {:<32} {:>7} devices  {}",
            s.name,
            s.devices,
            s.token_id
                .as_deref()
                .map(|t| format!("Depot token {t}"))
                .unwrap_or_else(|| "no Depot token".into())
        );
    }
}

fn print_preview(kind: ActivityKind, p: &OrgPreviewDto) {
    let verb = if kind == ActivityKind::Assign {
        "assign to"
    } else {
        "unassign from"
    };
    println!(
        "{} device(s) to {verb} '{}'",
        p.will_change.len(),
        p.server_name
    );
    if !p.other_server.is_empty() {
        println!(
            "  {} now on another server (they move):",
            p.other_server.len()
        );
        for s in p.other_server.iter().take(20) {
            println!("    {}  on {}", s.serial, s.server);
        }
    }
    for (what, list) in [
        (
            if kind == ActivityKind::Assign {
                "already there"
            } else {
                "not on it"
            },
            &p.already,
        ),
        ("released from the organisation (left out)", &p.released),
        ("unknown to the organisation (left out)", &p.unknown),
    ] {
        if !list.is_empty() {
            println!(
                "  {} {what}: {}",
                list.len(),
                list.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    if p.token_id.is_none() && kind == ActivityKind::Assign {
        println!(
            "  Depot has no token for '{}': the devices will not show in Depot's device list.",
            p.server_name
        );
    }
}

fn print_activity(a: &OrgActivityDto) {
    println!(
        "activity {}  {} {} device(s) {} '{}': {} {}{}",
        a.id,
        a.kind,
        a.serials.len(),
        if a.kind == "assign" { "to" } else { "from" },
        a.server_name,
        a.status,
        a.sub_status,
        if a.token_synced {
            " · token synced"
        } else {
            ""
        }
    );
    for r in &a.results {
        println!("  {:<14} {:<10} {}", r.serial, r.result, r.message);
    }
    if let Some(e) = &a.error {
        println!("  {e}");
    }
}

fn device_line(d: &OrgDeviceDto) -> String {
    format!(
        "{:<14} {:<10} {:<24} {:<8} {:<28} {}",
        d.serial,
        d.status,
        d.server_name.as_deref().unwrap_or("—"),
        d.family,
        d.model,
        d.released_at
            .as_deref()
            .map(|r| format!("released {}", &r[..10]))
            .unwrap_or_default()
    )
}

pub async fn run(depot: &Depot, command: OrgCommand, json: bool) -> Result<()> {
    match command {
        OrgCommand::Add {
            client_id,
            key_id,
            key,
            school,
            api_url,
            name,
        } => {
            let pem = std::fs::read_to_string(&key)
                .with_context(|| format!("reading {}", key.display()))?;
            let account: OrgAccountDto = depot
                .add_org_account(&AddOrgAccount {
                    name: name.as_deref(),
                    client_id: &client_id,
                    key_id: &key_id,
                    key_pem: &SecretString::new(pem),
                    school,
                    api_url: api_url.as_deref(),
                })
                .await?
                .into();
            if json {
                print_json(&account)?;
            } else {
                println!("Added the API account:");
                print_account(&account);
            }
        }
        OrgCommand::List => {
            let accounts: Vec<OrgAccountDto> =
                depot.org_accounts()?.into_iter().map(Into::into).collect();
            if json {
                print_json(&serde_json::json!({ "accounts": accounts }))?;
            } else if accounts.is_empty() {
                println!(
                    "No API accounts. Add one with `depot org add --client-id ID --key-id KID --key FILE.pem`."
                );
            } else {
                accounts.iter().for_each(print_account);
            }
        }
        OrgCommand::Show { account } => {
            let a: OrgAccountDto = depot.org_account(&account)?.into();
            if json {
                print_json(&a)?;
            } else {
                print_account(&a);
            }
        }
        OrgCommand::Remove { account } => {
            depot.remove_org_account(&account)?;
            if !json {
                println!("Removed the API account '{}'.", account.trim());
            }
        }
        OrgCommand::Sync { account } => {
            let accounts: Vec<OrgAccountDto> = depot
                .sync_org(account.as_deref())
                .await?
                .into_iter()
                .map(Into::into)
                .collect();
            if json {
                print_json(&serde_json::json!({ "accounts": accounts }))?;
            } else {
                accounts.iter().for_each(print_account);
            }
        }
        OrgCommand::Devices {
            status,
            server,
            search,
            limit,
            all,
            csv,
            account,
        } => {
            let limit = if all || csv.is_some() {
                None
            } else {
                Some(limit.unwrap_or(100))
            };
            let devices = depot.org_devices(
                account.as_deref(),
                status.as_deref(),
                server.as_deref(),
                search.as_deref(),
                limit,
            )?;
            if let Some(path) = csv {
                std::fs::write(&path, depot_core::orgs::org_devices_csv(&devices))
                    .with_context(|| format!("writing {}", path.display()))?;
                if !json {
                    println!("Wrote {} device(s) to {}.", devices.len(), path.display());
                }
                return Ok(());
            }
            let devices: Vec<OrgDeviceDto> = devices.into_iter().map(Into::into).collect();
            if json {
                print_json(&serde_json::json!({ "devices": devices }))?;
            } else {
                for d in &devices {
                    println!("{}", device_line(d));
                }
                if limit.is_some_and(|l| devices.len() as u32 >= l) {
                    println!("(first {} shown: --all for every one)", devices.len());
                }
            }
        }
        OrgCommand::Device { serial } => {
            let (device, coverage) = depot.org_device(&serial).await?;
            let device: OrgDeviceDto = device.into();
            if json {
                let coverage: Vec<depot_api::dto::CoverageDto> =
                    coverage.into_iter().map(Into::into).collect();
                print_json(&serde_json::json!({ "device": device, "coverage": coverage }))?;
            } else {
                println!("{}", device_line(&device));
                println!(
                    "  ordered {} ({}), {} {}, added {}",
                    device.order_number,
                    device.ordered_at.as_deref().unwrap_or("?"),
                    device.purchase_source_type,
                    device.purchase_source_id,
                    device.added_at.as_deref().unwrap_or("?")
                );
                if coverage.is_empty() {
                    println!("  AppleCare: none");
                }
                for c in &coverage {
                    println!(
                        "  AppleCare: {} {} until {}",
                        c.description,
                        c.status,
                        c.ends_at.map(|t| t.rfc3339()).unwrap_or_else(|| "—".into())
                    );
                }
            }
        }
        OrgCommand::Assign(args) => activity(depot, ActivityKind::Assign, &args, json).await?,
        OrgCommand::Unassign(args) => activity(depot, ActivityKind::Unassign, &args, json).await?,
        OrgCommand::Activities => {
            let list: Vec<OrgActivityDto> = depot
                .org_activities(50)?
                .into_iter()
                .map(Into::into)
                .collect();
            if json {
                print_json(&serde_json::json!({ "activities": list }))?;
            } else if list.is_empty() {
                println!("No activities yet.");
            } else {
                list.iter().for_each(print_activity);
            }
        }
    }
    Ok(())
}

async fn activity(
    depot: &Depot,
    kind: ActivityKind,
    args: &ActivityArgs,
    json: bool,
) -> Result<()> {
    let serials = serials_of(args)?;
    let preview: OrgPreviewDto = depot
        .preview_org_activity(args.account.as_deref(), kind, &args.server, &serials)?
        .into();
    if args.dry_run {
        if json {
            print_json(&preview)?;
        } else {
            print_preview(kind, &preview);
            println!("(dry run: nothing was sent)");
        }
        return Ok(());
    }
    if !json {
        print_preview(kind, &preview);
    }
    let started = depot
        .start_org_activity(args.account.as_deref(), kind, &args.server, &serials)
        .await?;
    let mut done = Vec::new();
    for a in started {
        if !json {
            println!("Started activity {}; following it…", a.row.id);
        }
        let finished: OrgActivityDto = depot.follow_org_activity(&a.row.id).await?.into();
        done.push(finished);
    }
    if json {
        print_json(&serde_json::json!({ "activities": done }))?;
    } else {
        done.iter().for_each(print_activity);
    }
    if done.iter().any(|a| a.finished_at.is_none()) {
        bail!("an activity is still running at Apple: see `depot org activities` later");
    }
    Ok(())
}
