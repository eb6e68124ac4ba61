//! Command-line front end shared by `depot-sim` and `depot sim serve`.

use std::time::Duration;

use crate::util::{parse_time, rfc3339};
use crate::{
    ChangeBatch, ErrorBurst, Faults, LimitPolicy, RunningSim, ServerSpec, SimError, Simulator,
    SimulatorBuilder, VppLocationSpec,
};

/// Flags of `depot-sim` (and `depot sim serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// TCP port on 127.0.0.1 (0 picks a free port; the URL is printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed for devices, credentials and profile UUIDs (same seed, same world).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of generated MDM servers, named sim-server-1 … sim-server-N.
    #[arg(long, default_value_t = 1)]
    pub servers: u32,
    /// Number of organisations the generated servers are spread over.
    #[arg(long, default_value_t = 1)]
    pub orgs: u32,
    /// Devices per generated server (up to 8,000,000).
    #[arg(long, default_value_t = 500)]
    pub devices: u32,
    /// An extra named server (repeatable).
    #[arg(long = "server", value_name = "NAME[:ORG[:DEVICES]]")]
    pub named_servers: Vec<String>,
    /// Devices given to servers first created by a portal token download.
    #[arg(long, default_value_t = 0)]
    pub new_server_devices: u32,
    /// Error bodies JSON-quoted ("INVALID_CURSOR") instead of bare (INVALID_CURSOR).
    #[arg(long)]
    pub quoted_errors: bool,
    /// Session token lifetime in simulated seconds.
    #[arg(long, default_value_t = 1800)]
    pub session_ttl_secs: u64,
    /// Do not send a fresh X-ADM-Auth-Session on each authenticated response.
    #[arg(long)]
    pub no_session_rotation: bool,
    /// Simulated start time (RFC 3339 or Unix seconds); default: the real clock.
    #[arg(long, value_name = "TIME")]
    pub clock_start: Option<String>,
    /// Simulated time stands still unless advanced through the control API.
    #[arg(long)]
    pub frozen_clock: bool,
    /// Accepted distance between oauth_timestamp and simulated now, seconds.
    #[arg(long, default_value_t = 300)]
    pub oauth_window_secs: u64,
    /// Sync cursors older than this (simulated seconds) answer EXPIRED_CURSOR.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    pub cursor_max_age_secs: u64,
    /// A fetch/sync limit above 1000: clamp to 1000, or reject (MALFORMED_REQUEST_BODY).
    #[arg(long, value_enum, default_value = "clamp")]
    pub limit_over_max: LimitPolicy,

    /// FAULT: delay every Apple-endpoint response by this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// FAULT: live sessions expire after N authenticated calls (repeating).
    #[arg(long, value_name = "N")]
    pub expire_sessions_after: Option<u32>,
    /// FAULT: the next COUNT requests (to PATH only, if given) answer STATUS,
    /// e.g. 401:1, 403:2, 429:3, 500:1, 503:2:/devices/sync (repeatable).
    #[arg(long = "fail-next", value_name = "STATUS:COUNT[:PATH]")]
    pub fail_next: Vec<String>,
    /// FAULT: Retry-After seconds sent with --fail-next 429/503 answers.
    #[arg(long, default_value_t = 1, value_name = "SECS")]
    pub error_retry_after: u32,
    /// FAULT: every call answers 403 T_C_NOT_SIGNED.
    #[arg(long)]
    pub t_c_not_signed: bool,
    /// FAULT: every call answers 403 ACCESS_DENIED.
    #[arg(long)]
    pub access_denied: bool,
    /// FAULT: fetch/sync echo the given cursor with more_to_follow: true forever.
    #[arg(long)]
    pub echo_cursor: bool,
    /// FAULT: assign answers THROTTLED for this serial (repeatable).
    #[arg(long = "throttle", value_name = "SERIAL")]
    pub throttle: Vec<String>,
    /// FAULT: assign answers THROTTLED for every serial.
    #[arg(long)]
    pub throttle_all: bool,
    /// FAULT: retry_after_seconds sent with THROTTLED.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub throttle_retry_after: u32,
    /// FAULT: assign answers FAILED for this serial (repeatable).
    #[arg(long = "fail-serial", value_name = "SERIAL")]
    pub fail_serial: Vec<String>,
    /// FAULT: close the connection of the next N requests without answering.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub drop_next: u32,
    /// FAULT: only requests for these servers are affected (repeatable; default all).
    #[arg(long = "fault-server", value_name = "NAME")]
    pub fault_servers: Vec<String>,
    /// A scripted step applied to every server by POST /control/advance (repeatable, in order),
    /// e.g. added=5,modified=3,released=1,set_up=2.
    #[arg(
        long = "script-step",
        value_name = "added=N,modified=N,released=N,set_up=N"
    )]
    pub script_steps: Vec<String>,
    /// An Apps and Books (VPP) location served under /mdm/v2 (repeatable); its
    /// org is the first server's, and it holds 100 licences of the Intune
    /// Company Portal. Its .vpptoken downloads from the printed portal URL.
    #[arg(long = "vpp-location", value_name = "NAME")]
    pub vpp_locations: Vec<String>,
    /// Print the start-up summary as one JSON object (URL, servers, credentials).
    #[arg(long)]
    pub json: bool,
}

