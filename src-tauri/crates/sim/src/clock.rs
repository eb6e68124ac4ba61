//! The simulator's own clock. Cursor age, session and token expiry, OAuth
//! timestamp windows and every date the simulator writes are read from it, so
//! tests can move time without waiting.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct ClockState {
    /// Simulated Unix time (ms) at `anchor`.
    base_ms: i64,
    anchor: Instant,
    frozen: bool,
}

/// A simulated wall clock: starts at a given Unix time and then either ticks
/// with real elapsed (monotonic) time or stays frozen; it can be advanced or
/// set at any moment.
#[derive(Debug, Clone)]
pub struct SimClock {
    state: Arc<Mutex<ClockState>>,
}

impl SimClock {
    /// A clock reading `start_ms` (Unix milliseconds) now.
    pub fn new(start_ms: i64, frozen: bool) -> Self {
        SimClock {
            state: Arc::new(Mutex::new(ClockState {
                base_ms: start_ms,
                anchor: Instant::now(),
                frozen,
            })),
        }
    }

    /// The real wall clock, read once; the only place the simulator looks at it.
    pub fn real_now_ms() -> i64 {
        // The simulator's default start time; everything later runs on SimClock.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        now.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Simulated Unix time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        let s = self.lock();
        if s.frozen {
            s.base_ms
        } else {
            s.base_ms + s.anchor.elapsed().as_millis() as i64
        }
    }

    /// Moves simulated time forward.
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.base_ms += by.as_millis() as i64;
    }

    /// Sets simulated time (Unix milliseconds).
    pub fn set_ms(&self, unix_ms: i64) {
        let mut s = self.lock();
        s.base_ms = unix_ms;
        s.anchor = Instant::now();
    }
}
