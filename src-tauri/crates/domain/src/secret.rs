//! Secrets as types: no `Display`, no `Serialize`, a redacted `Debug`, and the
//! bytes wiped when dropped (the `zeroize` crate, which the optimiser cannot
//! skip). The only way to the value is `expose`, which is easy to grep for.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret text: a credential, a session token, a private key's PEM.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
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

/// Secret bytes: a decrypted vault blob, a key. Wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(value: Vec<u8>) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bytes as text, moved (not copied); `None` if they are not UTF-8
    /// (the rejected bytes are wiped too).
    pub fn into_secret_string(mut self) -> Option<SecretString> {
        let bytes = std::mem::take(&mut self.0);
        match String::from_utf8(bytes) {
            Ok(text) => Some(SecretString(text)),
            Err(err) => {
                err.into_bytes().zeroize();
                None
            }
        }
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([redacted; {}])", self.0.len())
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
        let bytes = SecretBytes::new(b"AS_0123".to_vec());
        assert_eq!(format!("{bytes:?}"), "SecretBytes([redacted; 7])");
    }

    #[test]
    fn zeroize_wipes_the_value_in_place() {
        // What drop runs (ZeroizeOnDrop calls `zeroize`): the buffer is
        // cleared and its capacity kept zeroed, not just the length reset.
        let mut secret = SecretString::new("AS_0123456789abcdef");
        secret.zeroize();
        assert!(secret.is_empty());
        let mut bytes = SecretBytes::new(vec![7; 32]);
        bytes.zeroize();
        assert!(bytes.is_empty());
    }

    #[test]
    fn bytes_become_text_without_a_copy() {
        let text = SecretBytes::new(b"-----BEGIN".to_vec()).into_secret_string();
        assert_eq!(text.unwrap().expose(), "-----BEGIN");
        assert!(
            SecretBytes::new(vec![0xff, 0xfe])
                .into_secret_string()
                .is_none()
        );
    }
}
