//! `depot devices …`, `depot assign`, `depot unassign` (DEV-1..7).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use depot_api::dto::{AssignmentPreviewDto, AssignmentRun, DeviceDetailDto, DeviceRow};
use depot_core::Depot;
use depot_core::assign::{AssignReason, AssignRequest};
use depot_core::devices::parse_serials;
use depot_core::devices::{DeviceQuery, DeviceSort, ProfileFilter};
use depot_core::files::{self, FileKind};
use depot_domain::serial_list::parse_serial_list;
use depot_domain::{ProfileId, ProfileStatus, TokenId};

use crate::{print_json, tokens};

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List devices (first page; `--limit` up to 500, `--all` for every row).
    List {
        #[command(flatten)]
        filter: Filter,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Every matching row (pages through the whole list).
        #[arg(long)]
        all: bool,
    },
    /// Show one device: Apple facts on each token, profile history, rendered name.
    Show { serial: String },
    /// Write the (filtered) device list as CSV.
    Export {
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        #[command(flatten)]
        filter: Filter,
    },
    /// Delete devices from Depot (Apple still lists them until they are
    /// unassigned in Apple's portal; the next full sync brings those back).
    Delete {
        serials: Vec<String>,
        /// Only on this token (default: every token listing the serial).
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
}

/// One of the four profile statuses Apple documents.
fn parse_status(text: &str) -> Result<ProfileStatus, String> {
    match ProfileStatus::parse(text.trim()) {
        ProfileStatus::Unknown(_) => Err(format!(
            "'{text}' is not a profile status; use empty, assigned, pushed or removed"
        )),
        known => Ok(known),
    }
}

#[derive(Debug, Args)]
pub struct Filter {
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Profile status: empty, assigned, pushed, removed (repeatable).
    #[arg(long = "status", value_name = "S", value_parser = parse_status)]
    statuses: Vec<ProfileStatus>,
    /// Depot profile (id or name), or `none`.
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// Free text: serial, model, description, color, asset tag, OS; or the
    /// start (6+ characters) of an IMEI, MEID, EID or MAC address.
    #[arg(long, value_name = "Q")]
    search: Option<String>,
    #[arg(long, value_name = "PREFIX")]
    serial_prefix: Option<String>,
    #[arg(long = "family", value_name = "F")]
    families: Vec<String>,
    #[arg(long = "model", value_name = "M")]
    models: Vec<String>,
    #[arg(long, value_name = "TAG")]
    scope_tag: Option<String>,
    /// Last assignment result: SUCCESS, FAILED, NOT_ACCESSIBLE, THROTTLED, COOLDOWN, NOT_SENT, PENDING, NONE.
    #[arg(long, value_name = "R")]
    result: Option<String>,
    /// Sort: serial, model, assigned, status.
    #[arg(long, default_value = "serial")]
    sort: String,
    #[arg(long)]
    desc: bool,
    #[arg(long)]
    include_removed: bool,
}

impl Filter {
    fn query(&self, depot: &Depot) -> Result<DeviceQuery> {
        let token = self
            .token
            .as_deref()
            .map(|t| tokens::resolve(depot, t))
            .transpose()?;
        let profile = match self.profile.as_deref() {
            None => None,
            Some("none") => Some(ProfileFilter::NoDepotProfile),
            Some(p) => Some(ProfileFilter::Profile(depot.resolve_profile(p, token)?)),
        };
        let sort = match self.sort.as_str() {
            "serial" => DeviceSort::Serial,
            "model" => DeviceSort::Model,
            "assigned" => DeviceSort::AssignedDate,
            "status" => DeviceSort::Status,
            other => bail!("--sort takes serial, model, assigned or status, not '{other}'"),
        };
        Ok(DeviceQuery {
            token,
            statuses: self.statuses.clone(),
            profile,
            families: self.families.clone(),
            models: self.models.clone(),
            scope_tag: self.scope_tag.clone(),
            within: None,
            enrollment_profile_name: None,
            last_result: self.result.clone(),
            serial_prefix: self.serial_prefix.clone(),
            text: self.search.clone(),
            include_removed: self.include_removed,
            sort,
            descending: self.desc,
        })
    }
}

/// `depot assign` / `depot unassign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The profile to assign (id or name).
    #[arg(long, value_name = "P")]
    profile: String,
    /// The token, when the profile name is used on several tokens.
    #[arg(long, value_name = "T")]
    token: Option<String>,
    #[command(flatten)]
    serials: SerialsArg,
    /// Print the preview (how each serial is classified) and send nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct UnassignArgs {
    /// Only serials of this token (default: the token that lists each serial).
    #[arg(long, value_name = "T")]
    token: Option<String>,
    #[command(flatten)]
    serials: SerialsArg,
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SerialsArg {
    /// A TXT (one serial per line) or CSV file with a serial column.
    #[arg(long, value_name = "FILE")]
    serials: Option<PathBuf>,
    /// Serial numbers.
    #[arg(value_name = "SERIAL")]
    list: Vec<String>,
}

