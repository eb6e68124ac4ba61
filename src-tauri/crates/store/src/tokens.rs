//! The `tokens`, `token_secrets` and `pending_key` tables. Secret columns hold
//! vault blobs; this module never sees plaintext secrets.

use depot_domain::profile::ApplePlatform;
use depot_domain::{TokenId, UnixSeconds};
use rusqlite::{OptionalExtension, Row, params};

use crate::{Db, Result};

/// Where a token's Apple service lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Apple,
    /// Depot's in-process simulator (demo mode): the base URL is resolved at run time.
    Simulator,
}

impl Environment {
    fn as_str(self) -> &'static str {
        match self {
            Environment::Apple => "apple",
            Environment::Simulator => "simulator",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "simulator" {
            Environment::Simulator
        } else {
            Environment::Apple
        }
    }
}

/// A token as stored, with counts. No secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: TokenId,
    pub server_name: String,
    pub server_uuid: String,
    pub org_name: String,
    pub org_id: Option<String>,
    pub org_type: Option<String>,
    pub admin_id: Option<String>,
    pub apple_id: String,
    pub apple_url: String,
    pub environment: Environment,
    pub expires_at: UnixSeconds,
    pub created_at: UnixSeconds,
    pub renewed_at: Option<UnixSeconds>,
    pub key_fingerprint: String,
    pub terms_not_accepted: bool,
    pub rejected: bool,
    pub scope_tags: Vec<String>,
    pub device_count: u64,
    pub profile_count: u64,
    /// The token's default profile per platform (PLT-2), by platform.
    pub default_profiles: Vec<(ApplePlatform, String)>,
    /// The last finished sync: when, and `ok` / `failed` / `cancelled`.
    pub last_sync: Option<(UnixSeconds, String)>,
}

/// Facts from Apple's `GET /account` plus Depot's own, for insert and renew.
#[derive(Debug, Clone)]
pub struct TokenFacts<'a> {
    pub server_name: &'a str,
    pub server_uuid: &'a str,
    pub org_name: &'a str,
    pub org_id: Option<&'a str>,
    pub org_type: Option<&'a str>,
    pub admin_id: Option<&'a str>,
    pub expires_at: UnixSeconds,
}

/// What a new token row needs besides the facts.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub facts: TokenFacts<'a>,
    pub apple_id: &'a str,
    pub apple_url: &'a str,
    pub environment: Environment,
    pub scope_tags: &'a [String],
    pub key_fingerprint: &'a str,
    pub created_at: UnixSeconds,
}

/// Encrypted secret blobs of one token (from the vault).
#[derive(Debug, Clone)]
pub struct SealedSecrets {
    pub credentials: Vec<u8>,
    pub private_key: Vec<u8>,
    pub certificate_pem: String,
}

/// The pending key pair (wizard step 2), sealed.
#[derive(Debug, Clone)]
pub struct PendingKeyRow {
    pub private_key: Vec<u8>,
    pub certificate_pem: String,
    pub created_at: UnixSeconds,
}

const SELECT_TOKEN: &str = "
    SELECT t.id, t.server_name, t.server_uuid, t.org_name, t.org_id, t.org_type, t.admin_id,
           t.apple_id, t.apple_url, t.environment, t.expires_at, t.created_at, t.renewed_at,
           t.key_fingerprint, t.terms_not_accepted, t.rejected, t.scope_tags,
           (SELECT COUNT(*) FROM devices d WHERE d.token_id = t.id AND d.removed_at IS NULL),
           (SELECT COUNT(*) FROM profiles p WHERE p.token_id = t.id),
           (SELECT json_group_array(json_array(td.platform, p.name)) FROM token_defaults td
              JOIN profiles p ON p.id = td.profile_id WHERE td.token_id = t.id),
           (SELECT r.finished_at FROM sync_runs r
             WHERE r.token_id = t.id AND r.finished_at IS NOT NULL ORDER BY r.id DESC LIMIT 1),
           (SELECT r.result FROM sync_runs r
             WHERE r.token_id = t.id AND r.finished_at IS NOT NULL ORDER BY r.id DESC LIMIT 1)
    FROM tokens t";

