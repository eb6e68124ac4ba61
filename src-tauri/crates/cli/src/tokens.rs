//! `depot token …` (TOK-1..7 on the command line).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;
use depot_api::dto::{PendingKey, TokenDetail, TokenSummary};
use depot_core::files;
use depot_core::{Depot, TokenFileInput};
use depot_domain::TokenId;

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create (or reuse) the key pair and write its public certificate for Apple's portal.
    Keygen {
        /// Where to write the certificate (.pem) to upload to Apple's portal.
        #[arg(long, value_name = "FILE.pem")]
        out: PathBuf,
        /// Replace the waiting key pair (a token made for the old one will no longer import).
        #[arg(long)]
        replace: bool,
    },
    /// Add a token from Apple's .p7m file, decrypted with the waiting key pair.
    Add {
        #[arg(long, value_name = "FILE")]
        p7m: PathBuf,
        /// The Apple ID that created the token in Apple's portal.
        #[arg(long, value_name = "EMAIL")]
        apple_id: String,
        #[arg(long = "scope-tag", value_name = "T")]
        scope_tags: Vec<String>,
        /// Apple's base URL (default https://mdmenrollment.apple.com; a simulator's URL for tests).
        #[arg(long, value_name = "URL")]
        apple_url: Option<String>,
    },
    /// List tokens with status, expiry and counts.
    List,
    /// Show one token (by id, server name or server UUID).
    Show { token: String },
    /// Replace a token's file with a newly downloaded one for the same MDM server.
    Renew {
        token: String,
        #[arg(long, value_name = "FILE")]
        p7m: PathBuf,
        #[arg(long, value_name = "EMAIL")]
        apple_id: String,
        /// Accept a file that belongs to another MDM server.
        #[arg(long)]
        force: bool,
    },
    /// Delete a token (refused while devices or a default profile depend on it).
    Delete { token: String },
}

/// The token file's bytes, read here (regular files only, size-capped): core
/// takes a token file's contents, never a path.
pub(crate) fn token_file(path: &std::path::Path) -> Result<TokenFileInput> {
    Ok(TokenFileInput::Contents {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        contents: files::read_file(path, files::FileKind::TokenFile)?,
    })
}

