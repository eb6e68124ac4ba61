//! The `tokens` table.

use depot_domain::TokenId;
use rusqlite::Row;

use crate::{Db, Result};

/// A token as stored (no secrets: those live encrypted elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: TokenId,
    pub server_name: String,
    pub server_uuid: String,
    pub org_name: String,
    pub apple_id: String,
    pub expires_at: i64,
    pub terms_not_accepted: bool,
    pub rejected: bool,
    pub scope_tags: Vec<String>,
    pub device_count: u64,
    pub profile_count: u64,
}

/// What a new token row needs.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub server_name: &'a str,
    pub server_uuid: &'a str,
    pub org_name: &'a str,
    pub apple_id: &'a str,
    pub expires_at: i64,
    pub created_at: i64,
}

impl Db {
    /// Every token, ordered by server name, with device and profile counts.
    pub fn list_tokens(&self) -> Result<Vec<TokenRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.server_name, t.server_uuid, t.org_name, t.apple_id, t.expires_at,
                    t.terms_not_accepted, t.rejected, t.scope_tags,
                    (SELECT COUNT(*) FROM devices d WHERE d.token_id = t.id),
                    (SELECT COUNT(*) FROM profiles p WHERE p.token_id = t.id)
             FROM tokens t
             ORDER BY t.server_name COLLATE NOCASE, t.id",
        )?;
        let rows = stmt.query_map([], token_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_token(&self, token: &NewToken<'_>) -> Result<TokenId> {
        self.conn.execute(
            "INSERT INTO tokens (server_name, server_uuid, org_name, apple_id, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                token.server_name,
                token.server_uuid,
                token.org_name,
                token.apple_id,
                token.expires_at,
                token.created_at
            ],
        )?;
        Ok(TokenId::new(self.conn.last_insert_rowid()))
    }
}

fn token_row(row: &Row<'_>) -> rusqlite::Result<TokenRow> {
    let tags: String = row.get(8)?;
    Ok(TokenRow {
        id: TokenId::new(row.get(0)?),
        server_name: row.get(1)?,
        server_uuid: row.get(2)?,
        org_name: row.get(3)?,
        apple_id: row.get(4)?,
        expires_at: row.get(5)?,
        terms_not_accepted: row.get(6)?,
        rejected: row.get(7)?,
        scope_tags: parse_tags(&tags),
        device_count: row.get::<_, i64>(9)?.unsigned_abs(),
        profile_count: row.get::<_, i64>(10)?.unsigned_abs(),
    })
}

/// Scope tags are stored as a JSON array of strings; a damaged value reads as
/// no tags rather than hiding the token.
fn parse_tags(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_else(|err| {
        tracing::warn!(%err, "unreadable scope tags");
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn lists_tokens_with_counts_in_name_order() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        assert!(db.list_tokens().unwrap().is_empty());
        let new = |name| NewToken {
            server_name: name,
            server_uuid: "UUID",
            org_name: "Org",
            apple_id: "admin@example.com",
            expires_at: 100,
            created_at: 1,
        };
        let west = db.insert_token(&new("west")).unwrap();
        db.insert_token(&new("East")).unwrap();
        db.conn
            .execute(
                "INSERT INTO devices (token_id, serial) VALUES (?1, 'C02XK1ZZJG5H')",
                [west.get()],
            )
            .unwrap();
        let tokens = db.list_tokens().unwrap();
        let names: Vec<_> = tokens.iter().map(|t| t.server_name.as_str()).collect();
        assert_eq!(names, ["East", "west"]);
        assert_eq!(tokens[1].device_count, 1);
        assert_eq!(tokens[0].device_count, 0);
        assert!(tokens[0].scope_tags.is_empty());
    }

    #[test]
    fn scope_tags_parse() {
        assert_eq!(parse_tags(r#"["a", "b c"]"#), ["a", "b c"]);
        assert!(parse_tags("[]").is_empty());
        assert!(parse_tags("not json").is_empty());
    }
}
