//! The audit log (ACC-1): every mutation goes through [`Depot::audit`] inside
//! its own transaction, so an entry exists exactly when the change does.

use depot_domain::time::parse_rfc3339;
use depot_domain::{ProfileId, TokenId, UnixSeconds};
use depot_store::Db;
use depot_store::audit::{AuditQuery, AuditRow, NewAuditEntry};

use crate::{CoreError, Depot, Result};

/// One change, before it is written. `before`/`after` never hold secrets.
pub(crate) struct AuditEvent {
    pub action: &'static str,
    pub object: String,
    /// The token the entry concerns (`None`: the workspace as a whole):
    /// accounts limited by scope tags see only their tokens' entries.
    pub token: Option<TokenId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: UnixSeconds,
    pub operator: String,
    /// `desktop`, `browser`, `cli` or `scheduler` (`None`: not recorded).
    pub origin: Option<String>,
    pub action: String,
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Filters as the admin types them. Dates: RFC 3339 or `YYYY-MM-DD` (a date
/// as `to` means the end of that day).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub object: Option<String>,
    pub operator: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub next_before: Option<i64>,
    pub actions: Vec<String>,
}

pub const MAX_AUDIT_PAGE: u32 = 500;

impl Depot {
    pub(crate) fn audit(&self, db: &Db, event: AuditEvent) -> Result<()> {
        let before = event.before.map(|v| v.to_string());
        let after = event.after.map(|v| v.to_string());
        let acting = crate::acting::acting_now();
        let operator = acting
            .as_ref()
            .map_or_else(|| self.operator.clone(), |a| a.name.clone());
        db.insert_audit(&NewAuditEntry {
            at: self.clock.now(),
            operator: &operator,
            origin: acting.as_ref().map(|a| a.origin.as_str()),
            action: event.action,
            object: &event.object,
            token: event.token,
            before_json: before.as_deref(),
            after_json: after.as_deref(),
        })?;
        Ok(())
    }

    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditPage> {
        let limit = limit.clamp(1, MAX_AUDIT_PAGE);
        let mut query = self.scoped_audit_query(filter)?;
        query.before_id = before;
        query.limit = limit + 1;
        let db = self.workspace.connect()?;
        let mut rows = db.query_audit(&query)?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_before = if more {
            rows.last().map(|r| r.id)
        } else {
            None
        };
        Ok(AuditPage {
            entries: rows.into_iter().map(record).collect(),
            next_before,
            actions: db.audit_actions()?,
        })
    }

    /// Every matching entry as CSV (oldest last, like the list), and the row count.
    pub fn audit_csv(&self, filter: &AuditFilter) -> Result<(String, u64)> {
        let rows = self
            .workspace
            .connect()?
            .query_audit(&self.scoped_audit_query(filter)?)?;
        let mut csv = String::from("time,operator,action,object,before,after\r\n");
        for row in &rows {
            let cells = [
                row.at.rfc3339(),
                row.operator.clone(),
                row.action.clone(),
                row.object.clone(),
                row.before_json.clone().unwrap_or_default(),
                row.after_json.clone().unwrap_or_default(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            csv.push_str(&line.join(","));
            csv.push_str("\r\n");
        }
        Ok((csv, rows.len() as u64))
    }
}

impl Depot {
    /// How many entries the acting person sees.
    pub(crate) fn audit_count(&self) -> Result<u64> {
        let query = self.scoped_audit_query(&AuditFilter::default())?;
        Ok(self.workspace.connect()?.count_audit(&query)?)
    }

    /// `filter` as a query, narrowed to the entries of the tokens the acting
    /// person sees (`scope`): an account limited by tags sees neither other
    /// tokens' entries nor the workspace-wide ones.
    fn scoped_audit_query(&self, filter: &AuditFilter) -> Result<AuditQuery> {
        let mut query = to_query(filter)?;
        query.tokens = self.scope()?.tokens();
        Ok(query)
    }
}

fn record(row: AuditRow) -> AuditRecord {
    AuditRecord {
        id: row.id,
        at: row.at,
        operator: row.operator,
        origin: row.origin,
        action: row.action,
        object: row.object,
        before: row.before_json,
        after: row.after_json,
    }
}

fn to_query(filter: &AuditFilter) -> Result<AuditQuery> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let date = |field: &'static str,
                v: &Option<String>,
                end_of_day: bool|
     -> Result<Option<UnixSeconds>> {
        let Some(v) = text(v) else { return Ok(None) };
        let at = parse_rfc3339(&v).ok_or_else(|| CoreError::InvalidInput {
            field,
            message: format!("'{v}' is not a date (use YYYY-MM-DD)"),
        })?;
        let whole_day = end_of_day && !v.contains(['T', 't', ' ']);
        Ok(Some(UnixSeconds::new(if whole_day {
            at + 86_399
        } else {
            at
        })))
    };
    Ok(AuditQuery {
        action: text(&filter.action),
        object_contains: text(&filter.object),
        operator: text(&filter.operator),
        from: date("from", &filter.from, false)?,
        to: date("to", &filter.to, true)?,
        before_id: None,
        tokens: None,
        limit: 0,
    })
}

/// Every CSV Depot writes follows one rule (`depot_domain::csv`).
fn csv_cell(value: &str) -> String {
    depot_domain::csv::cell(value)
}

/// How the audit log names a profile: `profile 7 (Sales iPads)`.
pub(crate) fn profile_object(id: ProfileId, name: &str) -> String {
    format!("profile {id} ({name})")
}

/// How the audit log names a token: `token 3 (Sales-East)`.
pub(crate) fn token_object(id: depot_domain::TokenId, server_name: &str) -> String {
    format!("token {id} ({server_name})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell(r#"{"a":"b"}"#), r#""{""a"":""b""}""#);
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    #[test]
    fn a_date_as_to_covers_the_whole_day() {
        let q = to_query(&AuditFilter {
            from: Some("2026-11-26".into()),
            to: Some("2026-11-26".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.to.unwrap() - q.from.unwrap(), 86_399);
        assert!(
            to_query(&AuditFilter {
                from: Some("last week".into()),
                ..Default::default()
            })
            .is_err()
        );
    }
}
