//! Apple's Device Assignment web service ("DEP", ADE), from Depot's side.
//!
//! Invariants: the base URL and the clock are given by the caller; no Apple
//! host is hard-coded outside [`DEFAULT_BASE_URL`], which callers pass in
//! explicitly. Apple's wire names stay in this crate (`wire` DTOs are converted
//! to domain-shaped types before they leave it).

pub mod base_url;
pub mod business;
pub mod client;
pub mod keys;
pub mod oauth;
pub mod token_file;
pub mod vpp;

pub use base_url::{AppleHosts, AppleUrl, AppleUrlError};
pub use client::{
    AccountInfo, AppleClient, AppleError, AssignAnswer, CursorError, DevicePage,
    MAX_SERIALS_PER_CALL, Pause, RealTime, ReplacementDetails, RetryPolicy, SerialOutcome,
};
pub use keys::{CertificateInfo, KeyError, TokenKeyPair};
pub use oauth::OAuthCredentials;
pub use token_file::{ServerToken, TokenFileError, decrypt_token_file};

/// Apple's production host. Every request is resolved against a base URL the
/// caller chooses, so tests and demo mode point at the simulator.
pub const DEFAULT_BASE_URL: &str = "https://mdmenrollment.apple.com";

/// The `User-Agent` Depot sends on every request (Apple rejects a missing one).
pub fn user_agent() -> String {
    format!("Depot/{}", env!("CARGO_PKG_VERSION"))
}

/// The protocol level Depot speaks (`X-Server-Protocol-Version`).
pub const SERVER_PROTOCOL_VERSION: u32 = 10;

/// Fills `buf` from the system's cryptographic random source (OpenSSL).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), openssl::error::ErrorStack> {
    openssl::rand::rand_bytes(buf)
}
