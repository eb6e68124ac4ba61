//! Small self-contained helpers: dates, hex, a deterministic generator.
//!
//! The calendar code repeats `depot_domain::time` on purpose: the simulator
//! plays Apple and depends on none of Depot's crates, so a date bug in Depot
//! cannot hide itself by being shared with its test double.

/// Milliseconds in one day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
}

fn civil(ms: i64) -> Civil {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
    }
}

/// `2023-07-01T22:18:53Z` — Apple's date-time shape (UTC, no fraction).
pub(crate) fn rfc3339(ms: i64) -> String {
    let c = civil(ms);
    if !(0..=9999).contains(&c.year) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        );
    }
    // Hot path (every device on every page): no formatting machinery.
    let mut out = [0u8; 20];
    let two = |buf: &mut [u8], v: i64| {
        buf[0] = b'0' + (v / 10) as u8;
        buf[1] = b'0' + (v % 10) as u8;
    };
    two(&mut out[0..2], c.year / 100);
    two(&mut out[2..4], c.year % 100);
    out[4] = b'-';
    two(&mut out[5..7], i64::from(c.month));
    out[7] = b'-';
    two(&mut out[8..10], i64::from(c.day));
    out[10] = b'T';
    two(&mut out[11..13], c.hour);
    out[13] = b':';
    two(&mut out[14..16], c.minute);
    out[16] = b':';
    two(&mut out[17..19], c.second);
    out[19] = b'Z';
    out.iter().map(|&b| b as char).collect()
}

/// `Mon, 21 Sep 2026 14:13:20 GMT` — an HTTP-date (IMF-fixdate, RFC 9110),
/// for the `Date` and `Retry-After` headers.
pub(crate) fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = civil(ms);
    // 1970-01-01 was a Thursday.
    let weekday = (ms.div_euclid(DAY_MS) + 4).rem_euclid(7) as usize;
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[weekday],
        c.day,
        MONTHS[(c.month - 1) as usize],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// `2025-01-15` — day precision, used by replacement details.
pub(crate) fn date_only(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `2022-07-06T06-03-00Z` — the timestamp in Apple's token file names.
pub(crate) fn file_stamp(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// The same instant one calendar year later (29 February → 28 February).
pub(crate) fn plus_one_year(ms: i64) -> i64 {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let d = if m == 2 && d == 29 { 28 } else { d };
    (days_from_civil(y + 1, m, d) * 86_400 + rem) * 1000
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (optionally with a fraction) or a plain Unix
/// time in seconds. Returns Unix milliseconds.
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return secs.checked_mul(1000);
    }
    let b = s.as_bytes();
    if b.len() < 20 || !s.ends_with('Z') || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}

/// SplitMix64: a tiny, fast, well-mixed deterministic generator.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Deterministic generator seeded from the simulator seed.
#[derive(Debug, Clone)]
pub(crate) struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub(crate) fn new(seed: u64) -> Self {
        SeededRng {
            state: mix64(seed ^ 0x5EED_5EED_5EED_5EED),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform-enough value below `bound` (bound > 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }

    pub(crate) fn hex_upper(&mut self, n_bytes: usize) -> String {
        hex_upper(&self.bytes(n_bytes))
    }

    pub(crate) fn hex_lower(&mut self, n_bytes: usize) -> String {
        hex_lower(&self.bytes(n_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(253_402_300_799_000), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Some(1_700_000_000_000));
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000_000));
        assert_eq!(parse_time("2023-13-14T22:13:20Z"), None);
        assert_eq!(file_stamp(1_700_000_000_000), "2023-11-14T22-13-20Z");
        assert_eq!(date_only(1_700_000_000_000), "2023-11-14");
        assert_eq!(
            http_date(1_700_000_000_000),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(-1000), "Wed, 31 Dec 1969 23:59:59 GMT");
    }

    #[test]
    fn one_year_later_is_calendar_based() {
        let t = parse_time("2024-02-29T10:00:00Z").unwrap();
        assert_eq!(rfc3339(plus_one_year(t)), "2025-02-28T10:00:00Z");
        let t = parse_time("2025-07-01T22:18:53Z").unwrap();
        assert_eq!(rfc3339(plus_one_year(t)), "2026-07-01T22:18:53Z");
    }
}
