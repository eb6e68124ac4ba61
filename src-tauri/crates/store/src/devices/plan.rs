//! A device query turned into SQL: its filters, search terms and which index
//! drives a page.

use std::collections::HashMap;

use rusqlite::params;
use rusqlite::types::{Value, ValueRef};

use crate::{Db, Result};

use super::types::*;

/// How a page query uses its filters. A filter that an index serves and
/// that matches fewer rows than this drives the page: its rows are read
/// through that index and sorted. Otherwise the sort index is read in order
/// and the filters only test its rows, so a page costs about
/// `limit / selectivity` rows. When no indexed filter is that narrow but one
/// no index serves is (a rare family, a rare model word), one table scan
/// collects its few rows, which are then read by rowid and sorted: cheaper
/// than testing every entry of the sort index. Each "fewer than" is a query
/// that stops at this bound.
pub(crate) const DRIVING_ROWS: i64 = 2_000;

/// Vocabulary values a word may match per column before the search falls
/// back to `LIKE` on that column.
pub(super) const MAX_VALUES: usize = 200;

/// What a page query may do with a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Access {
    /// Used as written, whatever it matches.
    AsWritten,
    /// An index serves it: it drives the page when it matches few rows; when
    /// it does not, `unindexed` (the same test with unary `+` on the columns)
    /// keeps the planner on the sort index.
    Indexed { unindexed: String },
    /// No index serves it: when it matches few rows (and no indexed filter
    /// does), those rows drive the page.
    Unindexed,
}

/// One WHERE condition with its positional parameters.
pub(super) struct Filter {
    /// The facet it belongs to, if any (facets ignore their own filter).
    pub(super) dim: Option<Dim>,
    pub(super) sql: String,
    pub(super) params: Vec<Value>,
    pub(super) access: Access,
    /// Whether it matches fewer than [`DRIVING_ROWS`] rows, when known.
    pub(super) few: Option<bool>,
}

impl Filter {
    pub(super) fn new(sql: impl Into<String>, params: impl IntoIterator<Item = Value>) -> Self {
        Self {
            dim: None,
            sql: sql.into(),
            params: params.into_iter().collect(),
            access: Access::AsWritten,
            few: None,
        }
    }

    pub(super) fn dim(mut self, dim: Dim) -> Self {
        self.dim = Some(dim);
        self
    }

    pub(super) fn indexed(mut self, unindexed: impl Into<String>) -> Self {
        self.access = Access::Indexed {
            unindexed: unindexed.into(),
        };
        self
    }

    pub(super) fn unindexed(mut self) -> Self {
        self.access = Access::Unindexed;
        self
    }

    pub(super) fn few(mut self, few: bool) -> Self {
        self.few = Some(few);
        self
    }
}

/// `column IN (?, ...)` (or `=` for one value), prefixed with `prefix`.
pub(super) fn any_of(column: &str, prefix: &str, count: usize) -> String {
    if count == 1 {
        format!("{prefix}{column} = ?")
    } else {
        format!("{prefix}{column} IN ({})", marks(count))
    }
}

pub(super) fn marks(count: usize) -> String {
    vec!["?"; count].join(", ")
}

pub(super) fn texts(values: &[String]) -> Vec<Value> {
    values.iter().map(|v| Value::Text(v.clone())).collect()
}

/// The filters that are facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dim {
    Token,
    Status,
    Family,
    Model,
    Profile,
    LastResult,
}

