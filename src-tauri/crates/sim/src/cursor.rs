//! Opaque, tamper-evident cursors.
//!
//! A cursor is base64 of `kind:server:position:snapshot:issued_ms:flags:tag`,
//! where `tag` is a truncated HMAC-SHA256 over the rest under a key derived
//! from the seed. Real Apple cursors are also base64 of colon-separated fields;
//! clients must treat both as opaque. Anything that fails to decode or verify
//! is `INVALID_CURSOR`.

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

use crate::util::hex_lower;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CursorKind {
    /// From `POST /server/devices`: `position` is the next device index.
    Fetch,
    /// From `POST /devices/sync`: `position` is the last delivered change number.
    Sync,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub kind: CursorKind,
    pub server: u16,
    pub position: u64,
    /// Change-log length when the fetch started (sync resumes from here).
    pub snapshot: u64,
    /// Simulated time the cursor was handed out.
    pub issued_ms: i64,
    /// A fetch cursor that delivered the last page.
    pub exhausted: bool,
    /// The server's cursor generation at issue; bumping it expires every older cursor.
    pub generation: u32,
}

pub(crate) fn tag(key: &[u8], payload: &str) -> String {
    let mac = PKey::hmac(key)
        .and_then(|pkey| {
            let mut signer = Signer::new(MessageDigest::sha256(), &pkey)?;
            signer.update(payload.as_bytes())?;
            signer.sign_to_vec()
        })
        .unwrap_or_default();
    hex_lower(&mac[..mac.len().min(8)])
}

impl Cursor {
    pub(crate) fn encode(&self, key: &[u8]) -> String {
        let kind = match self.kind {
            CursorKind::Fetch => "F",
            CursorKind::Sync => "S",
        };
        let payload = format!(
            "{kind}:{}:{}:{}:{}:{}:{}",
            self.server,
            self.position,
            self.snapshot,
            self.issued_ms,
            u8::from(self.exhausted),
            self.generation
        );
        let t = tag(key, &payload);
        openssl::base64::encode_block(format!("{payload}:{t}").as_bytes())
    }

    pub(crate) fn decode(key: &[u8], text: &str) -> Option<Cursor> {
        if text.is_empty() || text.len() > 1000 {
            return None;
        }
        let raw = openssl::base64::decode_block(text).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (payload, presented) = raw.rsplit_once(':')?;
        let expected = tag(key, payload);
        if presented.len() != expected.len()
            || !openssl::memcmp::eq(presented.as_bytes(), expected.as_bytes())
        {
            return None;
        }
        let mut parts = payload.split(':');
        let kind = match parts.next()? {
            "F" => CursorKind::Fetch,
            "S" => CursorKind::Sync,
            _ => return None,
        };
        let cursor = Cursor {
            kind,
            server: parts.next()?.parse().ok()?,
            position: parts.next()?.parse().ok()?,
            snapshot: parts.next()?.parse().ok()?,
            issued_ms: parts.next()?.parse().ok()?,
            exhausted: parts.next()? == "1",
            generation: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let c = Cursor {
            kind: CursorKind::Fetch,
            server: 2,
            position: 1000,
            snapshot: 4,
            issued_ms: 1_700_000_000_000,
            exhausted: false,
            generation: 0,
        };
        let text = c.encode(b"k");
        assert_eq!(Cursor::decode(b"k", &text), Some(c.clone()));
        assert_eq!(Cursor::decode(b"other", &text), None);
        let forged = openssl::base64::encode_block(b"F:2:0:4:1700000000000:0:0:0000000000000000");
        assert_eq!(Cursor::decode(b"k", &forged), None);
        assert_eq!(Cursor::decode(b"k", "garbage!"), None);
        assert_eq!(Cursor::decode(b"k", ""), None);
    }
}
