//! Secrets as a type: no `Display`, no `Serialize`, a redacted `Debug`. The only
//! way to the value is [`SecretString::expose`], which is easy to grep for.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocation is freed.
        // Same length, all ASCII: the String stays valid and is not reallocated.
        let zeros = "\0".repeat(self.0.len());
        self.0.replace_range(.., &zeros);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = SecretString::new("AS_0123456789abcdef");
        assert_eq!(format!("{secret:?}"), "SecretString([redacted])");
        assert_eq!(
            format!("{:?}", Some(&secret)),
            "Some(SecretString([redacted]))"
        );
        assert_eq!(secret.expose(), "AS_0123456789abcdef");
    }
}
