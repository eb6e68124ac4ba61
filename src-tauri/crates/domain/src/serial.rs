//! Apple serial numbers.

use std::fmt;
use std::str::FromStr;

/// An Apple hardware serial number: 8–14 characters, `A-Z` and `0-9` only, stored
/// uppercase. Older devices have 11 or 12 characters, newer ones 10 random
/// characters; input is trimmed and upper-cased so pasted lists just work.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SerialNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerialError {
    #[error("the serial number is empty")]
    Empty,
    #[error("'{0}' is not a serial number: it must be 8 to 14 characters long")]
    Length(String),
    #[error("'{0}' is not a serial number: only letters A-Z and digits are allowed")]
    Characters(String),
}

impl SerialNumber {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 14;

    pub fn parse(input: &str) -> Result<Self, SerialError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(SerialError::Empty);
        }
        if !trimmed.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SerialError::Characters(trimmed.to_owned()));
        }
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&trimmed.len()) {
            return Err(SerialError::Length(trimmed.to_owned()));
        }
        Ok(Self(trimmed.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for SerialNumber {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SerialNumber {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl AsRef<str> for SerialNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for SerialNumber {
    type Err = SerialError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(feature = "sqlite")]
impl rusqlite::ToSql for SerialNumber {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.as_str().into())
    }
}

/// Reading a serial back: Depot only ever stored parsed serials, so a row
/// that does not parse is damage and fails the read instead of spreading.
#[cfg(feature = "sqlite")]
impl rusqlite::types::FromSql for SerialNumber {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        Self::parse(text).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Result<&str, SerialError>) {
        let got = SerialNumber::parse(input);
        assert_eq!(
            got.as_ref().map(SerialNumber::as_str),
            expect.as_ref().map(|s| *s),
            "{input:?}"
        );
    }

    #[test]
    fn parses_apple_style_serials() {
        check("C02XK1ZZJG5H", Ok("C02XK1ZZJG5H"));
        check("  f4kx9q2lm1 \r\n", Ok("F4KX9Q2LM1"));
        check("DMPXL0ABCD", Ok("DMPXL0ABCD"));
    }

    #[test]
    fn rejects_bad_input_with_the_reason() {
        check("", Err(SerialError::Empty));
        check("   ", Err(SerialError::Empty));
        check("ABC123", Err(SerialError::Length("ABC123".into())));
        check(
            "ABCDEFGHIJ12345",
            Err(SerialError::Length("ABCDEFGHIJ12345".into())),
        );
        check(
            "C02X-K1ZZJG5H",
            Err(SerialError::Characters("C02X-K1ZZJG5H".into())),
        );
        check(
            "C02XK1ZZJG5É",
            Err(SerialError::Characters("C02XK1ZZJG5É".into())),
        );
    }
}
