//! `depot serve`: the workspace as an always-on service (issue 14). This part
//! serves plain HTTP on loopback only; TLS for other addresses comes next.

use std::net::SocketAddr;
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
    /// Check the configuration and the workspace, then exit.
    #[arg(long)]
    check: bool,
}

pub async fn run(depot: Arc<Depot>, args: ServeArgs) -> Result<()> {
    if !args.listen.ip().is_loopback() {
        bail!(
            "{} is not a loopback address: Depot serves plain HTTP only on loopback (127.0.0.1 or ::1), and this build has no TLS yet. Put it behind a TLS proxy on the same machine, or listen on loopback",
            args.listen
        );
    }
    if let Some(url) = &args.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("--public-url '{url}' is not an http(s) URL");
    }
    let owner = Actor::owner(depot.operator().to_owned(), Origin::Cli);
    let users = depot.users(&owner).context("reading the workspace's users")?;
    let admins = users
        .iter()
        .filter(|u| u.role == depot_core::access::Role::Administrator && !u.disabled)
        .count();
    if args.check {
        println!("Configuration is valid: listen on http://{}", args.listen);
        println!("Users: {} ({admins} enabled administrator(s))", users.len());
        if admins == 0 {
            println!("No administrator yet: add one with `depot users add NAME --role administrator --password-stdin`.");
        }
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let bound = listener.local_addr()?;
    println!("Depot server listening on http://{bound}");
    if let Some(url) = &args.public_url {
        println!("People reach it at {url}");
    }
    if admins == 0 {
        eprintln!("depot: no administrator can sign in yet: add one with `depot users add NAME --role administrator --password-stdin`");
    }
    depot_server::serve(
        depot,
        listener,
        depot_server::ServeOptions {
            plain_http_on_loopback: true,
        },
        shutdown_signal(),
    )
    .await
    .context("serving")?;
    println!("Depot server stopped.");
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
