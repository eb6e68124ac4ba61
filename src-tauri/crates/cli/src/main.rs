//! `depot`: Depot on the command line, over the same core and workspace as the app.
//!
//! Exit codes: 0 success, 1 failure (one line on stderr says why; nothing was
//! changed), 2 bad usage.

mod alerts;
mod devices;
mod orgs;
mod profiles;
#[cfg(test)]
mod reference;
mod serve;
mod sync;
mod tokens;
mod users;
mod vpp;
mod webhooks;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use depot_core::{Depot, DepotOptions, location};

#[derive(Debug, Parser)]
#[command(
    name = "depot",
    version,
    about = "Depot — Apple Automated Device Enrollment admin console"
)]
struct Cli {
    /// Workspace folder (default: $DEPOT_WORKSPACE, else the OS app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The workspace: where it is, its schema, what it holds; its key.
    #[command(subcommand)]
    Workspace(workspace::WorkspaceCommand),
    /// ADE tokens: key pair, add, list, show, renew, delete.
    #[command(subcommand)]
    Token(tokens::TokenCommand),
    /// Sync devices from Apple: `depot sync [TOKEN] [--full]`, `depot sync history TOKEN`.
    Sync(sync::SyncArgs),
    /// Enrollment profiles: create, edit, list, show, export, import, default, delete, handoff.
    #[command(subcommand)]
    Profile(profiles::ProfileCommand),
    /// Devices: list, show, export, delete.
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Assign a profile to serial numbers (a preview with --dry-run).
    Assign(devices::AssignArgs),
    /// Remove the profile from serial numbers.
    Unassign(devices::UnassignArgs),
    /// Workspace settings (enrollment URLs).
    #[command(subcommand)]
    Settings(profiles::SettingsCommand),
    /// What needs attention, worst first; `--fail-on warning|critical` exits 3
    /// when any alert is at or above it (for cron and monitoring).
    Alerts(alerts::AlertsArgs),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Apps and Books (VPP) tokens: add, list, show, renew, delete, sync.
    #[command(subcommand)]
    Vpp(vpp::VppCommand),
    /// Apple Business/School Manager API: every device the organisation
    /// owns, its MDM servers, and assigning devices to them: add, list,
    /// show, remove, sync, devices, device, assign, unassign, activities.
    #[command(subcommand)]
    Org(orgs::OrgCommand),
    /// Where `depot serve` delivers alerts: add, list, remove, test
    /// (generic JSON, Microsoft Teams or Slack incoming webhooks).
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// People who sign in when the workspace is served (`depot serve`): add,
    /// list, show, set-role, set-scope, disable, enable, reset-password,
    /// sign-out, delete.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Serve this workspace to the team: the HTTP API, sign-in and the
    /// scheduler, always on.
    Serve(serve::ServeArgs),
    /// Depot's simulator of Apple's service and portal.
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// List audit entries, newest first.
    List {
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        object: Option<String>,
        /// YYYY-MM-DD or RFC 3339.
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// Run the simulator on 127.0.0.1 until Ctrl-C (same flags as `depot-sim`).
    Serve(depot_sim::ServeArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEPOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("depot: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    // A bug must not look like a crash to a script: one line on stderr and
    // exit code 1 (never Rust's 101), whatever thread it happened on.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "depot: internal error{at}: {}. Nothing further was changed; please report this.",
            panic_message(info.payload())
        );
    }));
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(run(cli))));
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            eprintln!("depot: {err:#}");
            if err.downcast_ref::<alerts::AlertsFound>().is_some() {
                ExitCode::from(alerts::ALERTS_EXIT_CODE)
            } else {
                ExitCode::FAILURE
            }
        }
        // The hook has already said what happened.
        Err(_) => ExitCode::FAILURE,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}

async fn run(cli: Cli) -> Result<()> {
    if let Command::Sim(SimCommand::Serve(args)) = cli.command {
        return depot_sim::serve_cli(args).await.map_err(Into::into);
    }
    let depot = Arc::new(open(&cli)?);
    if let Command::Serve(args) = cli.command {
        // Each request records its own person and origin.
        return serve::run(depot, args).await;
    }
    // The CLI on the workspace itself acts as its owner: every token.
    let acting =
        depot_core::access::Acting::unlimited(depot.operator(), depot_core::access::Origin::Cli);
    depot_core::access::acting_as(acting, run_on(depot, cli)).await
}

async fn run_on(depot: Arc<Depot>, cli: Cli) -> Result<()> {
    match cli.command {
        Command::Workspace(command) => workspace::run(&depot, command, cli.json),
        Command::Token(command) => tokens::run(&depot, command, cli.json).await,
        Command::Sync(args) => sync::run(&depot, args, cli.json).await,
        Command::Profile(command) => profiles::run(&depot, command, cli.json).await,
        Command::Settings(command) => profiles::settings(&depot, command, cli.json),
        Command::Users(command) => users::run(&depot, command, cli.json),
        Command::Vpp(command) => vpp::run(&depot, command, cli.json).await,
        Command::Webhooks(command) => webhooks::run(&depot, command, cli.json).await,
        Command::Org(command) => orgs::run(&depot, command, cli.json).await,
        Command::Alerts(args) => alerts::run(&depot, args, cli.json),
        Command::Serve(_) => unreachable!("served above"),
        Command::Devices(command) => devices::run(&depot, command, cli.json).await,
        Command::Assign(args) => {
            resume(&depot).await;
            devices::assign(&depot, args, cli.json).await
        }
        Command::Unassign(args) => {
            resume(&depot).await;
            devices::unassign(&depot, args, cli.json).await
        }
        Command::Audit(AuditCommand::List {
            action,
            object,
            from,
            to,
            limit,
        }) => {
            let filter = depot_core::AuditFilter {
                action,
                object,
                operator: None,
                from,
                to,
            };
            audit_list(&depot, &filter, limit, cli.json)
        }
        Command::Sim(_) => unreachable!("handled above"),
    }
}

/// Finishes assignment runs a crash or kill left behind before starting new ones.
async fn resume(depot: &Depot) {
    match depot.resume_assignments().await {
        Ok(runs) => {
            for run in runs {
                eprintln!(
                    "Resumed unfinished run {}: {} of {} succeeded ({}).",
                    run.run_id, run.succeeded, run.total, run.result
                );
            }
        }
        Err(err) => eprintln!("depot: unfinished runs could not be resumed: {err}"),
    }
}

fn open(cli: &Cli) -> Result<Depot> {
    let dir = location::resolve(
        cli.workspace.clone(),
        std::env::var_os(location::WORKSPACE_ENV),
        location::os_default,
    )
    .context("no workspace folder: pass --workspace DIR or set DEPOT_WORKSPACE")?;
    let options = DepotOptions {
        apple_hosts: location::test_apple_hosts_from_env(),
        ..DepotOptions::for_this_machine(
            location::key_file_from_env(),
            location::operator_from_env(),
        )
    };
    Depot::open(&dir, options)
        .with_context(|| format!("cannot open the workspace in {}", dir.display()))
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn audit_list(
    depot: &Depot,
    filter: &depot_core::AuditFilter,
    limit: u32,
    json: bool,
) -> Result<()> {
    let page: depot_api::dto::AuditPage = depot.audit_page(filter, None, limit)?.into();
    if json {
        return print_json(&page.entries);
    }
    for e in &page.entries {
        println!("{}  {:<10} {:<20} {}", e.at, e.operator, e.action, e.object);
    }
    if page.entries.is_empty() {
        println!("No audit entries match.");
    }
    Ok(())
}
