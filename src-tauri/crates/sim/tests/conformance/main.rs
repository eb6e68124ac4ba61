//! Conformance tests for the Apple simulator, written from
//! `docs/apple-wire.md` (not from Depot's client). One binary, modules by topic.

mod account;
mod business;
mod control;
mod cursors;
mod faults;
mod portal;
mod profiles;
mod session;
mod support;
mod vpp;
