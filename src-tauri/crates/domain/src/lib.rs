//! Depot's domain: pure types and rules shared by every other crate.
//!
//! Invariants: no IO, no randomness, and no clock reads except the one
//! [`SystemClock`] that callers inject. Anything time-dependent takes the
//! current time as an argument (see [`token::TokenStatus::evaluate`]).

pub mod access;
pub mod alerts;
pub mod clock;
pub mod csv;
pub mod device;
pub mod ids;
pub mod limits;
pub mod orgs;
pub mod profile;
pub mod records;
pub mod secret;
pub mod serial;
pub mod serial_list;
pub mod text;
pub mod time;
pub mod token;

pub use clock::{Clock, FixedClock, SystemClock};
pub use device::{
    DeviceChange, DeviceFacts, DeviceFamily, DeviceOp, DeviceRecord, IdentifierKind, ProfileStatus,
};
pub use ids::{ProfileId, RunId, SyncRunId, TokenId, VppTokenId};
pub use secret::{SecretBytes, SecretString};
pub use serial::{SerialError, SerialNumber};
pub use time::UnixSeconds;
pub use token::{TokenStatus, TokenStatusInput};
#[cfg(test)]
mod properties;
