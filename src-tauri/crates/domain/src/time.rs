//! Times and their formatting. Pure functions of their arguments: the domain
//! never reads a clock (a [`crate::Clock`] is injected and answers in
//! [`UnixSeconds`]).
//!
//! One unit everywhere in Depot: whole Unix seconds, UTC. The simulator counts
//! milliseconds internally (it plays Apple's millisecond timestamps) and meets
//! Depot's seconds at one conversion, `demo::simulator`.

use std::fmt;

/// A point in time: whole seconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct UnixSeconds(i64);

impl UnixSeconds {
    pub const fn new(seconds: i64) -> Self {
        Self(seconds)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// This time moved by `seconds` (negative moves back); saturates instead of overflowing.
    #[must_use]
    pub const fn plus(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// Seconds from `earlier` to this time (negative when `earlier` is later).
    pub const fn seconds_since(self, earlier: UnixSeconds) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn rfc3339(self) -> String {
        rfc3339(self.0)
    }
}

#[cfg(feature = "sqlite")]
impl rusqlite::ToSql for UnixSeconds {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.into())
    }
}

#[cfg(feature = "sqlite")]
impl rusqlite::types::FromSql for UnixSeconds {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        i64::column_result(value).map(Self)
    }
}

/// `time + seconds` (saturating).
impl std::ops::Add<i64> for UnixSeconds {
    type Output = UnixSeconds;
    fn add(self, seconds: i64) -> UnixSeconds {
        self.plus(seconds)
    }
}

/// `time - seconds` (saturating).
impl std::ops::Sub<i64> for UnixSeconds {
    type Output = UnixSeconds;
    fn sub(self, seconds: i64) -> UnixSeconds {
        Self(self.0.saturating_sub(seconds))
    }
}

/// `later - earlier` in seconds.
impl std::ops::Sub for UnixSeconds {
    type Output = i64;
    fn sub(self, earlier: UnixSeconds) -> i64 {
        self.seconds_since(earlier)
    }
}

impl fmt::Display for UnixSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&rfc3339(self.0))
    }
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, proleptic Gregorian).
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Days since 1970-01-01 → civil date (the "days from civil" inverse).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// `YYYY-MM-DD` (civil date) → days since 1970-01-01.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses RFC 3339 (`2027-01-17T11:02:21Z`, optional fraction, `Z` or `±HH:MM`)
/// or a plain date (`2027-01-17`, midnight UTC) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    // At most `width` ASCII digits: no overflow, whatever the input.
    let digits = |s: &str, width: usize| -> Option<i64> {
        (!s.is_empty() && s.len() <= width && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    let num = |s: &str| digits(s, 2);
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (
        digits(parts.next()?, 4)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    let Some(rest) = rest else {
        return Some(seconds);
    };
    let (clock, offset) = if let Some(stripped) = rest.strip_suffix(['Z', 'z']) {
        (stripped, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (h, m) = rest[i + 1..].split_once(':')?;
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        let (h, m) = (num(h)?, num(m)?);
        if h > 23 || m > 59 {
            return None;
        }
        (&rest[..i], sign * (h * 3_600 + m * 60))
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.split(':');
    let (h, m, s) = (num(hms.next()?)?, num(hms.next()?)?, num(hms.next()?)?);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    seconds += h * 3_600 + m * 60 + s - offset;
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_formats_and_apple_shapes() {
        for unix in [0, 1_700_000_000, 951_782_400, 4_102_444_800, -1] {
            assert_eq!(parse_rfc3339(&rfc3339(unix)), Some(unix));
        }
        assert_eq!(parse_rfc3339("2023-07-01T22:18:53Z"), Some(1_688_249_933));
        assert_eq!(
            parse_rfc3339("2023-07-01T22:18:53.123Z"),
            Some(1_688_249_933)
        );
        assert_eq!(
            parse_rfc3339("2023-07-02T00:18:53+02:00"),
            Some(1_688_249_933)
        );
        assert_eq!(parse_rfc3339("2023-07-01"), Some(1_688_169_600));
        for bad in [
            "",
            "yesterday",
            "2023-13-01",
            "2023-07-01T25:00:00Z",
            "2023-07-01T22:18Z",
            "2023-7-x",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