/// A word of the text search.
pub(super) enum Term {
    /// 3+ characters: in the serial or asset tag (the trigram index, an
    /// FTS5 phrase), or in one of `values` of model, description, color or
    /// OS; `LIKE` for columns with more than [`MAX_VALUES`] matching values.
    Indexed {
        phrase: String,
        /// Whether the trigram index finds fewer than [`DRIVING_ROWS`] rows.
        indexed_few: bool,
        values: Vec<(&'static str, Vec<String>)>,
        like: Vec<&'static str>,
        pattern: String,
        /// Devices with an identifier (IMEI, MEID, EID, MAC) starting with
        /// the word, when it looks like one and any does.
        identifiers: Option<IdentifierMatch>,
    },
    /// 1–2 characters: too short for trigrams; `LIKE` over the six columns.
    Short { pattern: String },
}

/// Devices whose identifier key starts with a search word (migration 0009).
pub(super) enum IdentifierMatch {
    /// Fewer than [`DRIVING_ROWS`]: their rowids.
    Few(Vec<i64>),
    /// More: the key range [from, to), tested through the table.
    Many { from: String, to: String },
}

impl IdentifierMatch {
    /// Looks `word` up when it could be (the start of) an identifier.
    pub(super) fn find(db: &Db, word: &str) -> Result<Option<Self>> {
        let Some(from) = depot_domain::device::identifier_search_key(word) else {
            return Ok(None);
        };
        let to = format!("{from}\u{10FFFF}");
        let rows = db
            .conn
            .prepare_cached(&format!(
                "SELECT device FROM device_identifiers WHERE value >= ?1 AND value < ?2
                  LIMIT {DRIVING_ROWS}"
            ))?
            .query_map(params![from, to], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(match rows.len() {
            0 => None,
            n if n < DRIVING_ROWS as usize => Some(Self::Few(rows)),
            _ => Some(Self::Many { from, to }),
        })
    }

    /// The condition on `d` and its parameters; `plus` keeps indexes out.
    pub(super) fn condition(&self, plus: &str) -> (String, Vec<Value>) {
        match self {
            Self::Few(rows) => {
                let list: Vec<String> = rows.iter().map(i64::to_string).collect();
                (
                    format!("{plus}d.rowid IN (SELECT value FROM json_each(?))"),
                    vec![Value::Text(format!("[{}]", list.join(",")))],
                )
            }
            Self::Many { from, to } => (
                format!(
                    "{plus}d.rowid IN (SELECT device FROM device_identifiers
                                        WHERE value >= ? AND value < ?)"
                ),
                vec![Value::Text(from.clone()), Value::Text(to.clone())],
            ),
        }
    }
}

/// A query resolved against the workspace (scope tag to tokens, words to the
/// search index and vocabulary) and turned into SQL.
pub(super) struct Plan<'q> {
    pub(super) query: &'q DeviceQuery,
    /// Tokens carrying the scope tag, if the query has one.
    pub(super) scope_tokens: Option<Vec<i64>>,
    pub(super) terms: Vec<Term>,
    /// Serial range [from, to).
    pub(super) prefix: Option<(String, String)>,
}

pub(super) const SEARCH_FIELDS: [&str; 4] = ["model", "description", "color", "os"];

