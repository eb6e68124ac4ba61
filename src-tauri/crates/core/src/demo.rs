//! Demo mode (SIM-5): Depot's simulator, started in-process, playing Apple and
//! Apple's portal. "Try with the simulator" runs the real token flow against
//! it: Depot generates a key pair, the simulated portal issues a `.p7m` for
//! it, and Depot imports that file like any other.
//!
//! Simulator tokens store no URL: the simulator is (re)started on demand with
//! the same seed and the tokens' own credentials, so they keep working after
//! the app restarts.

//! The simulator is linked only with the `demo` cargo feature (the desktop
//! app and the CLI enable it): a build without it — a server — carries no
//! test server, and the demo calls answer that demo mode is not built in.

#[cfg(feature = "demo")]
mod simulator;
#[cfg(feature = "demo")]
pub(crate) use simulator::DemoSimulator;

#[cfg(not(feature = "demo"))]
mod off;
#[cfg(not(feature = "demo"))]
pub(crate) use off::DemoSimulator;

/// The demo MDM server's name in the simulated portal (and so the token's name).
pub const DEMO_SERVER: &str = "Simulator — Contoso Demo";
pub const DEMO_ORG: &str = "Contoso Ltd (simulated)";
pub const DEMO_DEVICES: u32 = 2_500;
pub const DEMO_APPLE_ID: &str = "admin@contoso.example";
/// Demo mode's Apps and Books location, with Company Portal licences.
pub const DEMO_VPP_LOCATION: &str = "Contoso Apps (simulated)";
pub const DEMO_VPP_LICENCES: u32 = 500;
/// Demo mode's organisation: devices Apple assigned to no server yet.
pub const DEMO_ORG_POOL: u32 = 40;
/// Demo mode's Apple Business Manager API account.
pub const DEMO_ORG_ACCOUNT: &str = "Contoso (demo)";
