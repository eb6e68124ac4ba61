//! `depot`: Depot on the command line, over the same core and workspace as the app.
//!
//! Exit codes: 0 success, 1 failure (the message says why), 2 bad usage (clap).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use depot_core::{Depot, SystemClock, location};

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
    /// The workspace: where it is, its schema, what it holds.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
}

#[derive(Debug, Subcommand)]
enum WorkspaceCommand {
    /// Show the workspace path, schema version and counts.
    Info,
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
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("depot: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let dir = location::resolve(
        cli.workspace.clone(),
        std::env::var_os(location::WORKSPACE_ENV),
        location::os_default,
    )
    .context("no workspace folder: pass --workspace DIR or set DEPOT_WORKSPACE")?;
    let depot = Depot::open(&dir, Arc::new(SystemClock))
        .with_context(|| format!("cannot open the workspace in {}", dir.display()))?;
    match cli.command {
        Command::Workspace(WorkspaceCommand::Info) => workspace_info(&depot, cli.json),
    }
}

fn workspace_info(depot: &Depot, json: bool) -> Result<()> {
    let info: depot_api::dto::WorkspaceInfo = depot.workspace_info()?.into();
    if json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        println!("Workspace:      {}", info.path);
        println!("Schema version: {}", info.schema_version);
        println!("Tokens:         {}", info.counts.tokens);
        println!("Profiles:       {}", info.counts.profiles);
        println!("Devices:        {}", info.counts.devices);
        println!("Audit entries:  {}", info.counts.audit_entries);
    }
    Ok(())
}