fn parse_step(text: &str) -> Result<ChangeBatch, SimError> {
    let mut batch = ChangeBatch::default();
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| SimError::Config(format!("script step '{text}': expected key=N")))?;
        let n: u32 = v.trim().parse().map_err(|_| {
            SimError::Config(format!("script step '{text}': '{v}' is not a number"))
        })?;
        match k.trim() {
            "added" | "add" => batch.added = n,
            "modified" | "modify" => batch.modified = n,
            "released" | "release" => batch.released = n,
            "set_up" | "setup" => batch.set_up = n,
            other => {
                return Err(SimError::Config(format!(
                    "script step: unknown key '{other}'"
                )));
            }
        }
    }
    Ok(batch)
}

fn parse_burst(text: &str, retry_after: u32) -> Result<ErrorBurst, SimError> {
    let bad = || {
        SimError::Config(format!(
            "--fail-next '{text}': expected STATUS:COUNT[:PATH]"
        ))
    };
    let mut parts = text.splitn(3, ':');
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let count: u32 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    if !(400..=599).contains(&status) {
        return Err(bad());
    }
    let mut burst = ErrorBurst::new(status, count).retry_after(retry_after);
    if let Some(path) = parts.next() {
        burst = burst.on_path(path);
    }
    Ok(burst)
}

