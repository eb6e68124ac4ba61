//! Depot's integration suite: one binary, one module per area. Every test gets
//! a fresh temporary workspace ([`support::TestWorkspace`]); nothing touches the
//! user's real app-data folder or keychain.

mod alerts;
mod architecture;
mod cli;
mod crash;
mod device_facts;
mod docs;
mod migrations;
mod oidc;
mod orgs;
mod platforms;
mod profiles;
mod remote;
mod secrets;
mod serve_stop;
mod server;
mod support;
mod sync;
mod tokens;
mod ui_fixtures;
mod vpp;
mod webhooks;
mod workspace;