pub async fn run(depot: &Depot, command: TokenCommand, json: bool) -> Result<()> {
    match command {
        TokenCommand::Keygen { out, replace } => {
            let key: PendingKey = depot.generate_key(replace)?.into();
            files::write_file(&out, key.certificate_pem.as_bytes())?;
            if json {
                return print_json(&key);
            }
            println!("Public key written to {}", out.display());
            println!("Subject:     {}", key.subject);
            println!("Fingerprint: {}", key.fingerprint);
            println!(
                "Upload it to your MDM server in Apple Business Manager, then download the token (.p7m)."
            );
            Ok(())
        }
        TokenCommand::Add {
            p7m,
            apple_id,
            scope_tags,
            apple_url,
        } => {
            let file = token_file(&p7m)?;
            let token: TokenSummary = depot
                .add_token(&file, &apple_id, &scope_tags, apple_url.as_deref())
                .await?
                .into();
            if json {
                return print_json(&token);
            }
            println!(
                "Added token {} for '{}' ({}), expires {}.",
                token.id, token.server_name, token.org_name, token.expires_at
            );
            Ok(())
        }
        TokenCommand::List => {
            let tokens: Vec<TokenSummary> =
                depot.list_tokens()?.into_iter().map(Into::into).collect();
            if json {
                return print_json(&tokens);
            }
            if tokens.is_empty() {
                println!("No tokens yet. Start with `depot token keygen --out depot.pem`.");
            }
            for t in &tokens {
                println!(
                    "{:>4}  {:<32} {:<24} {:<10} expires {} ({} days)  {} devices  {} profiles{}",
                    t.id,
                    t.server_name,
                    t.org_name,
                    format!("{:?}", t.status).to_lowercase(),
                    t.expires_at.get(..10).unwrap_or(&t.expires_at),
                    t.days_left,
                    t.device_count,
                    t.profile_count,
                    if t.simulator { "  [simulator]" } else { "" }
                );
            }
            Ok(())
        }
        TokenCommand::Show { token } => {
            let id = resolve(depot, &token)?;
            let detail: TokenDetail = depot.token_detail(id)?.into();
            if json {
                return print_json(&detail);
            }
            let s = &detail.summary;
            println!("Token {}: {}", s.id, s.server_name);
            println!(
                "  Organisation:  {} ({})",
                s.org_name,
                detail.org_id.as_deref().unwrap_or("no id")
            );
            println!("  Server UUID:   {}", detail.server_uuid);
            println!("  Apple ID:      {}", s.apple_id);
            println!(
                "  Status:        {:?}, expires {} ({} days)",
                s.status, s.expires_at, s.days_left
            );
            println!("  Apple URL:     {}", detail.apple_url);
            println!(
                "  Devices:       {}   Profiles: {}",
                s.device_count, s.profile_count
            );
            if s.over_device_limit {
                println!(
                    "  warning:       more than Apple's 200,000 devices on one token; move some to another MDM server in Apple's portal"
                );
            }
            if s.default_profiles.is_empty() {
                println!("  Defaults:      none (new devices stay without a profile)");
            }
            for default in &s.default_profiles {
                println!("  Default for {}: {}", default.label, default.profile);
            }
            for waiting in &detail.devices_without_default {
                println!(
                    "  Waiting:       {} {} device{} without a profile: no {} default",
                    waiting.count,
                    waiting.platform,
                    if waiting.count == 1 { "" } else { "s" },
                    waiting.platform
                );
            }
            if !detail.platform_mismatches.is_empty() {
                println!(
                    "  Wrong platform: {} device(s) hold a profile made for another platform; assign the right one:",
                    detail.platform_mismatches.len()
                );
                for m in &detail.platform_mismatches {
                    println!(
                        "    {}  {:<8} on '{}' ({}){}",
                        m.serial,
                        m.family,
                        m.profile_name,
                        m.profile_platform,
                        if m.profile_status == "pushed" {
                            ", already set up: erase it after assigning"
                        } else {
                            ""
                        }
                    );
                }
            }
            println!("  Scope tags:    {}", s.scope_tags.join(", "));
            println!("  Key:           {}", detail.key_fingerprint);
            for blocker in &detail.delete_blockers {
                println!("  Cannot delete: {}", blocker.message);
            }
            Ok(())
        }
        TokenCommand::Renew {
            token,
            p7m,
            apple_id,
            force,
        } => {
            let id = resolve(depot, &token)?;
            let file = token_file(&p7m)?;
            let renewed: TokenSummary =
                depot.renew_token(id, &file, &apple_id, force).await?.into();
            if json {
                return print_json(&renewed);
            }
            println!(
                "Renewed token {} ('{}'): now expires {}.",
                renewed.id, renewed.server_name, renewed.expires_at
            );
            Ok(())
        }
        TokenCommand::Delete { token } => {
            let id = resolve(depot, &token)?;
            depot.delete_token(id)?;
            if json {
                return print_json(&serde_json::json!({ "deleted": id.to_string() }));
            }
            println!("Deleted token {id}.");
            Ok(())
        }
    }
}

/// A token named by id, server name (case-insensitive) or server UUID.
pub fn resolve(depot: &Depot, name: &str) -> Result<TokenId> {
    let tokens = depot.list_tokens()?;
    if let Ok(n) = name.trim().parse::<i64>()
        && let Some(t) = tokens.iter().find(|t| t.id.get() == n)
    {
        return Ok(t.id);
    }
    let matches: Vec<_> = tokens
        .iter()
        .filter(|t| t.server_name.eq_ignore_ascii_case(name.trim()))
        .collect();
    match matches.as_slice() {
        [one] => return Ok(one.id),
        [] => {}
        _ => bail!("more than one token is named '{name}': use its id (depot token list)"),
    }
    for t in &tokens {
        if depot
            .token_detail(t.id)?
            .server_uuid
            .eq_ignore_ascii_case(name.trim())
        {
            return Ok(t.id);
        }
    }
    bail!("no token '{name}' in this workspace (depot token list shows them)")
}