impl ServeArgs {
    /// The builder these flags describe.
    pub fn builder(&self) -> Result<SimulatorBuilder, SimError> {
        let mut b = Simulator::builder()
            .seed(self.seed)
            .port(self.port)
            .quoted_errors(self.quoted_errors)
            .session_ttl(Duration::from_secs(self.session_ttl_secs))
            .rotate_sessions(!self.no_session_rotation)
            .frozen_clock(self.frozen_clock)
            .oauth_timestamp_window(Duration::from_secs(self.oauth_window_secs))
            .cursor_max_age(Duration::from_secs(self.cursor_max_age_secs))
            .limit_policy(self.limit_over_max)
            .new_server_devices(self.new_server_devices);
        if let Some(start) = &self.clock_start {
            let ms = parse_time(start).ok_or_else(|| {
                SimError::Config(format!(
                    "--clock-start '{start}': use RFC 3339 or Unix seconds"
                ))
            })?;
            b = b.clock_start(ms.div_euclid(1000));
        }
        let orgs = self.orgs.max(1);
        for i in 0..self.servers {
            b = b.server(ServerSpec::new(
                format!("sim-server-{}", i + 1),
                format!("Sim Org {}", i % orgs + 1),
                self.devices,
            ));
        }
        for text in &self.named_servers {
            let mut parts = text.splitn(3, ':');
            let name = parts.next().unwrap_or_default();
            let org = parts.next().unwrap_or("Sim Org 1");
            let devices = match parts.next() {
                Some(d) => d.parse().map_err(|_| {
                    SimError::Config(format!("--server '{text}': bad device count"))
                })?,
                None => self.devices,
            };
            b = b.server(ServerSpec::new(name, org, devices));
        }
        let mut faults = Faults {
            servers: self.fault_servers.clone(),
            expire_sessions_after_calls: self.expire_sessions_after,
            latency_ms: self.latency_ms.unwrap_or(0),
            t_c_not_signed: self.t_c_not_signed,
            access_denied: self.access_denied,
            echo_cursor: self.echo_cursor,
            throttled_serials: self.throttle.clone(),
            throttle_all: self.throttle_all,
            retry_after_seconds: self.throttle_retry_after,
            failed_serials: self.fail_serial.clone(),
            drop_connections: self.drop_next,
            ..Faults::default()
        };
        for text in &self.fail_next {
            faults
                .errors
                .push(parse_burst(text, self.error_retry_after)?);
        }
        b = b.faults(faults);
        let vpp_org = b
            .servers
            .first()
            .map(|s| s.org.clone())
            .unwrap_or_else(|| "Demo Org".to_string());
        for name in &self.vpp_locations {
            b = b.vpp_location(VppLocationSpec::new(name.clone(), vpp_org.clone()));
        }
        let steps = self
            .script_steps
            .iter()
            .map(|s| parse_step(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(b.script(steps))
    }
}

fn print_summary(sim: &RunningSim, as_json: bool) {
    let servers: Vec<serde_json::Value> = sim
        .servers()
        .into_iter()
        .map(|s| {
            let creds = sim.credentials(&s.name);
            serde_json::json!({
                "name": s.name,
                "org": s.org,
                "server_uuid": s.server_uuid,
                "devices": s.devices_assigned,
                "credentials": creds,
            })
        })
        .collect();
    let vpp: Vec<serde_json::Value> = sim
        .vpp_locations()
        .into_iter()
        .map(|l| {
            serde_json::json!({
                "name": l.name,
                "org": l.org,
                "uId": l.uid,
                "token_url": sim.portal_vpp_token_url(&l.name),
            })
        })
        .collect();
    if as_json {
        let out = serde_json::json!({
            "vpp_base_url": sim.vpp_base_url(),
            "vpp_locations": vpp,
            "base_url": sim.base_url(),
            "portal": format!("{}/portal/servers/{{name}}/token", sim.base_url()),
            "control": format!("{}/control/", sim.base_url()),
            "control_token": sim.control_token(),
            "clock": rfc3339(sim.now_ms()),
            "servers": servers,
        });
        println!("{out}");
        return;
    }
    println!("depot-sim listening on {}", sim.base_url());
    println!(
        "  Apple endpoints: {}/session, /account, /server/devices, …",
        sim.base_url()
    );
    println!(
        "  portal:  POST {}/portal/servers/{{name}}/token  (body: PEM certificate)",
        sim.base_url()
    );
    println!("  control: {}/control/…  (see --help)", sim.base_url());
    println!(
        "           with the header  Authorization: Bearer {}",
        sim.control_token()
    );
    println!("  simulated clock: {}", rfc3339(sim.now_ms()));
    for s in sim.servers() {
        println!(
            "  server '{}' (org '{}', {} devices, server_uuid {})",
            s.name, s.org, s.devices_assigned, s.server_uuid
        );
        if let Some(c) = sim.credentials(&s.name) {
            println!("    consumer_key    {}", c.consumer_key);
            println!("    consumer_secret {}", c.consumer_secret);
            println!("    access_token    {}", c.access_token);
            println!("    access_secret   {}", c.access_secret);
            println!("    expires         {}", c.access_token_expiry);
        }
    }
    if !vpp.is_empty() {
        println!(
            "  Apps and Books (VPP) API base: {}  (service/config, client/config, assets, …)",
            sim.vpp_base_url()
        );
    }
    for l in sim.vpp_locations() {
        println!(
            "  Apps and Books location '{}' (org '{}', uId {})",
            l.name, l.org, l.uid
        );
        println!("    .vpptoken  GET {}", sim.portal_vpp_token_url(&l.name));
    }
    println!("Press Ctrl-C to stop.");
}

/// Runs the simulator until Ctrl-C: what `depot-sim` and `depot sim serve` do.
pub async fn serve_cli(args: ServeArgs) -> Result<(), SimError> {
    let sim = args.builder()?.start().await?;
    print_summary(&sim, args.json);
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_steps_and_bursts() {
        let s = parse_step("added=5,modified=3,released=1,set_up=2").unwrap();
        assert_eq!((s.added, s.modified, s.released, s.set_up), (5, 3, 1, 2));
        assert!(parse_step("added=x").is_err());
        let b = parse_burst("503:2:/devices/sync", 7).unwrap();
        assert_eq!(
            (b.status, b.count, b.path.as_deref()),
            (503, 2, Some("/devices/sync"))
        );
        assert_eq!(b.retry_after_seconds, Some(7));
        assert!(parse_burst("200:1", 1).is_err());
    }

    #[test]
    fn vpp_locations_take_the_first_servers_org() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: ServeArgs,
        }
        let cli = Cli::parse_from([
            "depot-sim",
            "--vpp-location",
            "HQ",
            "--vpp-location",
            "Branch",
        ]);
        let b = cli.args.builder().unwrap();
        let names: Vec<(&str, &str)> = b
            .vpp_locations
            .iter()
            .map(|l| (l.name.as_str(), l.org.as_str()))
            .collect();
        assert_eq!(names, [("HQ", "Sim Org 1"), ("Branch", "Sim Org 1")]);
        let cli = Cli::parse_from(["depot-sim", "--servers", "0", "--vpp-location", "HQ"]);
        let b = cli.args.builder().unwrap();
        assert_eq!(b.vpp_locations[0].org, "Demo Org");
    }
}