impl SerialsArg {
    fn text(&self) -> Result<String> {
        match (&self.serials, self.list.is_empty()) {
            (Some(path), true) => Ok(files::read_text_file(path, FileKind::SerialList)?),
            (None, false) => Ok(self.list.join("\n")),
            (Some(_), false) => bail!("give --serials FILE or serial numbers, not both"),
            (None, true) => bail!("give --serials FILE or serial numbers"),
        }
    }
}

pub async fn run(depot: &Arc<Depot>, command: DevicesCommand, json: bool) -> Result<()> {
    match command {
        DevicesCommand::List { filter, limit, all } => {
            // A script asking for more rows than a page holds must find out,
            // not silently get fewer.
            let max = depot_core::devices::MAX_DEVICE_PAGE;
            if !all && !(1..=max).contains(&limit) {
                bail!("--limit must be between 1 and {max}; use --all for every matching device");
            }
            let limit = if all { max } else { limit };
            let query = filter.query(depot)?;
            let mut rows: Vec<DeviceRow> = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = depot.list_devices(&query, cursor.as_deref(), limit)?;
                rows.extend(page.rows.iter().map(DeviceRow::from));
                cursor = page.next;
                if !all || cursor.is_none() {
                    break;
                }
            }
            if json {
                return print_json(&rows);
            }
            let total = depot.count_devices(&query)?;
            for r in &rows {
                println!(
                    "{:<14} {:<22} {:<10} {:<24} {:<12} {}",
                    r.serial,
                    truncate(&r.model, 22),
                    r.profile_status,
                    r.depot_profile_name
                        .as_deref()
                        .map(|n| truncate(n, 24))
                        .unwrap_or_default(),
                    r.last_result.as_deref().unwrap_or(""),
                    r.token_name
                );
            }
            println!("{} of {total} matching device(s)", rows.len());
            Ok(())
        }
        DevicesCommand::Show { serial } => {
            let mut detail: DeviceDetailDto = depot.device_detail(&serial)?.into();
            // A replacement device: ask Apple which device it replaced (once;
            // the answer is kept). Apple out of reach is said, not fatal.
            let mut unanswered = BTreeMap::new();
            for record in &mut detail.records {
                let facts = &mut record.facts;
                if facts.is_replacement && facts.replacement.is_none() {
                    let token = TokenId::new(record.device.token_id.parse()?);
                    match depot.device_replacement(token, &detail.serial).await {
                        Ok(answer) => facts.replacement = Some((&answer).into()),
                        Err(err) => {
                            unanswered.insert(record.device.token_id.clone(), err.to_string());
                        }
                    }
                }
            }
            if json {
                for (token, err) in &unanswered {
                    eprintln!(
                        "token {token}: could not ask Apple for the replacement details: {err}"
                    );
                }
                return print_json(&detail);
            }
            print_device(&detail, &unanswered);
            Ok(())
        }
        DevicesCommand::Export { out, filter } => {
            let query = filter.query(depot)?;
            let mut rows = 0;
            let mut failed = None;
            files::write_with(&out, |writer| {
                match depot.export_devices_csv(&query, writer) {
                    Ok(n) => rows = n,
                    Err(err) => {
                        failed = Some(err);
                        return Err(std::io::Error::other("the export stopped"));
                    }
                }
                Ok(())
            })
            .map_err(|err| match failed.take() {
                Some(cause) => anyhow::Error::from(cause),
                None => err.into(),
            })?;
            println!("Wrote {rows} device(s) to {}", out.display());
            Ok(())
        }
        DevicesCommand::Delete { serials, token } => {
            if serials.is_empty() {
                bail!("give the serial numbers to delete");
            }
            let by_token = group_by_token(depot, &serials, token.as_deref())?;
            let mut deleted = 0;
            for (token, serials) in by_token {
                deleted += depot.delete_devices(token, &parse_serials(&serials)?)?;
            }
            println!(
                "Deleted {deleted} device(s) from Depot. A device Apple still assigns to the MDM server comes back with the next full sync."
            );
            Ok(())
        }
    }
}

pub async fn assign(depot: &Arc<Depot>, args: AssignArgs, json: bool) -> Result<()> {
    // The input first: a file that cannot be read is the first thing to say.
    let serials = args.serials.text()?;
    let token = args
        .token
        .as_deref()
        .map(|t| tokens::resolve(depot, t))
        .transpose()?;
    let profile = depot.resolve_profile(&args.profile, token)?;
    let token = depot.profile_detail(profile)?.overview.token_id;
    let preview: AssignmentPreviewDto = depot
        .preview_assignment(token, Some(profile), &serials)?
        .into();
    send(depot, token, Some(profile), preview, args.dry_run, json).await
}

