//! Apple's Apps and Books service ("VPP", the App and Book Management API
//! v2), from Depot's side: the `.vpptoken` file, where the service is, and a
//! client for the calls Depot makes (the location's settings, claiming it
//! with `mdmInfo`, and licence counts of one app). `docs/apps-and-books-wire.md`
//! says what Depot relies on.
//!
//! Apple's wire names stay here: answers are converted to the types below
//! before they leave the crate.

mod client;
mod token_file;
mod url;

pub use client::{AssetCounts, ClientConfig, MdmInfo, VppClient, VppError};
pub use token_file::{VppTokenError, VppTokenFile};
pub use url::{APPS_HOST, AppsUrl, DEFAULT_APPS_URL};

/// The Intune Company Portal's App Store id: the app Depot's profiles
/// install with VPP licences.
pub const COMPANY_PORTAL_ADAM_ID: &str = "719171358";

#[cfg(test)]
mod tests;
