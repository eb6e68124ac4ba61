//! `depot-sim`: Apple's ADE web service and portal, simulated on loopback.

use std::process::ExitCode;

use clap::Parser;
use depot_sim::{CONTROL_HELP, ServeArgs, serve_cli};

/// Apple Automated Device Enrollment web service + portal simulator (loopback only).
///
/// Serves Apple's Device Assignment endpoints (/session, /account, /server/devices,
/// /devices/sync, /devices, /devices/disown, /profile, /profile/devices,
/// /device/replacementDetails) with Apple's JSON, error codes and cursor rules,
/// plus a portal that issues real .p7m server tokens and a control API for
/// faults, clock and scripted device changes.
#[derive(Debug, Parser)]
#[command(name = "depot-sim", version, after_help = CONTROL_HELP)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match serve_cli(cli.serve).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("depot-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
