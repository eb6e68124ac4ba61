//! `depot serve`: the workspace as an always-on service (issue 14): HTTPS
//! with the admin's certificate or a self-signed one, plain HTTP on loopback
//! only.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use depot_core::Depot;
use depot_core::access::{Actor, Origin};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8750")]
    listen: SocketAddr,
    /// The URL people use to reach this server (shown at start).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// The TLS certificate chain (PEM, leaf first); with --tls-key.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "self_signed"
    )]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate Depot makes once and keeps
    /// next to the workspace (its SHA-256 fingerprint is printed: compare it
    /// when a client connects the first time).
    #[arg(long)]
    self_signed: bool,
    /// The built web UI to serve at `/` (`ui/dist`). Default: this build's
    /// checkout's `ui/dist`, else /usr/share/depot/ui, when it holds a built UI.
    #[arg(long, value_name = "DIR", env = "DEPOT_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// OpenID Connect sign-in: the identity provider's issuer URL (Entra ID:
    /// https://login.microsoftonline.com/TENANT/v2.0; Okta:
    /// https://ORG.okta.com; Google: https://accounts.google.com). Needs
    /// --public-url, --oidc-client-id, the client secret and --oidc-role.
    #[arg(long, value_name = "URL", requires_all = ["oidc_client_id", "public_url"])]
    oidc_issuer: Option<String>,
    /// The application's client id at the identity provider.
    #[arg(long, value_name = "ID", requires = "oidc_issuer")]
    oidc_client_id: Option<String>,
    /// A file holding the client secret (else the DEPOT_OIDC_CLIENT_SECRET
    /// environment variable; never on the command line).
    #[arg(long, value_name = "FILE", requires = "oidc_issuer")]
    oidc_client_secret_file: Option<PathBuf>,
    /// The ID token claim listing a person's groups.
    #[arg(long, value_name = "CLAIM", default_value = "groups")]
    oidc_groups_claim: String,
    /// Members of GROUP get ROLE (administrator, help-desk or read-only),
    /// limited to the scope tags after ':' (none: every token). Repeat for
    /// more groups; the highest role matching wins.
    #[arg(long, value_name = "GROUP=ROLE[:TAG,TAG]", requires = "oidc_issuer")]
    oidc_role: Vec<String>,
    /// How often alerts are evaluated and news delivered to the webhooks
    /// (`depot webhooks add`), in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    alerts_every: u64,
    /// Check the configuration and the workspace, then exit.
    #[arg(long)]
    check: bool,
}

/// The OpenID Connect sign-in the flags ask for, checked.
fn oidc_from(args: &ServeArgs) -> Result<Option<Arc<depot_server::oidc::Oidc>>> {
    let Some(issuer) = &args.oidc_issuer else {
        return Ok(None);
    };
    let secret = match &args.oidc_client_secret_file {
        Some(file) => std::fs::read_to_string(file)
            .with_context(|| format!("reading the client secret from {}", file.display()))?
            .trim()
            .to_owned(),
        None => std::env::var("DEPOT_OIDC_CLIENT_SECRET").unwrap_or_default(),
    };
    let rules = args
        .oidc_role
        .iter()
        .map(|r| depot_core::federated::GroupRule::parse(r))
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(|e| anyhow::anyhow!("--oidc-role {e}"))?;
    let config = depot_server::oidc::OidcConfig {
        issuer: issuer.trim().to_owned(),
        client_id: args.oidc_client_id.clone().unwrap_or_default(),
        client_secret: depot_domain::SecretString::new(secret),
        groups_claim: args.oidc_groups_claim.clone(),
        rules,
        public_url: args.public_url.clone().unwrap_or_default(),
    };
    let oidc = depot_server::oidc::Oidc::new(config).map_err(anyhow::Error::msg)?;
    Ok(Some(Arc::new(oidc)))
}