pub async fn unassign(depot: &Arc<Depot>, args: UnassignArgs, json: bool) -> Result<()> {
    let list = parse_serial_list(&args.serials.text()?);
    let serials: Vec<String> = list.serials.iter().map(|s| s.as_str().to_owned()).collect();
    report_bad_rows(&list.bad_rows);
    let by_token = group_by_token(depot, &serials, args.token.as_deref())?;
    for (token, serials) in by_token {
        let preview: AssignmentPreviewDto = depot
            .preview_serials(token, None, &parse_serials(&serials)?, Vec::new(), 0)?
            .into();
        send(depot, token, None, preview, args.dry_run, json).await?;
    }
    Ok(())
}

async fn send(
    depot: &Arc<Depot>,
    token: TokenId,
    profile: Option<ProfileId>,
    preview: AssignmentPreviewDto,
    dry_run: bool,
    json: bool,
) -> Result<()> {
    if dry_run {
        if json {
            return print_json(&preview);
        }
        for row in &preview.rows {
            println!(
                "{:<14} {:<17} {}{}",
                row.serial,
                row.class,
                row.detail,
                if row.will_send { "" } else { " (not sent)" }
            );
        }
        report_bad_rows_dto(&preview);
        for warning in &preview.warnings {
            println!("Warning: {warning}");
        }
        println!(
            "Dry run: {} of {} serial(s) would be sent; nothing was sent.",
            preview.to_send.len(),
            preview.rows.len()
        );
        return Ok(());
    }
    report_bad_rows_dto(&preview);
    for warning in &preview.warnings {
        eprintln!("Warning: {warning}");
    }
    if preview.to_send.is_empty() {
        bail!("no serial number is left to send (see `--dry-run` for why)");
    }
    let run = depot.start_assignment(&AssignRequest {
        token,
        profile,
        serials: parse_serials(&preview.to_send)?,
        reason: AssignReason::Manual,
    })?;
    let progress = std::io::stderr().is_terminal();
    let watcher = {
        let depot = Arc::clone(depot);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                let Ok(s) = depot.assignment_summary(run) else {
                    break;
                };
                if progress {
                    eprint!("\r{} of {} answered", s.total - s.pending, s.total);
                }
                if s.result != depot_core::assign::RunResult::Running {
                    break;
                }
            }
        })
    };
    let summary: AssignmentRun = depot.run_assignment(run).await?.into();
    watcher.abort();
    if progress {
        eprintln!();
    }
    if json {
        return print_json(&summary);
    }
    println!(
        "Run {}: {} sent — {} succeeded, {} failed, {} not accessible, {} throttled, {} in cooldown, {} not sent ({}).",
        summary.id,
        summary.total,
        summary.succeeded,
        summary.failed,
        summary.not_accessible,
        summary.throttled,
        summary.cooldown,
        summary.not_sent,
        summary.result
    );
    let kept = depot.assignment_summary(run)?.throttled_kept;
    if kept > 0 {
        println!(
            "{kept} serial{} Apple throttled {} kept and will be sent in a later run, once Apple allows.",
            if kept == 1 { "" } else { "s" },
            if kept == 1 { "is" } else { "are" },
        );
    }
    if summary.succeeded < summary.total {
        for r in depot.assignment_results(run)? {
            match r.outcome {
                Some(depot_core::assign::Outcome::Success) => {}
                other => println!(
                    "  {:<14} {:<15} {}",
                    r.serial,
                    other.map_or("PENDING", |o| o.as_str()),
                    r.detail.unwrap_or_default()
                ),
            }
        }
    }
    if summary.result == depot_api::dto::RunResult::Failed {
        bail!(summary.error.unwrap_or_else(|| "the run failed".into()));
    }
    Ok(())
}

/// Serials by the token that lists them (or all on `token`); unknown serials
/// are an error naming them.
fn group_by_token(
    depot: &Depot,
    serials: &[String],
    token: Option<&str>,
) -> Result<BTreeMap<TokenId, Vec<String>>> {
    let mut out: BTreeMap<TokenId, Vec<String>> = BTreeMap::new();
    if let Some(token) = token {
        out.insert(tokens::resolve(depot, token)?, serials.to_vec());
        return Ok(out);
    }
    let owners = depot.tokens_of_serials(serials)?;
    let mut unknown = Vec::new();
    for serial in serials {
        match owners.get(serial) {
            Some(token) => out.entry(*token).or_default().push(serial.clone()),
            None => unknown.push(serial.clone()),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "Depot does not know {} (sync first, or give --token): {}",
            if unknown.len() == 1 {
                "this serial"
            } else {
                "these serials"
            },
            unknown.join(", ")
        );
    }
    Ok(out)
}

