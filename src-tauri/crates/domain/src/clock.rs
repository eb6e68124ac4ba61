//! Time, injected. Nothing in `domain`, `apple` or `core` asks the system for
//! the time except through a [`Clock`], so expiry, pacing and cooldown logic is
//! testable. The wall clock ([`SystemClock`]) is the one place that reads it.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::time::UnixSeconds;

/// The current time, UTC.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixSeconds;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now(&self) -> UnixSeconds {
        UnixSeconds::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        )
    }
}

/// A clock tests set and advance by hand.
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(unix_seconds: i64) -> Self {
        Self(AtomicI64::new(unix_seconds))
    }

    pub fn set(&self, unix_seconds: i64) {
        self.0.store(unix_seconds, Ordering::SeqCst);
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixSeconds {
        UnixSeconds::new(self.0.load(Ordering::SeqCst))
    }
}