impl Db {
    /// Every token, ordered by server name, with device and profile counts.
    pub fn list_tokens(&self) -> Result<Vec<TokenRow>> {
        let sql = format!("{SELECT_TOKEN} ORDER BY t.server_name COLLATE NOCASE, t.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], token_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get_token(&self, id: TokenId) -> Result<Option<TokenRow>> {
        let sql = format!("{SELECT_TOKEN} WHERE t.id = ?1");
        Ok(self
            .conn
            .query_row(&sql, [id.get()], token_row)
            .optional()?)
    }

    pub fn find_token_by_server(&self, server_uuid: &str) -> Result<Option<TokenRow>> {
        let sql = format!("{SELECT_TOKEN} WHERE t.server_uuid = ?1");
        Ok(self
            .conn
            .query_row(&sql, [server_uuid], token_row)
            .optional()?)
    }

    pub fn count_tokens(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM tokens", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// Inserts a token; its secrets follow with [`Db::put_token_secrets`] in
    /// the same transaction (they are sealed for the new token's id).
    pub fn insert_token(&self, token: &NewToken<'_>) -> Result<TokenId> {
        let f = &token.facts;
        self.conn.execute(
            "INSERT INTO tokens (server_name, server_uuid, org_name, org_id, org_type, admin_id,
                                 apple_id, apple_url, environment, expires_at, created_at,
                                 key_fingerprint, scope_tags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                f.server_name,
                f.server_uuid,
                f.org_name,
                f.org_id,
                f.org_type,
                f.admin_id,
                token.apple_id,
                token.apple_url,
                token.environment.as_str(),
                f.expires_at,
                token.created_at,
                token.key_fingerprint,
                tags_json(token.scope_tags),
            ],
        )?;
        Ok(TokenId::new(self.conn.last_insert_rowid()))
    }

    /// Renew: new facts and credentials, same row (profiles, devices, history kept).
    /// Apple's verdicts are cleared: a new token file is a fresh start.
    pub fn renew_token(
        &self,
        id: TokenId,
        facts: &TokenFacts<'_>,
        credentials: &[u8],
        renewed_at: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE tokens SET server_name = ?2, server_uuid = ?3, org_name = ?4, org_id = ?5,
                    org_type = ?6, admin_id = ?7, expires_at = ?8, renewed_at = ?9,
                    terms_not_accepted = 0, rejected = 0
             WHERE id = ?1",
            params![
                id.get(),
                facts.server_name,
                facts.server_uuid,
                facts.org_name,
                facts.org_id,
                facts.org_type,
                facts.admin_id,
                facts.expires_at,
                renewed_at
            ],
        )?;
        self.conn.execute(
            "UPDATE token_secrets SET credentials = ?2 WHERE token_id = ?1",
            params![id.get(), credentials],
        )?;
        Ok(())
    }

    pub fn set_scope_tags(&self, id: TokenId, tags: &[String]) -> Result<()> {
        self.conn.execute(
            "UPDATE tokens SET scope_tags = ?2 WHERE id = ?1",
            params![id.get(), tags_json(tags)],
        )?;
        Ok(())
    }

