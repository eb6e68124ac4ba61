//! `depot workspace …`: where the workspace is and what it holds, and its key
//! (export a backup, import one back).

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use depot_core::{Depot, Protection};
use serde::Serialize;

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Show the workspace path, schema version and counts.
    Info,
    /// The workspace key that encrypts token secrets: back it up, or put a
    /// saved copy back.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Copy the workspace to a new file while it is in use (a running `depot
    /// serve` included): SQLite's online backup, a consistent snapshot. The
    /// token secrets inside stay encrypted with the workspace key; back the
    /// key up on its own (`workspace key export`).
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write the workspace key to a new file readable only by you (never
    /// overwrites one). Keep it safe: it opens this workspace's secrets. The
    /// file also works as DEPOT_KEY_FILE.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Put a saved key back where Depot keeps it (the OS keychain, or
    /// DEPOT_KEY_FILE). Refused unless it opens this workspace's secrets.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyExported {
    file: String,
    workspace_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyImported {
    workspace_id: String,
    stored_in: String,
    key_protection: &'static str,
}

pub fn run(depot: &Depot, command: WorkspaceCommand, json: bool) -> Result<()> {
    match command {
        WorkspaceCommand::Info => info(depot, json),
        WorkspaceCommand::Backup { out } => {
            let bytes = depot.backup_workspace(&out)?;
            if json {
                return print_json(
                    &serde_json::json!({ "file": out.display().to_string(), "bytes": bytes }),
                );
            }
            println!(
                "Backed up the workspace to {} ({bytes} bytes).",
                out.display()
            );
            println!(
                "Its token secrets open only with the workspace key: keep a copy of it too (depot workspace key export)."
            );
            Ok(())
        }
        WorkspaceCommand::Key(KeyCommand::Export { out }) => {
            let done = depot.export_workspace_key(&out)?;
            if json {
                return print_json(&KeyExported {
                    file: done.file,
                    workspace_id: done.workspace_id,
                });
            }
            println!(
                "Wrote the workspace key to {} (readable only by you).",
                done.file
            );
            println!(
                "Keep it somewhere safe and private: anyone with it and a copy of the workspace can read its tokens' secrets."
            );
            Ok(())
        }
        WorkspaceCommand::Key(KeyCommand::Import { file }) => {
            let done = depot.import_workspace_key(&file)?;
            if json {
                return print_json(&KeyImported {
                    workspace_id: done.workspace_id,
                    stored_in: done.stored_in,
                    key_protection: protection_name(done.key_protection),
                });
            }
            println!(
                "The key opens this workspace's secrets; it is now kept in {}.",
                done.stored_in
            );
            Ok(())
        }
    }
}

fn protection_name(protection: Protection) -> &'static str {
    match protection {
        Protection::Keychain => "keychain",
        Protection::KeyFile => "keyFile",
        Protection::TestKey => "testKey",
    }
}

fn info(depot: &Depot, json: bool) -> Result<()> {
    let info: depot_api::dto::WorkspaceInfo = depot.workspace_info()?.into();
    if json {
        return print_json(&info);
    }
    println!("Workspace:      {}", info.path);
    println!("Schema version: {}", info.schema_version);
    println!("Tokens:         {}", info.counts.tokens);
    println!("Profiles:       {}", info.counts.profiles);
    println!("Devices:        {}", info.counts.devices);
    println!("Audit entries:  {}", info.counts.audit_entries);
    Ok(())
}
