//! Waiting between tries, and reading Apple's clock: the pause (real time, or
//! recorded and instant in tests), `Retry-After` in both of its forms, and the
//! `Date` header.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, UNIX_EPOCH};

/// How the client waits before trying again.
pub trait Pause: Send + Sync {
    fn pause(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Waits in real time (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct RealTime;

impl Pause for RealTime {
    fn pause(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(wait))
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date read
/// against `now` (Unix seconds of the injected clock; a date already past
/// means no wait).
pub(crate) fn retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(value)?;
    Some(Duration::from_secs(
        u64::try_from(at.saturating_sub(now)).unwrap_or(0),
    ))
}

/// Unix seconds of an HTTP-date (IMF-fixdate, RFC 850 or asctime form).
pub(crate) fn http_date(value: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    let since = time.duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
    const EXAMPLE: i64 = 784_111_777;

    #[test]
    fn retry_after_in_both_forms() {
        let check = |value: &str, now: i64, expect: Option<u64>| {
            assert_eq!(
                retry_after(value, now),
                expect.map(Duration::from_secs),
                "{value}"
            );
        };
        check("120", 0, Some(120));
        check(" 0 ", 0, Some(0));
        check("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE - 90, Some(90));
        check("Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE - 90, Some(90));
        check("Sun Nov  6 08:49:37 1994", EXAMPLE - 90, Some(90));
        check("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE + 10, Some(0));
        check("-5", 0, None);
        check("soon", 0, None);
        check("", 0, None);
    }

    #[test]
    fn http_dates_are_unix_seconds() {
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(EXAMPLE));
        assert_eq!(
            http_date("Mon, 21 Sep 2026 14:13:20 GMT"),
            Some(1_790_000_000)
        );
        assert_eq!(http_date("2026-09-15T03:33:20Z"), None);
    }
}
