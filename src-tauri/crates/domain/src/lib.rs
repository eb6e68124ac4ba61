//! Depot's domain: pure types and rules shared by every other crate.
//!
//! Invariants: no IO, no clock, no randomness. Anything time-dependent takes
//! the current time as an argument (see [`token::TokenStatus::evaluate`]).

pub mod ids;
pub mod limits;
pub mod serial;
pub mod time;
pub mod token;

pub use ids::TokenId;
pub use serial::{SerialError, SerialNumber};
pub use token::{TokenStatus, TokenStatusInput};
