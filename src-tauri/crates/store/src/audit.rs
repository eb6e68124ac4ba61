//! The append-only `audit_log` table (ACC-1). Triggers refuse UPDATE and DELETE.

use depot_domain::{TokenId, UnixSeconds};
use rusqlite::{Row, params_from_iter, types::Value};

use crate::{Db, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: UnixSeconds,
    pub operator: String,
    /// `desktop`, `browser`, `cli` or `scheduler`; `None` for old entries.
    pub origin: Option<String>,
    pub action: String,
    pub object: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: UnixSeconds,
    pub operator: &'a str,
    pub origin: Option<&'a str>,
    pub action: &'a str,
    pub object: &'a str,
    /// The token the entry concerns; `None`: the workspace as a whole.
    pub token: Option<TokenId>,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
}

/// Filters, combined with AND. Times are Unix seconds, inclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub object_contains: Option<String>,
    pub operator: Option<String>,
    pub from: Option<UnixSeconds>,
    pub to: Option<UnixSeconds>,
    /// Only entries with a smaller id (keyset paging, newest first).
    pub before_id: Option<i64>,
    /// Only entries about these tokens (an account limited by scope tags);
    /// `None`: every entry.
    pub tokens: Option<Vec<TokenId>>,
    pub limit: u32,
}

impl Db {
    pub fn insert_audit(&self, entry: &NewAuditEntry<'_>) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO audit_log (at, operator, action, object, before_json, after_json, origin, token_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                entry.at,
                entry.operator,
                entry.action,
                entry.object,
                entry.before_json,
                entry.after_json,
                entry.origin,
                entry.token.map(TokenId::get)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Matching entries, newest first, at most `limit` (0 = no limit).
    pub fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        let (filter, args) = audit_filter(query);
        let mut sql = format!(
            "SELECT id, at, operator, action, object, before_json, after_json, origin FROM audit_log WHERE {filter} ORDER BY id DESC"
        );
        if query.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", query.limit));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), audit_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many entries match (`limit` and `before_id` aside from their filter).
    pub fn count_audit(&self, query: &AuditQuery) -> Result<u64> {
        let (filter, args) = audit_filter(query);
        let n: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM audit_log WHERE {filter}"),
            params_from_iter(args),
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    /// Every distinct action in the log, sorted.
    pub fn audit_actions(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The WHERE condition of `query` and its parameters.
fn audit_filter(query: &AuditQuery) -> (String, Vec<Value>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(action) = &query.action {
        sql.push_str(" AND action = ?");
        args.push(Value::Text(action.clone()));
    }
    if let Some(text) = &query.object_contains {
        sql.push_str(" AND instr(lower(object), lower(?)) > 0");
        args.push(Value::Text(text.clone()));
    }
    if let Some(operator) = &query.operator {
        sql.push_str(" AND operator = ?");
        args.push(Value::Text(operator.clone()));
    }
    if let Some(from) = query.from {
        sql.push_str(" AND at >= ?");
        args.push(Value::Integer(from.get()));
    }
    if let Some(to) = query.to {
        sql.push_str(" AND at <= ?");
        args.push(Value::Integer(to.get()));
    }
    if let Some(before) = query.before_id {
        sql.push_str(" AND id < ?");
        args.push(Value::Integer(before));
    }
    if let Some(tokens) = &query.tokens {
        sql.push_str(&format!(
            " AND token_id IN ({})",
            vec!["?"; tokens.len()].join(", ")
        ));
        args.extend(tokens.iter().map(|t| Value::Integer(t.get())));
    }
    (sql, args)
}

fn audit_row(row: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: row.get(0)?,
        at: row.get(1)?,
        operator: row.get(2)?,
        origin: row.get(7)?,
        action: row.get(3)?,
        object: row.get(4)?,
        before_json: row.get(5)?,
        after_json: row.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn filters_and_pages_newest_first() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        for (at, action, object) in [
            (10, "token.add", "token 1 (Sales)"),
            (20, "token.renew", "token 1 (Sales)"),
            (30, "token.add", "token 2 (Campus)"),
            (40, "key.generate", "pending key"),
        ] {
            let entry = NewAuditEntry {
                at: UnixSeconds::new(at),
                operator: "alice",
                origin: Some("cli"),
                action,
                object,
                token: None,
                before_json: None,
                after_json: Some("{}"),
            };
            db.insert_audit(&entry).unwrap();
        }
        let all = db.query_audit(&AuditQuery::default()).unwrap();
        assert_eq!(
            all.iter().map(|r| r.at.get()).collect::<Vec<_>>(),
            [40, 30, 20, 10]
        );

        let adds = db
            .query_audit(&AuditQuery {
                action: Some("token.add".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(adds.len(), 2);
        let sales = db
            .query_audit(&AuditQuery {
                object_contains: Some("sales".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(sales.len(), 2);
        let window = db
            .query_audit(&AuditQuery {
                from: Some(UnixSeconds::new(15)),
                to: Some(UnixSeconds::new(30)),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            window.iter().map(|r| r.at.get()).collect::<Vec<_>>(),
            [30, 20]
        );

        let page1 = db
            .query_audit(&AuditQuery {
                limit: 3,
                ..Default::default()
            })
            .unwrap();
        let page2 = db
            .query_audit(&AuditQuery {
                limit: 3,
                before_id: Some(page1[2].id),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page2.iter().map(|r| r.at.get()).collect::<Vec<_>>(), [10]);
        assert_eq!(
            db.audit_actions().unwrap(),
            ["key.generate", "token.add", "token.renew"]
        );
    }
}
