//! Intentionally empty: this package exists to hold the `tests/it` integration
//! binary (see `it/main.rs`).
