//! `depot webhooks …` (issue 16): where `depot serve` delivers alerts. The
//! URL is a secret (Slack's and Teams' URLs are the credential): it is read
//! from standard input or a file, never from the command line, and never
//! printed.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use depot_core::Depot;
use depot_core::webhooks::{AddWebhook, Webhook, WebhookFormat};
use depot_domain::SecretString;
use depot_domain::alerts::Severity;

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add a webhook. The URL comes from the first line of standard input
    /// (--url-stdin) or from a file (--url-file).
    Add {
        /// Depot's name for it.
        name: String,
        /// The message: json (Depot's own document), teams (a Microsoft
        /// Teams incoming webhook or Workflows URL) or slack (a Slack
        /// incoming webhook).
        #[arg(long, default_value = "json", value_parser = parse_format)]
        format: WebhookFormat,
        /// The least severity delivered: info, warning or critical.
        #[arg(long, default_value = "warning", value_parser = parse_severity)]
        min_severity: Severity,
        /// Read the URL from the first line of standard input.
        #[arg(
            long,
            conflicts_with = "url_file",
            required_unless_present = "url_file"
        )]
        url_stdin: bool,
        /// Read the URL from this file's first line.
        #[arg(long, value_name = "FILE")]
        url_file: Option<PathBuf>,
    },
    /// Every webhook (without its URL).
    List,
    /// Remove a webhook, by name or id.
    Remove { name: String },
    /// Send a test message to a webhook now.
    Test { name: String },
}

fn parse_format(text: &str) -> Result<WebhookFormat, String> {
    WebhookFormat::parse(text)
        .ok_or_else(|| format!("'{text}' is not a webhook format; use json, teams or slack"))
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text.trim())
        .ok_or_else(|| format!("'{text}' is not a severity; use info, warning or critical"))
}

fn first_line(reader: impl BufRead, what: &str) -> Result<SecretString> {
    let line = reader
        .lines()
        .next()
        .transpose()
        .with_context(|| format!("reading the URL from {what}"))?
        .unwrap_or_default();
    let url = line.trim().to_owned();
    if url.is_empty() {
        bail!("{what} held no URL (give it on the first line)");
    }
    Ok(SecretString::new(url))
}

fn view(w: &Webhook) -> serde_json::Value {
    serde_json::json!({
        "id": w.id.to_string(),
        "name": w.name,
        "format": w.format.as_str(),
        "minSeverity": w.min_severity.as_str(),
        "url": w.url_hint,
        "createdAt": w.created_at.rfc3339(),
        "createdBy": w.created_by,
    })
}

pub async fn run(depot: &Depot, command: WebhooksCommand, json: bool) -> Result<()> {
    match command {
        WebhooksCommand::Add {
            name,
            format,
            min_severity,
            url_stdin,
            url_file,
        } => {
            let url = match (url_stdin, url_file) {
                (true, _) => first_line(std::io::stdin().lock(), "standard input")?,
                (false, Some(path)) => {
                    let file = std::fs::File::open(&path)
                        .with_context(|| format!("opening {}", path.display()))?;
                    first_line(std::io::BufReader::new(file), &path.display().to_string())?
                }
                (false, None) => bail!("give the URL with --url-stdin or --url-file"),
            };
            let hook = depot.add_webhook(&AddWebhook {
                name: &name,
                url: &url,
                format,
                min_severity,
            })?;
            if json {
                print_json(&view(&hook))?;
            } else {
                println!(
                    "Added webhook '{}' ({}, {} and worse) to {}. `depot serve` delivers alerts to it; try it with `depot webhooks test {}`.",
                    hook.name,
                    hook.format.as_str(),
                    hook.min_severity.as_str(),
                    hook.url_hint,
                    hook.name
                );
            }
        }
        WebhooksCommand::List => {
            let hooks = depot.webhooks()?;
            if json {
                print_json(&serde_json::json!({
                    "webhooks": hooks.iter().map(view).collect::<Vec<_>>()
                }))?;
            } else if hooks.is_empty() {
                println!(
                    "No webhooks. Add one with `depot webhooks add NAME --format teams|slack|json --url-stdin`."
                );
            } else {
                for w in &hooks {
                    println!(
                        "{:<4} {:<24} {:<6} {:<9} {}",
                        w.id,
                        w.name,
                        w.format.as_str(),
                        w.min_severity.as_str(),
                        w.url_hint
                    );
                }
            }
        }
        WebhooksCommand::Remove { name } => {
            depot.remove_webhook(&name)?;
            if !json {
                println!("Removed webhook '{}'.", name.trim());
            }
        }
        WebhooksCommand::Test { name } => {
            let (webhook, outcome) = depot
                .test_webhook(&name, &depot_core::webhooks::WebhookPolicy::default())
                .await?;
            match outcome {
                Ok(status) => println!("Delivered a test message to '{webhook}' (HTTP {status})."),
                Err(err) => bail!("the test message to '{webhook}' was not delivered: {err}"),
            }
        }
    }
    Ok(())
}