pub async fn run(depot: Arc<Depot>, args: ServeArgs) -> Result<()> {
    let tls = match (&args.tls_cert, &args.tls_key, args.self_signed) {
        (Some(cert), Some(key), _) => {
            Some(depot_server::tls::from_files(cert, key).map_err(anyhow::Error::msg)?)
        }
        (_, _, true) => {
            let dir = depot
                .workspace()
                .file()
                .and_then(|f| f.parent())
                .map(|d| d.join("tls"))
                .context("a self-signed certificate needs a workspace folder")?;
            let mut names = vec!["localhost".to_owned(), args.listen.ip().to_string()];
            if let Some(host) = args
                .public_url
                .as_deref()
                .and_then(|u| u.split("://").nth(1))
                .and_then(|rest| rest.split(['/', ':']).next())
                .filter(|h| !h.is_empty())
            {
                names.push(host.to_owned());
            }
            names.dedup();
            Some(depot_server::tls::self_signed(&dir, &names).map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    if tls.is_none() && !args.listen.ip().is_loopback() {
        bail!(
            "{} is not a loopback address: plain HTTP is served only on loopback (127.0.0.1 or ::1). Give --tls-cert and --tls-key, or --self-signed",
            args.listen
        );
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    if let Some(url) = &args.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("--public-url '{url}' is not an http(s) URL");
    }
    let oidc = oidc_from(&args)?;
    let oidc_line = match &args.oidc_issuer {
        Some(issuer) => format!(
            "OpenID Connect sign-in: {issuer} ({} group rule(s))",
            args.oidc_role.len()
        ),
        None => "OpenID Connect sign-in: off (names and passwords only)".to_owned(),
    };
    let ui_dir = depot_server::ui::locate(args.ui_dir.as_deref()).map_err(anyhow::Error::msg)?;
    let ui_line = match &ui_dir {
        Some(dir) => format!("Web UI: {}", dir.display()),
        None => "Web UI: none built (cd ui && npm ci && npm run build, or --ui-dir DIR); the API works without it".to_owned(),
    };
    let owner = Actor::owner(depot.operator().to_owned(), Origin::Cli);
    let users = depot
        .users(&owner)
        .context("reading the workspace's users")?;
    let admins = users
        .iter()
        .filter(|u| u.role == depot_core::access::Role::Administrator && !u.disabled)
        .count();
    if args.check {
        println!(
            "Configuration is valid: listen on {scheme}://{}",
            args.listen
        );
        if let Some(tls) = &tls {
            println!("TLS certificate SHA-256: {}", tls.fingerprint);
        }
        println!("Users: {} ({admins} enabled administrator(s))", users.len());
        println!("{ui_line}");
        println!("{oidc_line}");
        if admins == 0 {
            println!(
                "No administrator yet: add one with `depot users add NAME --role administrator --password-stdin`."
            );
        }
        return Ok(());
    }
    let webhooks = depot_server::webhooks::WebhookPolicy {
        interval: std::time::Duration::from_secs(args.alerts_every),
        ..Default::default()
    };
    let hooks = depot.webhooks().map(|h| h.len()).unwrap_or(0);
    let listener = std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("listening on {}", args.listen))?;
    let bound = listener.local_addr()?;
    println!("Depot server listening on {scheme}://{bound}");
    if let Some(tls) = &tls {
        println!("TLS certificate SHA-256: {}", tls.fingerprint);
    }
    if let Some(url) = &args.public_url {
        println!("People reach it at {url}");
    }
    println!("{ui_line}");
    println!(
        "Alerts: evaluated every {} s, delivered to {hooks} webhook(s)",
        args.alerts_every
    );
    if admins == 0 {
        eprintln!(
            "depot: no administrator can sign in yet: add one with `depot users add NAME --role administrator --password-stdin`"
        );
    }
    match tls {
        Some(tls) => depot_server::serve_tls(
            depot,
            listener,
            tls,
            depot_server::ServeOptions {
                plain_http_on_loopback: false,
                ui_dir,
                oidc,
                webhooks,
            },
            shutdown_signal(),
        )
        .await
        .context("serving")?,
        None => {
            listener.set_nonblocking(true)?;
            depot_server::serve(
                depot,
                tokio::net::TcpListener::from_std(listener)?,
                depot_server::ServeOptions {
                    plain_http_on_loopback: true,
                    ui_dir,
                    oidc,
                    webhooks,
                },
                shutdown_signal(),
            )
            .await
            .context("serving")?;
        }
    }
    // Whoever started it may have stopped reading: never fail on this line.
    let _ = writeln!(std::io::stdout(), "Depot server stopped.");
    Ok(())
}

/// SIGTERM (systemd) or Ctrl-C: stop taking requests, finish those in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