fn report_bad_rows(rows: &[depot_domain::serial_list::BadRow]) {
    for b in rows {
        eprintln!("line {}: '{}': {}", b.line, b.text, b.reason);
    }
}

fn report_bad_rows_dto(preview: &AssignmentPreviewDto) {
    for b in &preview.bad_rows {
        eprintln!("line {}: '{}': {}", b.line, b.text, b.reason);
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// One line for a sync event: what happened and, for a change, which fields.
fn sync_event_text(e: &depot_api::dto::DeviceSyncEvent) -> String {
    match e.kind.as_str() {
        "added" => "listed by Apple for this token".to_owned(),
        "returned" => "back on this token after being removed".to_owned(),
        "removed" if e.reason.as_deref() == Some("unlisted") => {
            "removed: missing from Apple's full device list".to_owned()
        }
        "removed" => "removed: released by Apple".to_owned(),
        _ => {
            let fields: Vec<String> = e
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "{} {} → {}",
                        c.field,
                        c.before.as_deref().unwrap_or("—"),
                        c.after.as_deref().unwrap_or("—")
                    )
                })
                .collect();
            format!("changed: {}", fields.join("; "))
        }
    }
}

/// The protocol-10 facts of one record, one line each, only those Apple sent.
fn print_facts(r: &depot_api::dto::DeviceRecordDto, unanswered: Option<&String>) {
    let f = &r.facts;
    let lines = [
        ("IMEI:     ", f.imei.join(", ")),
        ("MEID:     ", f.meid.join(", ")),
        ("EID:      ", f.eid.clone().unwrap_or_default()),
        ("Wi-Fi MAC:     ", f.wifi_mac.clone().unwrap_or_default()),
        (
            "Bluetooth MAC: ",
            f.bluetooth_mac.clone().unwrap_or_default(),
        ),
        (
            "Ethernet MAC:  ",
            f.ethernet_mac.clone().unwrap_or_default(),
        ),
    ];
    for (label, value) in lines {
        if !value.is_empty() {
            println!("{label}{value}");
        }
    }
    if f.is_replacement {
        let text = match (&f.replacement, unanswered) {
            (Some(answer), _) => match (&answer.original_serial, &answer.replaced_on) {
                (Some(serial), Some(day)) => format!("replaced {serial} on {day}"),
                (Some(serial), None) => format!("replaced {serial}"),
                (None, _) => "Apple names no replaced device".to_owned(),
            },
            (None, Some(err)) => {
                format!("Apple could not be asked which device it replaced ({err})")
            }
            (None, None) => "not asked yet which device it replaced".to_owned(),
        };
        println!("Replacement device: {text}");
    }
    if f.released_by_replacement {
        println!("Released by a replacement");
    }
}

fn print_device(d: &DeviceDetailDto, unanswered: &BTreeMap<String, String>) {
    println!("Serial:   {}", d.serial);
    for r in &d.records {
        let dev = &r.device;
        println!();
        println!(
            "Token:    {}{}",
            dev.token_name,
            if dev.removed_at.is_some() {
                " (removed by Apple)"
            } else {
                ""
            }
        );
        println!("Model:    {} ({}, {})", dev.model, dev.family, dev.color);
        if let Some(os) = &dev.os {
            println!("OS:       {os}");
        }
        print_facts(r, unanswered.get(&dev.token_id));
        println!("Status:   {}", dev.profile_status);
        if let Some(name) = &dev.depot_profile_name {
            println!(
                "Profile:  {name} v{}",
                dev.depot_profile_version.unwrap_or_default()
            );
        } else if let Some(uuid) = &dev.profile_uuid {
            println!("Profile:  {uuid} (not a Depot profile)");
        }
        if let Some(name) = &r.rendered_name {
            println!("Name:     {name}");
        }
        if let Some(until) = &r.cooldown_until {
            println!("Cooldown: not sent again before {until}");
        }
        println!(
            "Synced:   added {}, Apple's last change {}",
            r.added_at.as_deref().unwrap_or("—"),
            r.apple_changed_at.as_deref().unwrap_or("—")
        );
        if !r.events.is_empty() {
            println!("Sync events:");
            for e in &r.events {
                println!("  {}  {}", e.at, sync_event_text(e));
            }
        }
    }
    if !d.history.is_empty() {
        println!();
        println!("Profile history:");
        for h in &d.history {
            println!(
                "  run {:<5} {:<7} {:<24} {:<15} {} by {}",
                h.run_id,
                h.kind,
                h.profile_name.as_deref().unwrap_or("—"),
                h.outcome.as_deref().unwrap_or("PENDING"),
                h.at.as_deref().unwrap_or(&h.started_at),
                h.operator
            );
        }
    }
}