    /// Records Apple's verdict on a token (TOK-8).
    pub fn set_token_verdicts(
        &self,
        id: TokenId,
        terms_not_accepted: bool,
        rejected: bool,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE tokens SET terms_not_accepted = ?2, rejected = ?3 WHERE id = ?1",
            params![id.get(), terms_not_accepted, rejected],
        )?;
        Ok(())
    }

    /// Removes a token with its secrets and profiles (callers check TOK-6 first).
    pub fn delete_token(&self, id: TokenId) -> Result<()> {
        self.conn
            .execute("DELETE FROM token_secrets WHERE token_id = ?1", [id.get()])?;
        self.conn
            .execute("DELETE FROM token_defaults WHERE token_id = ?1", [id.get()])?;
        self.conn
            .execute("DELETE FROM profiles WHERE token_id = ?1", [id.get()])?;
        self.conn
            .execute("DELETE FROM tokens WHERE id = ?1", [id.get()])?;
        Ok(())
    }

    pub fn token_secrets(&self, id: TokenId) -> Result<Option<SealedSecrets>> {
        Ok(self
            .conn
            .query_row(
                "SELECT credentials, private_key, certificate_pem FROM token_secrets WHERE token_id = ?1",
                [id.get()],
                |r| {
                    Ok(SealedSecrets {
                        credentials: r.get(0)?,
                        private_key: r.get(1)?,
                        certificate_pem: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores the sealed secrets of token `id` (inserted just before).
    pub fn put_token_secrets(&self, id: TokenId, secrets: &SealedSecrets) -> Result<()> {
        self.conn.execute(
            "INSERT INTO token_secrets (token_id, credentials, private_key, certificate_pem)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                id.get(),
                secrets.credentials,
                secrets.private_key,
                secrets.certificate_pem
            ],
        )?;
        Ok(())
    }

    pub fn pending_key(&self) -> Result<Option<PendingKeyRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT private_key, certificate_pem, created_at FROM pending_key WHERE id = 1",
                [],
                |r| {
                    Ok(PendingKeyRow {
                        private_key: r.get(0)?,
                        certificate_pem: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores (or replaces) the pending key pair.
    pub fn put_pending_key(&self, row: &PendingKeyRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO pending_key (id, private_key, certificate_pem, created_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET private_key = excluded.private_key,
                 certificate_pem = excluded.certificate_pem, created_at = excluded.created_at",
            params![row.private_key, row.certificate_pem, row.created_at],
        )?;
        Ok(())
    }

    pub fn clear_pending_key(&self) -> Result<()> {
        self.conn.execute("DELETE FROM pending_key", [])?;
        Ok(())
    }
}

fn token_row(row: &Row<'_>) -> rusqlite::Result<TokenRow> {
    let tags: String = row.get(16)?;
    let environment: String = row.get(9)?;
    Ok(TokenRow {
        id: TokenId::new(row.get(0)?),
        server_name: row.get(1)?,
        server_uuid: row.get(2)?,
        org_name: row.get(3)?,
        org_id: row.get(4)?,
        org_type: row.get(5)?,
        admin_id: row.get(6)?,
        apple_id: row.get(7)?,
        apple_url: row.get(8)?,
        environment: Environment::parse(&environment),
        expires_at: row.get(10)?,
        created_at: row.get(11)?,
        renewed_at: row.get(12)?,
        key_fingerprint: row.get(13)?,
        terms_not_accepted: row.get(14)?,
        rejected: row.get(15)?,
        scope_tags: parse_tags(&tags),
        device_count: row.get::<_, i64>(17)?.unsigned_abs(),
        profile_count: row.get::<_, i64>(18)?.unsigned_abs(),
        default_profiles: parse_defaults(row.get::<_, Option<String>>(19)?.as_deref()),
        last_sync: match (
            row.get::<_, Option<UnixSeconds>>(20)?,
            row.get::<_, Option<String>>(21)?,
        ) {
            (Some(at), Some(result)) => Some((at, result)),
            _ => None,
        },
    })
}

/// `[["iOS","Sales iPads"],…]` in platform order; anything else reads as none.
fn parse_defaults(json: Option<&str>) -> Vec<(ApplePlatform, String)> {
    let pairs: Vec<(String, String)> = json
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let mut defaults: Vec<(ApplePlatform, String)> = pairs
        .into_iter()
        .filter_map(|(platform, name)| Some((ApplePlatform::from_name(&platform)?, name)))
        .collect();
    defaults.sort_by_key(|(platform, _)| platform.order());
    defaults
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
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

    fn facts(name: &'static str, uuid: &'static str) -> TokenFacts<'static> {
        TokenFacts {
            server_name: name,
            server_uuid: uuid,
            org_name: "Org",
            org_id: Some("1234"),
            org_type: Some("org"),
            admin_id: Some("admin@example.com"),
            expires_at: UnixSeconds::new(100),
        }
    }

    fn sealed() -> SealedSecrets {
        SealedSecrets {
            credentials: vec![1, 2],
            private_key: vec![3],
            certificate_pem: "CERT".into(),
        }
    }

    fn insert(db: &Db, name: &'static str, uuid: &'static str) -> TokenId {
        let tags = vec!["berlin".to_owned()];
        let id = db
            .insert_token(&NewToken {
                facts: facts(name, uuid),
                apple_id: "a@example.com",
                apple_url: "https://mdmenrollment.apple.com",
                environment: Environment::Apple,
                scope_tags: &tags,
                key_fingerprint: "AA:BB",
                created_at: UnixSeconds::new(1),
            })
            .unwrap();
        db.put_token_secrets(id, &sealed()).unwrap();
        id
    }

    #[test]
    fn lists_tokens_with_counts_in_name_order() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        assert!(db.list_tokens().unwrap().is_empty());
        let west = insert(&db, "west", "U1");
        insert(&db, "East", "U2");
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
        assert_eq!(tokens[0].scope_tags, ["berlin"]);
        assert_eq!(db.count_tokens().unwrap(), 2);
    }

    #[test]
    fn one_token_per_server() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        insert(&db, "a", "SAME");
        let again = db.insert_token(&NewToken {
            facts: facts("b", "SAME"),
            apple_id: "a@example.com",
            apple_url: "x",
            environment: Environment::Simulator,
            scope_tags: &[],
            key_fingerprint: "",
            created_at: UnixSeconds::new(1),
        });
        assert!(again.is_err());
    }

    #[test]
    fn renew_keeps_the_row_and_replaces_credentials() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let id = insert(&db, "a", "U");
        db.set_token_verdicts(id, true, true).unwrap();
        let newer = TokenFacts {
            expires_at: UnixSeconds::new(500),
            ..facts("a", "U")
        };
        db.renew_token(id, &newer, &[9, 9], UnixSeconds::new(42))
            .unwrap();
        let row = db.get_token(id).unwrap().unwrap();
        assert_eq!(
            (row.expires_at.get(), row.renewed_at.map(UnixSeconds::get)),
            (500, Some(42))
        );
        assert!(!row.terms_not_accepted && !row.rejected);
        assert_eq!(db.token_secrets(id).unwrap().unwrap().credentials, [9, 9]);
        assert_eq!(db.token_secrets(id).unwrap().unwrap().private_key, [3]);
    }

    #[test]
    fn delete_removes_secrets_and_profiles() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let id = insert(&db, "a", "U");
        db.conn
            .execute(
                "INSERT INTO profiles (token_id, name, created_at) VALUES (?1, 'p', 1)",
                [id.get()],
            )
            .unwrap();
        db.delete_token(id).unwrap();
        assert!(db.get_token(id).unwrap().is_none());
        assert!(db.token_secrets(id).unwrap().is_none());
        assert_eq!(ws.counts().unwrap().profiles, 0);
    }

    #[test]
    fn pending_key_is_replaced_and_cleared() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        assert!(db.pending_key().unwrap().is_none());
        db.put_pending_key(&PendingKeyRow {
            private_key: vec![1],
            certificate_pem: "A".into(),
            created_at: UnixSeconds::new(1),
        })
        .unwrap();
        db.put_pending_key(&PendingKeyRow {
            private_key: vec![2],
            certificate_pem: "B".into(),
            created_at: UnixSeconds::new(2),
        })
        .unwrap();
        assert_eq!(db.pending_key().unwrap().unwrap().certificate_pem, "B");
        db.clear_pending_key().unwrap();
        assert!(db.pending_key().unwrap().is_none());
    }

    #[test]
    fn scope_tags_parse() {
        assert_eq!(parse_tags(r#"["a", "b c"]"#), ["a", "b c"]);
        assert!(parse_tags("[]").is_empty());
        assert!(parse_tags("not json").is_empty());
    }
}