impl<'q> Plan<'q> {
    pub(super) fn new(db: &Db, query: &'q DeviceQuery) -> Result<Self> {
        let mut scope_tokens = match &query.scope_tag {
            Some(tag) => {
                let mut stmt = db.conn.prepare_cached(
                    "SELECT t.id FROM tokens t
                      WHERE EXISTS (SELECT 1 FROM json_each(t.scope_tags) j WHERE j.value = ?1)
                      ORDER BY t.id",
                )?;
                let ids = stmt
                    .query_map([tag], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()?;
                Some(ids)
            }
            None => None,
        };
        // The acting person's scope narrows the tag's tokens (or stands
        // alone), through the same token filter.
        if let Some(within) = &query.within {
            let mut ids: Vec<i64> = within.iter().map(|t| t.get()).collect();
            if let Some(tagged) = &scope_tokens {
                ids.retain(|id| tagged.contains(id));
            }
            ids.sort_unstable();
            ids.dedup();
            scope_tokens = Some(ids);
        }
        let mut terms = Vec::new();
        for word in query.text.as_deref().unwrap_or("").split_whitespace() {
            let pattern = format!("%{}%", escape_like(word));
            if word.chars().count() < 3 {
                terms.push(Term::Short { pattern });
                continue;
            }
            let phrase = format!("\"{}\"", word.replace('"', "\"\""));
            let indexed: i64 = db
                .conn
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM device_search
                                            WHERE device_search MATCH ?1 LIMIT {DRIVING_ROWS})"
                ))?
                .query_row([&phrase], |r| r.get(0))?;
            let mut stmt = db.conn.prepare_cached(
                "SELECT field, value FROM device_values WHERE value LIKE ?1 ESCAPE '\\'
                  ORDER BY field, value",
            )?;
            let mut found: HashMap<String, Vec<String>> = HashMap::new();
            for row in stmt.query_map([&pattern], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })? {
                let (field, value) = row?;
                found.entry(field).or_default().push(value);
            }
            let mut values = Vec::new();
            let mut like = Vec::new();
            for field in SEARCH_FIELDS {
                match found.remove(field) {
                    Some(list) if list.len() > MAX_VALUES => like.push(field),
                    Some(list) => values.push((field, list)),
                    None => {}
                }
            }
            terms.push(Term::Indexed {
                phrase,
                indexed_few: indexed < DRIVING_ROWS,
                values,
                like,
                pattern,
                identifiers: IdentifierMatch::find(db, word)?,
            });
        }
        let prefix = query
            .serial_prefix
            .as_deref()
            .map(|p| p.trim().to_ascii_uppercase())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let to = format!("{p}\u{10FFFF}");
                (p, to)
            });
        Ok(Self {
            query,
            scope_tokens,
            terms,
            prefix,
        })
    }

    /// The one token every row belongs to, when the filters fix it: the sort
    /// then needs no token tie-breaker.
    pub(super) fn fixed_token(&self) -> Option<i64> {
        if let Some(token) = self.query.token {
            return Some(token.get());
        }
        match self.scope_tokens.as_deref() {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    /// Every condition of the query, facets tagged with their dimension.
    pub(super) fn filters(&self) -> Vec<Filter> {
        let q = self.query;
        let serial_sort = q.sort == DeviceSort::Serial;
        let mut out = Vec::new();
        if !q.include_removed {
            out.push(Filter::new("d.removed_at IS NULL", []));
        }
        // A single token's serial order is its primary key (token_id, serial).
        let token_filter = |id: i64| {
            let filter = Filter::new("d.token_id = ?", [Value::Integer(id)]);
            if serial_sort {
                filter
            } else {
                filter.indexed("+d.token_id = ?")
            }
        };
        match self.scope_tokens.as_deref() {
            None => {}
            Some([]) => out.push(Filter::new("0", [])),
            Some([only]) => out.push(token_filter(*only)),
            Some(ids) => out.push(
                Filter::new(
                    format!("+d.token_id IN ({})", marks(ids.len())),
                    ids.iter().map(|id| Value::Integer(*id)),
                )
                .unindexed(),
            ),
        }
        if let Some(name) = &q.enrollment_profile_name {
            let uuids = "IN (SELECT v.apple_uuid FROM profile_versions v
                              JOIN profiles p ON p.id = v.profile_id
                             WHERE p.name = ? COLLATE NOCASE AND v.apple_uuid IS NOT NULL)";
            out.push(
                Filter::new(
                    format!("d.profile_uuid {uuids}"),
                    [Value::Text(name.clone())],
                )
                .indexed(format!("+d.profile_uuid {uuids}")),
            );
        }
        if let Some((from, to)) = &self.prefix {
            let range = Filter::new(
                "d.serial >= ? AND d.serial < ?",
                [Value::Text(from.clone()), Value::Text(to.clone())],
            );
            // The serial sort reads this range of its own index.
            out.push(if serial_sort {
                range
            } else {
                range.indexed("+d.serial >= ? AND +d.serial < ?")
            });
        }
        for term in &self.terms {
            out.push(term_filter(term));
        }
        if let Some(token) = q.token {
            out.push(token_filter(token.get()).dim(Dim::Token));
        }
        if !q.statuses.is_empty() {
            out.push(
                Filter::new(
                    any_of("d.profile_status", "", q.statuses.len()),
                    q.statuses
                        .iter()
                        .map(|s| Value::Text(s.as_str().to_owned()))
                        .collect::<Vec<_>>(),
                )
                .indexed(any_of("d.profile_status", "+", q.statuses.len()))
                .dim(Dim::Status),
            );
        }
        if !q.families.is_empty() {
            let filter = Filter::new(any_of("d.family", "", q.families.len()), texts(&q.families))
                .dim(Dim::Family);
            // One family sorted by model: (family, model, serial, token_id)
            // is both the filter and the order, however many rows match.
            let serves_order = q.families.len() == 1 && q.sort == DeviceSort::Model;
            out.push(if serves_order {
                filter
            } else {
                filter.indexed(any_of("d.family", "+", q.families.len()))
            });
        }
        if !q.models.is_empty() {
            out.push(
                Filter::new(any_of("d.model", "", q.models.len()), texts(&q.models))
                    .indexed(any_of("d.model", "+", q.models.len()))
                    .dim(Dim::Model),
            );
        }
        match q.profile {
            None => {}
            Some(ProfileFilter::Profile(id)) => {
                let uuids = "IN (SELECT apple_uuid FROM profile_versions
                                  WHERE profile_id = ? AND apple_uuid IS NOT NULL)";
                out.push(
                    Filter::new(
                        format!("d.profile_uuid {uuids}"),
                        [Value::Integer(id.get())],
                    )
                    .indexed(format!("+d.profile_uuid {uuids}"))
                    .dim(Dim::Profile),
                );
            }
            Some(ProfileFilter::NoDepotProfile) => out.push(
                Filter::new(
                    "(d.profile_uuid IS NULL OR d.profile_uuid NOT IN
                       (SELECT apple_uuid FROM profile_versions WHERE apple_uuid IS NOT NULL))",
                    [],
                )
                .unindexed()
                .dim(Dim::Profile),
            ),
        }
        match q.last_result.as_deref() {
            None => {}
            Some(LAST_RESULT_NONE) => {
                out.push(
                    Filter::new("d.last_run_id IS NULL", [])
                        .unindexed()
                        .dim(Dim::LastResult),
                );
            }
            Some(LAST_RESULT_PENDING) => out.push(
                Filter::new("d.last_run_id IS NOT NULL AND d.last_outcome IS NULL", [])
                    .indexed("d.last_run_id IS NOT NULL AND +d.last_outcome IS NULL")
                    .dim(Dim::LastResult),
            ),
            Some(outcome) => out.push(
                Filter::new(
                    "d.last_run_id IS NOT NULL AND d.last_outcome = ?",
                    [Value::Text(outcome.to_owned())],
                )
                .indexed("d.last_run_id IS NOT NULL AND +d.last_outcome = ?")
                .dim(Dim::LastResult),
            ),
        }
        out
    }

    /// The sort column before (serial, token_id), if any.
    pub(super) fn sort_key(&self) -> Option<&'static str> {
        match self.query.sort {
            DeviceSort::Serial => None,
            DeviceSort::Model => Some("d.model"),
            DeviceSort::Status => Some("d.profile_status"),
            // coalesce(assigned_at, 0), a generated column with its index.
            DeviceSort::AssignedDate => Some("d.assigned_sort"),
        }
    }

    /// The ordered columns: sort key, serial, token (unless fixed).
    pub(super) fn order_columns(&self) -> Vec<&'static str> {
        let mut columns: Vec<&'static str> = self.sort_key().into_iter().collect();
        columns.push("d.serial");
        if self.fixed_token().is_none() {
            columns.push("d.token_id");
        }
        columns
    }

    pub(super) fn order_by(&self) -> String {
        let direction = if self.query.descending { "DESC" } else { "ASC" };
        self.order_columns()
            .iter()
            .map(|c| format!("{c} {direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Rows strictly after `cursor` in the query's order.
    pub(super) fn after(&self, cursor: &DeviceCursor) -> (String, Vec<Value>) {
        let columns = self.order_columns();
        let mut values = Vec::with_capacity(3);
        if self.sort_key().is_some() {
            values.push(match &cursor.value {
                SortValue::Text(text) => Value::Text(text.clone()),
                SortValue::Int(n) => Value::Integer(*n),
            });
        }
        values.push(Value::Text(cursor.serial.clone()));
        if self.fixed_token().is_none() {
            values.push(Value::Integer(cursor.token_id.get()));
        }
        let op = if self.query.descending { "<" } else { ">" };
        let sql = if columns.len() == 1 {
            format!("{} {op} ?", columns[0])
        } else {
            format!("({}) {op} ({})", columns.join(", "), marks(values.len()))
        };
        (sql, values)
    }

    /// The WHERE clause and parameters of a count or facet query: every
    /// filter (without the facets' when `skip_facets`) as written, so that
    /// indexes serve them.
    pub(super) fn where_clause(&self, skip_facets: bool) -> (String, Vec<Value>) {
        let filters: Vec<Filter> = self
            .filters()
            .into_iter()
            .filter(|f| !(skip_facets && f.dim.is_some()))
            .collect();
        join(filters.iter().map(|f| (f.sql.as_str(), &f.params)))
    }

    /// A page (or export) query; see [`DRIVING_ROWS`] for how it reads.
    pub(super) fn select(
        &self,
        db: &Db,
        cursor: Option<&DeviceCursor>,
        limit: Option<u32>,
    ) -> Result<(String, Vec<Value>)> {
        let mut filters = self.filters();
        let mut driving = false;
        for filter in &mut filters {
            if let Access::Indexed { .. } = filter.access {
                let few = match filter.few {
                    Some(few) => few,
                    None => db.matches_few(&filter.sql, &filter.params)?,
                };
                filter.few = Some(few);
                driving |= few;
            }
        }
        // No index narrows the page: a filter no index serves may still match
        // few rows. Its rows (found by one table scan) then drive the page.
        let mut rows: Option<Vec<i64>> = None;
        if !driving {
            for filter in &filters {
                if filter.access == Access::Unindexed && filter.few != Some(false) {
                    rows = db.few_rows(&filter.sql, &filter.params)?;
                    if rows.is_some() {
                        break;
                    }
                }
            }
        }
        let mut chosen: Vec<(String, Vec<Value>)> = filters
            .into_iter()
            .map(|f| match f.access {
                Access::Indexed { unindexed } if f.few == Some(false) => (unindexed, f.params),
                _ => (f.sql, f.params),
            })
            .collect();
        if let Some(rows) = rows {
            let json = serde_json::to_string(&rows)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            chosen.push((
                "d.rowid IN (SELECT value FROM json_each(?))".to_owned(),
                vec![Value::Text(json)],
            ));
        }
        if let Some(cursor) = cursor {
            chosen.push(self.after(cursor));
        }
        let (clause, mut params) = join(chosen.iter().map(|(s, p)| (s.as_str(), p)));
        let mut sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d WHERE {clause} ORDER BY {}",
            self.order_by()
        );
        if let Some(limit) = limit {
            sql.push_str(" LIMIT ?");
            params.push(Value::Integer(i64::from(limit)));
        }
        Ok((sql, params))
    }
}

/// The condition for one word of the text search.
pub(super) fn term_filter(term: &Term) -> Filter {
    const SEARCH: &str =
        "IN (SELECT token_id, serial FROM device_search WHERE device_search MATCH ?)";
    match term {
        Term::Short { pattern } => {
            let like = ["serial", "model", "description", "color", "asset_tag", "os"]
                .map(|c| format!("d.{c} LIKE ? ESCAPE '\\'"))
                .join(" OR ");
            Filter::new(
                format!("({like})"),
                std::iter::repeat_n(Value::Text(pattern.clone()), 6),
            )
            .unindexed()
        }
        Term::Indexed {
            phrase,
            indexed_few,
            values,
            like,
            pattern,
            identifiers,
        } => {
            // In the serial or asset tag: through the trigram index when it
            // finds few rows; a broad word is cheaper to test on each row.
            // Or the start of an identifier (IMEI, MEID, EID, MAC).
            let (mut parts, mut params) = if *indexed_few {
                (
                    vec![format!("(d.token_id, d.serial) {SEARCH}")],
                    vec![Value::Text(phrase.clone())],
                )
            } else {
                (
                    vec![
                        "d.serial LIKE ? ESCAPE '\\'".to_owned(),
                        "d.asset_tag LIKE ? ESCAPE '\\'".to_owned(),
                    ],
                    vec![Value::Text(pattern.clone()), Value::Text(pattern.clone())],
                )
            };
            let few_identifiers = !matches!(identifiers, Some(IdentifierMatch::Many { .. }));
            let mut unindexed = vec![format!("(+d.token_id, +d.serial) {SEARCH}")];
            if let Some(found) = identifiers {
                let (sql, values) = found.condition("");
                parts.push(sql);
                params.extend(values);
                unindexed.push(found.condition("+").0);
            }
            if values.is_empty() && like.is_empty() {
                let filter = Filter::new(format!("({})", parts.join(" OR ")), params);
                return if *indexed_few && few_identifiers {
                    filter
                        .indexed(format!("({})", unindexed.join(" OR ")))
                        .few(true)
                } else {
                    filter.few(false)
                };
            }
            for (field, list) in values {
                parts.push(any_of(&format!("d.{field}"), "+", list.len()));
                params.extend(texts(list));
            }
            for field in like {
                parts.push(format!("d.{field} LIKE ? ESCAPE '\\'"));
                params.push(Value::Text(pattern.clone()));
            }
            Filter::new(format!("({})", parts.join(" OR ")), params).unindexed()
        }
    }
}

pub(super) fn join<'a>(
    parts: impl Iterator<Item = (&'a str, &'a Vec<Value>)>,
) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    for (sql, values) in parts {
        clauses.push(sql);
        params.extend(values.iter().cloned());
    }
    let clause = if clauses.is_empty() {
        "1".to_owned()
    } else {
        clauses.join(" AND ")
    };
    (clause, params)
}

/// `LIKE` with `\` as escape character.
pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Adds one to `key`'s count without allocating when the key is known.
pub(super) fn bump(counts: &mut HashMap<String, u64>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n += 1;
    } else {
        counts.insert(key.to_owned(), 1);
    }
}

pub(super) fn text_of<'a>(value: ValueRef<'a>) -> &'a str {
    match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).unwrap_or(""),
        _ => "",
    }
}

pub(super) fn sorted_counts(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}
