//! The device list (DEV-1): filters, search, sorts with keyset pagination,
//! counts and facets; its CSV export (DEV-7); the assignment preview's serial
//! classification (DEV-2) and deleting devices from Depot (DEV-5).
//!
//! Pages never use OFFSET: a [`DeviceCursor`] carries the last row's sort value,
//! serial and token, and the next page starts strictly after it. Every sort
//! ends with (serial, token_id), so the order is total and a walk from the
//! first page to the last returns every matching row exactly once. Each sort
//! has an index (migration 0005), so a page reads about `limit` index entries
//! however deep it is; a filter that matches few devices reads those instead
//! (see [`DRIVING_ROWS`]).
//!
//! Free text: every word (any case) must appear in the serial, model,
//! description, color, asset tag or OS. Words of 3+ characters use the
//! trigram index `device_search` (serial, asset tag) and the distinct values
//! in `device_values` (the other four columns); shorter words use `LIKE`.
//! The Depot profile of a device is found through its `profile_uuid`: the
//! device is on Depot profile P when that uuid is Apple's uuid of any version
//! of P.

use std::collections::HashMap;

use depot_domain::TokenId;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use crate::{Db, Result};

/// `DeviceQuery::last_result` value: devices never sent in an assignment run.
pub const LAST_RESULT_NONE: &str = "NONE";
/// `DeviceQuery::last_result` value: devices whose newest run has not answered
/// for them yet.
pub const LAST_RESULT_PENDING: &str = "PENDING";

/// Models listed in [`DeviceFacets::models`] (the most frequent ones).
pub const MODEL_FACET_LIMIT: usize = 50;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DeviceSort {
    #[default]
    Serial,
    Model,
    /// Apple's date the device was assigned to the MDM server (`assigned_at`);
    /// devices without one come first ascending, last descending.
    AssignedDate,
    /// Profile status (`empty`, `assigned`, `pushed`, `removed`, ...).
    Status,
}

/// Which Depot profile a device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileFilter {
    /// Any version of this Depot profile.
    Profile(i64),
    /// No profile, or a profile that is not one of Depot's (another tool's).
    NoDepotProfile,
}

/// What the device list shows. Every set field narrows the list; empty lists
/// and `None` do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    pub token: Option<TokenId>,
    /// Profile statuses (any of).
    pub statuses: Vec<String>,
    pub profile: Option<ProfileFilter>,
    /// Device families (any of), as stored (`iPad`, `Mac`, ...).
    pub families: Vec<String>,
    /// Models (any of), exactly as stored.
    pub models: Vec<String>,
    /// Devices of tokens carrying this scope tag.
    pub scope_tag: Option<String>,
    /// Name of the Depot profile the device holds, any case (PRO-17).
    pub enrollment_profile_name: Option<String>,
    /// The outcome of the device's newest assignment (`SUCCESS`,
    /// `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`), or [`LAST_RESULT_PENDING`] or
    /// [`LAST_RESULT_NONE`].
    pub last_result: Option<String>,
    /// Serials starting with this (any case).
    pub serial_prefix: Option<String>,
    /// Words that must each appear (any case) in the serial, model,
    /// description, color, asset tag or OS.
    pub text: Option<String>,
    /// Also devices Apple no longer lists for their token.
    pub include_removed: bool,
    pub sort: DeviceSort,
    pub descending: bool,
}

/// The value a sort orders by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    Text(String),
    Int(i64),
}

/// Where the next page starts: strictly after this row in the query's order.
/// Build it with [`DeviceCursor::after`] from the last row of a page, with the
/// same sort as the query it is used with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceCursor {
    pub value: SortValue,
    pub token_id: TokenId,
    pub serial: String,
}

impl DeviceCursor {
    pub fn after(row: &DeviceListRow, sort: DeviceSort) -> Self {
        let value = match sort {
            DeviceSort::Serial => SortValue::Text(row.serial.clone()),
            DeviceSort::Model => SortValue::Text(row.model.clone()),
            DeviceSort::Status => SortValue::Text(row.profile_status.clone()),
            DeviceSort::AssignedDate => SortValue::Int(row.assigned_at.unwrap_or(0)),
        };
        Self {
            value,
            token_id: row.token_id,
            serial: row.serial.clone(),
        }
    }
}

/// A Depot profile version a device holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepotProfileRef {
    pub id: i64,
    pub name: String,
    /// The version whose Apple uuid the device holds (maybe not the current).
    pub version: i64,
}

/// The device's newest row in an assignment run of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastResult {
    pub run_id: i64,
    /// `None` while the run has not sent the serial yet.
    pub outcome: Option<String>,
    pub at: Option<i64>,
}

/// One device row of the list (and of the export and device detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListRow {
    pub token_id: TokenId,
    pub token_name: String,
    pub serial: String,
    pub model: String,
    pub description: String,
    pub color: String,
    pub asset_tag: Option<String>,
    pub os: Option<String>,
    pub family: String,
    pub profile_status: String,
    pub profile_uuid: Option<String>,
    pub depot_profile: Option<DepotProfileRef>,
    pub profile_assign_time: Option<i64>,
    pub profile_push_time: Option<i64>,
    /// Apple's date (and who) the device was assigned to the MDM server.
    pub assigned_at: Option<i64>,
    pub assigned_by: Option<String>,
    /// Set when Apple no longer lists the device for the token.
    pub removed_at: Option<i64>,
    pub last_result: Option<LastResult>,
}

/// A count of matching devices per value of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFacet {
    /// `None`: no Depot profile.
    pub profile_id: Option<i64>,
    pub name: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacet {
    pub token_id: TokenId,
    pub token_name: String,
    pub count: u64,
}

/// Counts for the filter panel, each sorted by count (largest first), then
/// value. Faceted-search rule: each facet counts the devices matching every
/// filter of the query except its own (the status facet ignores `statuses`,
/// the token facet ignores `token`, the profile facet ignores `profile`, ...),
/// so the panel shows what choosing another value would give. Filters that
/// are no facet (scope tag, enrollment profile name, serial prefix, text,
/// removed devices) always apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFacets {
    pub statuses: Vec<FacetCount>,
    pub families: Vec<FacetCount>,
    /// The [`MODEL_FACET_LIMIT`] most frequent models, plus any model the
    /// query filters on.
    pub models: Vec<FacetCount>,
    pub profiles: Vec<ProfileFacet>,
    /// Keys: outcomes, [`LAST_RESULT_PENDING`], [`LAST_RESULT_NONE`].
    pub last_results: Vec<FacetCount>,
    pub tokens: Vec<TokenFacet>,
}

/// Where a pasted serial stands, for the assignment preview (DEV-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialPlacement {
    /// Listed by Apple for the token the preview is for.
    OnToken {
        profile_uuid: Option<String>,
        profile_status: String,
        depot_profile: Option<DepotProfileRef>,
        /// Apple's device family (`iPad`, `Mac`, …), for the platform guards.
        family: String,
    },
    /// Listed for another token (the most recently updated one if several).
    OnOtherToken {
        token_id: TokenId,
        token_name: String,
    },
    /// Known to Depot only as removed (no token lists it any more).
    RemovedOnly,
    /// Never seen by Depot.
    Unknown,
}

const DEVICE_COLUMNS: &str = "d.token_id, d.serial, d.model, d.description, d.color, \
     d.asset_tag, d.os, d.family, d.profile_status, d.profile_uuid, d.profile_assign_time, \
     d.profile_push_time, d.assigned_at, d.assigned_by, d.removed_at, d.last_run_id, \
     d.last_outcome, d.last_outcome_at";

/// Token names and Depot profiles by Apple uuid: small, read once per call so
/// that device queries touch only the devices table and keep its index order.
struct Lookups {
    tokens: HashMap<i64, String>,
    profiles: HashMap<String, DepotProfileRef>,
}

impl Lookups {
    fn row(&self, r: &Row<'_>) -> rusqlite::Result<DeviceListRow> {
        let token: i64 = r.get(0)?;
        let profile_uuid: Option<String> = r.get(9)?;
        let last_run: Option<i64> = r.get(15)?;
        Ok(DeviceListRow {
            token_id: TokenId::new(token),
            token_name: self.tokens.get(&token).cloned().unwrap_or_default(),
            serial: r.get(1)?,
            model: r.get(2)?,
            description: r.get(3)?,
            color: r.get(4)?,
            asset_tag: r.get(5)?,
            os: r.get(6)?,
            family: r.get(7)?,
            profile_status: r.get(8)?,
            depot_profile: profile_uuid
                .as_deref()
                .and_then(|uuid| self.profiles.get(uuid))
                .cloned(),
            profile_uuid,
            profile_assign_time: r.get(10)?,
            profile_push_time: r.get(11)?,
            assigned_at: r.get(12)?,
            assigned_by: r.get(13)?,
            removed_at: r.get(14)?,
            last_result: match last_run {
                Some(run_id) => Some(LastResult {
                    run_id,
                    outcome: r.get(16)?,
                    at: r.get(17)?,
                }),
                None => None,
            },
        })
    }
}

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
const MAX_VALUES: usize = 200;

/// What a page query may do with a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Access {
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
struct Filter {
    /// The facet it belongs to, if any (facets ignore their own filter).
    dim: Option<Dim>,
    sql: String,
    params: Vec<Value>,
    access: Access,
    /// Whether it matches fewer than [`DRIVING_ROWS`] rows, when known.
    few: Option<bool>,
}

impl Filter {
    fn new(sql: impl Into<String>, params: impl IntoIterator<Item = Value>) -> Self {
        Self {
            dim: None,
            sql: sql.into(),
            params: params.into_iter().collect(),
            access: Access::AsWritten,
            few: None,
        }
    }

    fn dim(mut self, dim: Dim) -> Self {
        self.dim = Some(dim);
        self
    }

    fn indexed(mut self, unindexed: impl Into<String>) -> Self {
        self.access = Access::Indexed {
            unindexed: unindexed.into(),
        };
        self
    }

    fn unindexed(mut self) -> Self {
        self.access = Access::Unindexed;
        self
    }

    fn few(mut self, few: bool) -> Self {
        self.few = Some(few);
        self
    }
}

/// `column IN (?, ...)` (or `=` for one value), prefixed with `prefix`.
fn any_of(column: &str, prefix: &str, count: usize) -> String {
    if count == 1 {
        format!("{prefix}{column} = ?")
    } else {
        format!("{prefix}{column} IN ({})", marks(count))
    }
}

fn marks(count: usize) -> String {
    vec!["?"; count].join(", ")
}

fn texts(values: &[String]) -> Vec<Value> {
    values.iter().map(|v| Value::Text(v.clone())).collect()
}

/// The filters that are facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Token,
    Status,
    Family,
    Model,
    Profile,
    LastResult,
}

/// A word of the text search.
enum Term {
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
enum IdentifierMatch {
    /// Fewer than [`DRIVING_ROWS`]: their rowids.
    Few(Vec<i64>),
    /// More: the key range [from, to), tested through the table.
    Many { from: String, to: String },
}

impl IdentifierMatch {
    /// Looks `word` up when it could be (the start of) an identifier.
    fn find(db: &Db, word: &str) -> Result<Option<Self>> {
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
    fn condition(&self, plus: &str) -> (String, Vec<Value>) {
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
struct Plan<'q> {
    query: &'q DeviceQuery,
    /// Tokens carrying the scope tag, if the query has one.
    scope_tokens: Option<Vec<i64>>,
    terms: Vec<Term>,
    /// Serial range [from, to).
    prefix: Option<(String, String)>,
}

const SEARCH_FIELDS: [&str; 4] = ["model", "description", "color", "os"];

impl<'q> Plan<'q> {
    fn new(db: &Db, query: &'q DeviceQuery) -> Result<Self> {
        let scope_tokens = match &query.scope_tag {
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
    fn fixed_token(&self) -> Option<i64> {
        if let Some(token) = self.query.token {
            return Some(token.get());
        }
        match self.scope_tokens.as_deref() {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    /// Every condition of the query, facets tagged with their dimension.
    fn filters(&self) -> Vec<Filter> {
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
                    texts(&q.statuses),
                )
                .indexed(any_of("d.profile_status", "+", q.statuses.len()))
                .dim(Dim::Status),
            );
        }
        if !q.families.is_empty() {
            out.push(
                Filter::new(any_of("d.family", "", q.families.len()), texts(&q.families))
                    .unindexed()
                    .dim(Dim::Family),
            );
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
                    Filter::new(format!("d.profile_uuid {uuids}"), [Value::Integer(id)])
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
    fn sort_key(&self) -> Option<&'static str> {
        match self.query.sort {
            DeviceSort::Serial => None,
            DeviceSort::Model => Some("d.model"),
            DeviceSort::Status => Some("d.profile_status"),
            // coalesce(assigned_at, 0), a generated column with its index.
            DeviceSort::AssignedDate => Some("d.assigned_sort"),
        }
    }

    /// The ordered columns: sort key, serial, token (unless fixed).
    fn order_columns(&self) -> Vec<&'static str> {
        let mut columns: Vec<&'static str> = self.sort_key().into_iter().collect();
        columns.push("d.serial");
        if self.fixed_token().is_none() {
            columns.push("d.token_id");
        }
        columns
    }

    fn order_by(&self) -> String {
        let direction = if self.query.descending { "DESC" } else { "ASC" };
        self.order_columns()
            .iter()
            .map(|c| format!("{c} {direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Rows strictly after `cursor` in the query's order.
    fn after(&self, cursor: &DeviceCursor) -> (String, Vec<Value>) {
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
    fn where_clause(&self, skip_facets: bool) -> (String, Vec<Value>) {
        let filters: Vec<Filter> = self
            .filters()
            .into_iter()
            .filter(|f| !(skip_facets && f.dim.is_some()))
            .collect();
        join(filters.iter().map(|f| (f.sql.as_str(), &f.params)))
    }

    /// A page (or export) query; see [`DRIVING_ROWS`] for how it reads.
    fn select(
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
fn term_filter(term: &Term) -> Filter {
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

fn join<'a>(parts: impl Iterator<Item = (&'a str, &'a Vec<Value>)>) -> (String, Vec<Value>) {
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
fn escape_like(text: &str) -> String {
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
fn bump(counts: &mut HashMap<String, u64>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n += 1;
    } else {
        counts.insert(key.to_owned(), 1);
    }
}

fn text_of<'a>(value: ValueRef<'a>) -> &'a str {
    match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).unwrap_or(""),
        _ => "",
    }
}

fn sorted_counts(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

impl Db {
    /// Whether fewer than [`DRIVING_ROWS`] devices satisfy `condition`.
    fn matches_few(&self, condition: &str, params: &[Value]) -> Result<bool> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM devices d WHERE {condition} LIMIT {DRIVING_ROWS})"
        );
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n < DRIVING_ROWS)
    }

    /// The rowids of the devices satisfying `condition`, if fewer than
    /// [`DRIVING_ROWS`].
    fn few_rows(&self, condition: &str, params: &[Value]) -> Result<Option<Vec<i64>>> {
        let sql = format!("SELECT d.rowid FROM devices d WHERE {condition} LIMIT {DRIVING_ROWS}");
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok((rows.len() < DRIVING_ROWS as usize).then_some(rows))
    }

    /// Runs `read` in one read transaction (a savepoint, so it also works
    /// inside a caller's transaction): the queries that plan a page and the
    /// page itself see the same data.
    fn snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        self.conn.execute_batch("SAVEPOINT device_read")?;
        let out = read();
        let end = if out.is_ok() {
            "RELEASE device_read"
        } else {
            "ROLLBACK TO device_read; RELEASE device_read"
        };
        self.conn.execute_batch(end)?;
        out
    }

    fn device_lookups(&self) -> Result<Lookups> {
        let mut tokens = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, server_name FROM tokens")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, name) = row?;
            tokens.insert(id, name);
        }
        let mut profiles = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.apple_uuid, p.id, p.name, v.version
               FROM profile_versions v JOIN profiles p ON p.id = v.profile_id
              WHERE v.apple_uuid IS NOT NULL",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                DepotProfileRef {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    version: r.get(3)?,
                },
            ))
        })? {
            let (uuid, profile) = row?;
            profiles.insert(uuid, profile);
        }
        Ok(Lookups { tokens, profiles })
    }

    /// One page of the device list: at most `limit` rows strictly after
    /// `after` (the cursor of the previous page's last row), in the query's
    /// order.
    pub fn query_devices(
        &self,
        query: &DeviceQuery,
        after: Option<&DeviceCursor>,
        limit: u32,
    ) -> Result<Vec<DeviceListRow>> {
        self.snapshot(|| {
            let lookups = self.device_lookups()?;
            let plan = Plan::new(self, query)?;
            let (sql, params) = plan.select(self, after, Some(limit))?;
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(params_from_iter(params), |r| lookups.row(r))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// SQLite's plan for a page of `query` (EXPLAIN QUERY PLAN, one line per
    /// step): diagnostics for tests and the `device_queries` bench.
    pub fn device_query_plan(
        &self,
        query: &DeviceQuery,
        after: Option<&DeviceCursor>,
    ) -> Result<Vec<String>> {
        let plan = Plan::new(self, query)?;
        let (sql, params) = self.snapshot(|| plan.select(self, after, Some(100)))?;
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let lines = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines)
    }

    /// How many devices match (all filters).
    pub fn count_devices(&self, query: &DeviceQuery) -> Result<u64> {
        let plan = Plan::new(self, query)?;
        let (clause, params) = plan.where_clause(false);
        let text = format!("SELECT COUNT(*) FROM devices d WHERE {clause}");
        let n: i64 = self
            .conn
            .prepare_cached(&text)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// Counts per value of each facet; see [`DeviceFacets`] for the rule.
    /// One pass over the devices matching the non-facet filters.
    pub fn device_facets(&self, query: &DeviceQuery) -> Result<DeviceFacets> {
        let lookups = self.device_lookups()?;
        let plan = Plan::new(self, query)?;
        let (clause, params) = plan.where_clause(true);
        let text = format!(
            "SELECT d.token_id, d.profile_status, d.family, d.model, d.profile_uuid,
                    d.last_run_id, d.last_outcome
               FROM devices d WHERE {clause}"
        );
        let q = query;
        let profile_of = |uuid: &str| lookups.profiles.get(uuid).map(|p| p.id);

        let mut statuses = HashMap::new();
        let mut families = HashMap::new();
        let mut models = HashMap::new();
        let mut last_results = HashMap::new();
        let mut profiles: HashMap<Option<i64>, u64> = HashMap::new();
        let mut tokens: HashMap<i64, u64> = HashMap::new();

        let mut stmt = self.conn.prepare_cached(&text)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let token: i64 = r.get(0)?;
            let status = text_of(r.get_ref(1)?);
            let family = text_of(r.get_ref(2)?);
            let model = text_of(r.get_ref(3)?);
            let profile = match r.get_ref(4)? {
                ValueRef::Text(_) => profile_of(text_of(r.get_ref(4)?)),
                _ => None,
            };
            let last_run: Option<i64> = r.get(5)?;
            let result = match (last_run, r.get_ref(6)?) {
                (None, _) => LAST_RESULT_NONE,
                (Some(_), ValueRef::Text(_)) => text_of(r.get_ref(6)?),
                (Some(_), _) => LAST_RESULT_PENDING,
            };
            // Which facet filters the row fails: counted in a facet only if it
            // fails no other facet's filter.
            let fails = [
                q.token.is_some_and(|t| t.get() != token),
                !q.statuses.is_empty() && !q.statuses.iter().any(|s| s == status),
                !q.families.is_empty() && !q.families.iter().any(|f| f == family),
                !q.models.is_empty() && !q.models.iter().any(|m| m == model),
                match q.profile {
                    None => false,
                    Some(ProfileFilter::Profile(id)) => profile != Some(id),
                    Some(ProfileFilter::NoDepotProfile) => profile.is_some(),
                },
                q.last_result.as_deref().is_some_and(|want| want != result),
            ];
            let failed = fails.iter().filter(|f| **f).count();
            if failed > 1 {
                continue;
            }
            let counts = |dim: usize| failed == 0 || fails[dim];
            if counts(0) {
                *tokens.entry(token).or_default() += 1;
            }
            if counts(1) {
                bump(&mut statuses, status);
            }
            if counts(2) {
                bump(&mut families, family);
            }
            if counts(3) {
                bump(&mut models, model);
            }
            if counts(4) {
                *profiles.entry(profile).or_default() += 1;
            }
            if counts(5) {
                bump(&mut last_results, result);
            }
        }

        let mut model_counts = sorted_counts(models);
        let mut kept: Vec<FacetCount> = Vec::new();
        for (rank, facet) in model_counts.drain(..).enumerate() {
            if rank < MODEL_FACET_LIMIT || q.models.contains(&facet.value) {
                kept.push(facet);
            }
        }
        let names: HashMap<i64, &str> = lookups
            .profiles
            .values()
            .map(|p| (p.id, p.name.as_str()))
            .collect();
        let mut profiles: Vec<ProfileFacet> = profiles
            .into_iter()
            .map(|(id, count)| ProfileFacet {
                profile_id: id,
                name: id.and_then(|id| names.get(&id).map(|n| (*n).to_owned())),
                count,
            })
            .collect();
        profiles.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.profile_id.cmp(&b.profile_id))
        });
        let mut tokens: Vec<TokenFacet> = tokens
            .into_iter()
            .map(|(id, count)| TokenFacet {
                token_id: TokenId::new(id),
                token_name: lookups.tokens.get(&id).cloned().unwrap_or_default(),
                count,
            })
            .collect();
        tokens.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.token_name.cmp(&b.token_name))
                .then_with(|| a.token_id.get().cmp(&b.token_id.get()))
        });
        Ok(DeviceFacets {
            statuses: sorted_counts(statuses),
            families: sorted_counts(families),
            models: kept,
            profiles,
            last_results: sorted_counts(last_results),
            tokens,
        })
    }

    /// Every matching row in the query's order, one at a time (the CSV export
    /// of DEV-7): rows are read from SQLite as `out` consumes them, never
    /// collected. An error from `out` stops the export and is returned.
    pub fn export_devices(
        &self,
        query: &DeviceQuery,
        out: &mut dyn FnMut(&DeviceListRow) -> Result<()>,
    ) -> Result<()> {
        self.snapshot(|| {
            let lookups = self.device_lookups()?;
            let plan = Plan::new(self, query)?;
            let (sql, params) = plan.select(self, None, None)?;
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(r) = rows.next()? {
                out(&lookups.row(r)?)?;
            }
            Ok(())
        })
    }

    /// One device of one token, removed or not.
    pub fn device(&self, token: TokenId, serial: &str) -> Result<Option<DeviceListRow>> {
        let lookups = self.device_lookups()?;
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.token_id = ?1 AND d.serial = ?2"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![token.get(), serial], |r| lookups.row(r))
            .optional()?)
    }

    /// Every token's row for `serial` (removed ones too), by token.
    pub fn devices_by_serial(&self, serial: &str) -> Result<Vec<DeviceListRow>> {
        let lookups = self.device_lookups()?;
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.serial = ?1 ORDER BY d.token_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([serial], |r| lookups.row(r))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Where each of `serials` stands relative to `token` (DEV-2 preview).
    /// Serials are looked up exactly as given (callers pass normalized
    /// [`depot_domain::SerialNumber`]s); the map has one entry per distinct
    /// serial.
    pub fn classify_serials(
        &self,
        token: TokenId,
        serials: &[String],
    ) -> Result<HashMap<String, SerialPlacement>> {
        let lookups = self.device_lookups()?;
        let mut placements: HashMap<String, SerialPlacement> = serials
            .iter()
            .map(|s| (s.clone(), SerialPlacement::Unknown))
            .collect();
        if serials.is_empty() {
            return Ok(placements);
        }
        let json = serde_json::to_string(serials)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        // Other tokens' rows: the most recently updated one wins.
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.serial, d.token_id, d.profile_uuid, d.profile_status, d.removed_at, d.family
               FROM (SELECT DISTINCT value AS serial FROM json_each(?1)) j
               JOIN devices d ON d.serial = j.serial
              ORDER BY d.serial, d.updated_at, d.token_id",
        )?;
        let mut rows = stmt.query([json])?;
        while let Some(r) = rows.next()? {
            let serial: String = r.get(0)?;
            let row_token: i64 = r.get(1)?;
            let removed = r.get_ref(4)?.data_type() != rusqlite::types::Type::Null;
            let Some(place) = placements.get_mut(&serial) else {
                continue;
            };
            if matches!(place, SerialPlacement::OnToken { .. }) {
                continue;
            }
            if removed {
                if matches!(place, SerialPlacement::Unknown) {
                    *place = SerialPlacement::RemovedOnly;
                }
            } else if row_token == token.get() {
                let profile_uuid: Option<String> = r.get(2)?;
                *place = SerialPlacement::OnToken {
                    depot_profile: profile_uuid
                        .as_deref()
                        .and_then(|uuid| lookups.profiles.get(uuid))
                        .cloned(),
                    profile_uuid,
                    profile_status: r.get(3)?,
                    family: r.get(5)?,
                };
            } else {
                *place = SerialPlacement::OnOtherToken {
                    token_id: TokenId::new(row_token),
                    token_name: lookups.tokens.get(&row_token).cloned().unwrap_or_default(),
                };
            }
        }
        Ok(placements)
    }

    /// Deletes devices of `token` from Depot (DEV-5); returns how many rows
    /// went. The search index follows through triggers. Apple still lists a
    /// deleted device until it is unassigned there; the next full sync brings
    /// it back (SYN-3).
    pub fn delete_devices(&self, token: TokenId, serials: &[String]) -> Result<u64> {
        if serials.is_empty() {
            return Ok(0);
        }
        let json = serde_json::to_string(serials)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let n = self.conn.execute(
            "DELETE FROM devices WHERE token_id = ?1 AND serial IN (SELECT value FROM json_each(?2))",
            params![token.get(), json],
        )?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::Workspace;
    use crate::assignments::{AssignmentKind, NewAssignmentRun, Outcome};

    fn a() -> TokenId {
        TokenId::new(1)
    }

    fn b() -> TokenId {
        TokenId::new(2)
    }

    /// A workspace with tokens 1 ("Alpha", tags school+north) and 2 ("Beta",
    /// tag school) and no devices.
    fn workspace() -> (Workspace, Db) {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        db.conn
            .execute_batch(
                "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at,
                                     created_at, scope_tags)
                 VALUES (1, 'Alpha', 'u-1', 'Org', 'a@example.com', 0, 0, '[\"school\",\"north\"]'),
                        (2, 'Beta', 'u-2', 'Org', 'a@example.com', 0, 0, '[\"school\"]');",
            )
            .unwrap();
        (ws, db)
    }

    #[derive(Clone)]
    struct Dev {
        token: i64,
        serial: String,
        model: String,
        description: String,
        color: String,
        asset_tag: Option<String>,
        os: Option<String>,
        family: String,
        status: String,
        uuid: Option<String>,
        assigned_at: Option<i64>,
        removed_at: Option<i64>,
    }

    fn dev(token: TokenId, serial: &str) -> Dev {
        Dev {
            token: token.get(),
            serial: serial.to_owned(),
            model: "iPad Air".to_owned(),
            description: "IPAD AIR WI-FI 64GB".to_owned(),
            color: "BLUE".to_owned(),
            asset_tag: None,
            os: Some("iPadOS".to_owned()),
            family: "iPad".to_owned(),
            status: "empty".to_owned(),
            uuid: None,
            assigned_at: Some(1_700_000_000),
            removed_at: None,
        }
    }

    fn insert(db: &Db, d: &Dev) {
        db.conn
            .execute(
                "INSERT INTO devices (token_id, serial, model, description, color, asset_tag, os,
                                      family, profile_status, profile_uuid, assigned_at,
                                      assigned_by, removed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'admin@example.com', ?12)",
                params![
                    d.token,
                    d.serial,
                    d.model,
                    d.description,
                    d.color,
                    d.asset_tag,
                    d.os,
                    d.family,
                    d.status,
                    d.uuid,
                    d.assigned_at,
                    d.removed_at
                ],
            )
            .unwrap();
    }

    /// Profile `id` of `token` named `name`, with versions 1 and 2 uploaded as
    /// `<uuid>-v1` and `<uuid>-v2`.
    fn profile(db: &Db, id: i64, token: TokenId, name: &str, uuid: &str) {
        db.conn
            .execute(
                "INSERT INTO profiles (id, token_id, name, created_at, current_version)
                 VALUES (?1, ?2, ?3, 0, 2)",
                params![id, token.get(), name],
            )
            .unwrap();
        for version in [1, 2] {
            db.conn
                .execute(
                    "INSERT INTO profile_versions (profile_id, version, spec, apple_json,
                                                   apple_uuid, created_at, created_by)
                     VALUES (?1, ?2, '', '', ?3, 0, 'test')",
                    params![id, version, format!("{uuid}-v{version}")],
                )
                .unwrap();
        }
    }

    fn run(db: &Db, token: TokenId, serials: &[&str]) -> i64 {
        let serials: Vec<String> = serials.iter().map(|s| (*s).to_owned()).collect();
        db.insert_assignment_run(
            &NewAssignmentRun {
                token,
                kind: AssignmentKind::Assign,
                reason: "manual",
                profile_id: None,
                profile_version: None,
                apple_uuid: None,
                operator: "test",
                started_at: 0,
            },
            &serials,
            1000,
        )
        .unwrap()
    }

    /// Records an answer and, as the assignment engine does in the same
    /// transaction, the device's last result.
    fn answer(db: &Db, run: i64, serial: &str, outcome: Outcome, at: i64) {
        db.record_assignment_results(run, &[(serial.to_owned(), outcome, None)], at)
            .unwrap();
        db.conn
            .execute(
                "UPDATE devices SET last_run_id = ?1, last_outcome = ?3, last_outcome_at = ?4
                 WHERE serial = ?2
                   AND token_id = (SELECT token_id FROM assignment_runs WHERE id = ?1)",
                params![run, serial, outcome.as_str(), at],
            )
            .unwrap();
    }

    /// A small deterministic generator (tests read no clock or entropy).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }

        fn serial(&mut self) -> String {
            const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
            (0..10)
                .map(|_| char::from(CHARS[self.next(CHARS.len() as u64) as usize]))
                .collect()
        }
    }

    /// 2 × 120 devices with repeated models, statuses and dates (some none),
    /// some serials on both tokens, some removed.
    fn fleet(db: &Db) -> Vec<Dev> {
        let mut rng = Lcg(7);
        let models = ["iPad Air", "MacBook Pro", "iPhone 15", "Apple TV"];
        let statuses = ["empty", "assigned", "pushed", "removed"];
        let mut all = Vec::new();
        let mut shared = Vec::new();
        for token in [a(), b()] {
            for i in 0..120 {
                let serial = if token == b() && i < 10 {
                    shared.pop().unwrap()
                } else {
                    rng.serial()
                };
                if token == a() && i < 10 {
                    shared.push(serial.clone());
                }
                let mut d = dev(token, &serial);
                d.model = models[rng.next(4) as usize].to_owned();
                d.family = d.model.split(' ').next().unwrap().to_owned();
                d.status = statuses[rng.next(4) as usize].to_owned();
                d.assigned_at = match rng.next(5) {
                    0 => None,
                    n => Some(1_700_000_000 + n as i64 * 1000),
                };
                d.removed_at = (rng.next(10) == 0).then_some(1_800_000_000);
                insert(db, &d);
                all.push(d);
            }
        }
        all
    }

    fn key(d: &Dev, sort: DeviceSort) -> (String, i64, String, i64) {
        match sort {
            DeviceSort::Serial => (String::new(), 0, d.serial.clone(), d.token),
            DeviceSort::Model => (d.model.clone(), 0, d.serial.clone(), d.token),
            DeviceSort::Status => (d.status.clone(), 0, d.serial.clone(), d.token),
            DeviceSort::AssignedDate => (
                String::new(),
                d.assigned_at.unwrap_or(0),
                d.serial.clone(),
                d.token,
            ),
        }
    }

    fn walk(db: &Db, query: &DeviceQuery, limit: u32) -> Vec<(i64, String)> {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = db.query_devices(query, cursor.as_ref(), limit).unwrap();
            assert!(page.len() <= limit as usize);
            seen.extend(page.iter().map(|r| (r.token_id.get(), r.serial.clone())));
            match page.last() {
                Some(last) if page.len() == limit as usize => {
                    cursor = Some(DeviceCursor::after(last, query.sort));
                }
                _ => break,
            }
        }
        seen
    }

    const SORTS: [DeviceSort; 4] = [
        DeviceSort::Serial,
        DeviceSort::Model,
        DeviceSort::AssignedDate,
        DeviceSort::Status,
    ];

    #[test]
    fn pages_walk_every_row_once_in_every_sort_and_direction() {
        let (_ws, db) = workspace();
        let all = fleet(&db);
        for sort in SORTS {
            for descending in [false, true] {
                for token in [None, Some(a()), Some(b())] {
                    for include_removed in [false, true] {
                        let query = DeviceQuery {
                            token,
                            include_removed,
                            sort,
                            descending,
                            ..DeviceQuery::default()
                        };
                        let mut expected: Vec<&Dev> = all
                            .iter()
                            .filter(|d| token.is_none_or(|t| t.get() == d.token))
                            .filter(|d| include_removed || d.removed_at.is_none())
                            .collect();
                        expected.sort_by_key(|d| key(d, sort));
                        if descending {
                            expected.reverse();
                        }
                        let expected: Vec<(i64, String)> = expected
                            .iter()
                            .map(|d| (d.token, d.serial.clone()))
                            .collect();
                        let what = format!("{query:?}");
                        assert_eq!(walk(&db, &query, 7), expected, "{what}");
                        assert_eq!(walk(&db, &query, 1000), expected, "{what}");
                        assert_eq!(
                            db.count_devices(&query).unwrap(),
                            expected.len() as u64,
                            "{what}"
                        );
                        let mut exported = Vec::new();
                        db.export_devices(&query, &mut |row| {
                            exported.push((row.token_id.get(), row.serial.clone()));
                            Ok(())
                        })
                        .unwrap();
                        assert_eq!(exported, expected, "{what}");
                    }
                }
            }
        }
    }

    #[test]
    fn pages_with_filters_also_walk_every_row_once() {
        let (_ws, db) = workspace();
        let all = fleet(&db);
        let query = DeviceQuery {
            statuses: vec!["assigned".into(), "pushed".into()],
            scope_tag: Some("school".into()),
            sort: DeviceSort::Model,
            descending: true,
            ..DeviceQuery::default()
        };
        let mut expected: Vec<&Dev> = all
            .iter()
            .filter(|d| d.removed_at.is_none() && (d.status == "assigned" || d.status == "pushed"))
            .collect();
        expected.sort_by_key(|d| key(d, DeviceSort::Model));
        expected.reverse();
        let expected: Vec<(i64, String)> = expected
            .iter()
            .map(|d| (d.token, d.serial.clone()))
            .collect();
        assert_eq!(walk(&db, &query, 5), expected);
    }

    fn serials(rows: &[DeviceListRow]) -> Vec<String> {
        rows.iter()
            .map(|r| format!("{}:{}", r.token_id.get(), r.serial))
            .collect()
    }

    fn find(db: &Db, query: DeviceQuery) -> Vec<String> {
        let rows = db.query_devices(&query, None, 1000).unwrap();
        assert_eq!(db.count_devices(&query).unwrap(), rows.len() as u64);
        serials(&rows)
    }

    /// Six devices with distinct facts on two tokens, two Depot profiles.
    fn sample(db: &Db) {
        profile(db, 10, a(), "Sales", "uuid-sales");
        profile(db, 11, b(), "Lab", "uuid-lab");
        let mut d = dev(a(), "C02AAA0001");
        d.status = "assigned".into();
        d.uuid = Some("uuid-sales-v1".into());
        d.asset_tag = Some("TAG-77".into());
        insert(db, &d);
        let mut d = dev(a(), "C02AAA0002");
        d.model = "MacBook Pro 14".into();
        d.description = "MBP 14 M3 SILVER".into();
        d.family = "Mac".into();
        d.os = Some("OSX".into());
        d.color = "SILVER".into();
        d.status = "pushed".into();
        d.uuid = Some("uuid-sales-v2".into());
        insert(db, &d);
        let mut d = dev(a(), "DMPBBB0003");
        d.uuid = Some("foreign-uuid".into());
        d.status = "assigned".into();
        insert(db, &d);
        let mut d = dev(b(), "DMPBBB0004");
        d.status = "assigned".into();
        d.uuid = Some("uuid-lab-v2".into());
        d.description = "100% \"quoted\" name".into();
        insert(db, &d);
        let mut d = dev(b(), "C02AAA0001");
        d.removed_at = Some(5);
        insert(db, &d);
        let mut d = dev(b(), "F9XCCC0006");
        d.model = "iPhone 15".into();
        d.family = "iPhone".into();
        d.description = "IPHONE 15 BLACK 128GB".into();
        d.color = "BLACK".into();
        d.os = Some("iOS".into());
        insert(db, &d);
    }

    #[test]
    fn filters_narrow_the_list() {
        let (_ws, db) = workspace();
        sample(&db);
        let q = DeviceQuery::default;
        assert_eq!(
            find(&db, q()),
            [
                "1:C02AAA0001",
                "1:C02AAA0002",
                "1:DMPBBB0003",
                "2:DMPBBB0004",
                "2:F9XCCC0006"
            ]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    include_removed: true,
                    ..q()
                }
            )
            .len(),
            6
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    token: Some(b()),
                    ..q()
                }
            ),
            ["2:DMPBBB0004", "2:F9XCCC0006"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    statuses: vec!["assigned".into()],
                    ..q()
                }
            ),
            ["1:C02AAA0001", "1:DMPBBB0003", "2:DMPBBB0004"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    statuses: vec!["pushed".into(), "empty".into()],
                    ..q()
                }
            ),
            ["1:C02AAA0002", "2:F9XCCC0006"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    families: vec!["Mac".into(), "iPhone".into()],
                    ..q()
                }
            ),
            ["1:C02AAA0002", "2:F9XCCC0006"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    models: vec!["iPhone 15".into()],
                    ..q()
                }
            ),
            ["2:F9XCCC0006"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    profile: Some(ProfileFilter::Profile(10)),
                    ..q()
                }
            ),
            ["1:C02AAA0001", "1:C02AAA0002"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    profile: Some(ProfileFilter::NoDepotProfile),
                    ..q()
                }
            ),
            ["1:DMPBBB0003", "2:F9XCCC0006"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    enrollment_profile_name: Some("sALES".into()),
                    ..q()
                }
            ),
            ["1:C02AAA0001", "1:C02AAA0002"]
        );
        assert!(
            find(
                &db,
                DeviceQuery {
                    enrollment_profile_name: Some("Sale".into()),
                    ..q()
                }
            )
            .is_empty()
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    scope_tag: Some("north".into()),
                    ..q()
                }
            ),
            ["1:C02AAA0001", "1:C02AAA0002", "1:DMPBBB0003"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    scope_tag: Some("school".into()),
                    ..q()
                }
            )
            .len(),
            5
        );
        assert!(
            find(
                &db,
                DeviceQuery {
                    scope_tag: Some("nowhere".into()),
                    ..q()
                }
            )
            .is_empty()
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    scope_tag: Some("north".into()),
                    token: Some(b()),
                    ..q()
                }
            ),
            Vec::<String>::new()
        );

        // Serial prefix: any case, a range on the serial.
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    serial_prefix: Some(" dmp".into()),
                    ..q()
                }
            ),
            ["1:DMPBBB0003", "2:DMPBBB0004"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    serial_prefix: Some("C02AAA0001".into()),
                    include_removed: true,
                    ..q()
                }
            ),
            ["1:C02AAA0001", "2:C02AAA0001"]
        );
        assert!(
            find(
                &db,
                DeviceQuery {
                    serial_prefix: Some("C02AAA00011".into()),
                    ..q()
                }
            )
            .is_empty()
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    serial_prefix: Some("  ".into()),
                    ..q()
                }
            )
            .len(),
            5
        );

        // Text: every word somewhere, any case, substrings.
        let text = |t: &str| {
            find(
                &db,
                DeviceQuery {
                    text: Some(t.into()),
                    ..q()
                },
            )
        };
        assert_eq!(text("macbook"), ["1:C02AAA0002"]);
        assert_eq!(text("aaa00"), ["1:C02AAA0001", "1:C02AAA0002"]);
        assert_eq!(text("tag-77"), ["1:C02AAA0001"]);
        assert_eq!(text("silver m3"), ["1:C02AAA0002"]);
        assert_eq!(text("ios"), ["2:F9XCCC0006"]);
        assert_eq!(
            text("pados"),
            ["1:C02AAA0001", "1:DMPBBB0003", "2:DMPBBB0004"]
        );
        assert_eq!(text("15 black"), ["2:F9XCCC0006"]);
        assert_eq!(text("osx 14"), ["1:C02AAA0002"]);
        assert_eq!(text("\"quoted\""), ["2:DMPBBB0004"]);
        assert_eq!(text("100%"), ["2:DMPBBB0004"]);
        assert_eq!(text("0%"), ["2:DMPBBB0004"]);
        assert!(text("a_r").is_empty());
        assert!(text("ipad mac").is_empty());
        assert_eq!(text("   ").len(), 5);
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    text: Some("aaa0001".into()),
                    include_removed: true,
                    ..q()
                }
            ),
            ["1:C02AAA0001", "2:C02AAA0001"]
        );
        assert_eq!(
            find(
                &db,
                DeviceQuery {
                    text: Some("ipad".into()),
                    token: Some(a()),
                    sort: DeviceSort::Status,
                    descending: true,
                    ..q()
                }
            ),
            ["1:DMPBBB0003", "1:C02AAA0001"]
        );
    }

    #[test]
    fn rows_carry_the_depot_profile_token_name_and_last_result() {
        let (_ws, db) = workspace();
        sample(&db);
        let row = db.device(a(), "C02AAA0001").unwrap().unwrap();
        assert_eq!(row.token_name, "Alpha");
        assert_eq!(row.asset_tag.as_deref(), Some("TAG-77"));
        assert_eq!(row.assigned_by.as_deref(), Some("admin@example.com"));
        assert_eq!(
            row.depot_profile,
            Some(DepotProfileRef {
                id: 10,
                name: "Sales".into(),
                version: 1
            })
        );
        assert_eq!(row.last_result, None);
        let other = db.device(a(), "DMPBBB0003").unwrap().unwrap();
        assert_eq!(other.profile_uuid.as_deref(), Some("foreign-uuid"));
        assert_eq!(other.depot_profile, None);
        assert!(db.device(a(), "NOPE000000").unwrap().is_none());

        // Pages read in a savepoint: also inside a caller's transaction.
        let inside = db
            .write(|db| db.query_devices(&DeviceQuery::default(), None, 2))
            .unwrap();
        assert_eq!(serials(&inside), ["1:C02AAA0001", "1:C02AAA0002"]);

        let both = db.devices_by_serial("C02AAA0001").unwrap();
        assert_eq!(serials(&both), ["1:C02AAA0001", "2:C02AAA0001"]);
        assert_eq!(both[1].removed_at, Some(5));
        assert_eq!(both[1].token_name, "Beta");
        assert!(db.devices_by_serial("NOPE000000").unwrap().is_empty());
    }

    #[test]
    fn the_last_assignment_result_follows_runs_of_the_same_token() {
        let (_ws, db) = workspace();
        sample(&db);
        let last =
            |token: TokenId, serial: &str| db.device(token, serial).unwrap().unwrap().last_result;
        let first = run(&db, a(), &["C02AAA0001", "C02AAA0002"]);
        // Waiting serials keep their previous result (none yet) until Apple answers.
        assert_eq!(last(a(), "C02AAA0001"), None);
        // The same serial on another token is not touched.
        assert_eq!(last(b(), "C02AAA0001"), None);
        answer(&db, first, "C02AAA0001", Outcome::Failed, 100);
        answer(&db, first, "C02AAA0002", Outcome::Success, 100);
        assert_eq!(
            last(a(), "C02AAA0001"),
            Some(LastResult {
                run_id: first,
                outcome: Some("FAILED".into()),
                at: Some(100)
            })
        );

        let second = run(&db, a(), &["C02AAA0001", "F9XCCC0007"]);
        answer(&db, second, "C02AAA0001", Outcome::Success, 200);
        assert_eq!(
            last(a(), "C02AAA0001"),
            Some(LastResult {
                run_id: second,
                outcome: Some("SUCCESS".into()),
                at: Some(200)
            })
        );
        let by_result = |r: &str| {
            find(
                &db,
                DeviceQuery {
                    last_result: Some(r.into()),
                    ..DeviceQuery::default()
                },
            )
        };
        assert_eq!(by_result("SUCCESS"), ["1:C02AAA0001", "1:C02AAA0002"]);
        assert!(by_result("FAILED").is_empty());
        assert_eq!(
            by_result(LAST_RESULT_NONE),
            ["1:DMPBBB0003", "2:DMPBBB0004", "2:F9XCCC0006"]
        );
        assert!(by_result(LAST_RESULT_PENDING).is_empty());

        // A device that syncs in after a run it was in gets that run's result.
        let mut late = dev(a(), "F9XCCC0007");
        late.model = "iPhone 15".into();
        insert(&db, &late);
        assert_eq!(
            last(a(), "F9XCCC0007"),
            Some(LastResult {
                run_id: second,
                outcome: None,
                at: None
            })
        );
        assert_eq!(by_result(LAST_RESULT_PENDING), ["1:F9XCCC0007"]);

        // Deleting the newest run falls back to the one before.
        db.conn
            .execute("DELETE FROM assignment_runs WHERE id = ?1", [second])
            .unwrap();
        assert_eq!(
            last(a(), "C02AAA0001"),
            Some(LastResult {
                run_id: first,
                outcome: Some("FAILED".into()),
                at: Some(100)
            })
        );
        assert_eq!(last(a(), "F9XCCC0007"), None);
    }

    #[test]
    fn facets_count_each_dimension_without_its_own_filter() {
        let (_ws, db) = workspace();
        sample(&db);
        let r = run(&db, a(), &["C02AAA0001"]);
        answer(&db, r, "C02AAA0001", Outcome::Failed, 1);
        let counts = |f: &[FacetCount]| -> Vec<(String, u64)> {
            f.iter().map(|c| (c.value.clone(), c.count)).collect()
        };
        let pairs = |p: &[(&str, u64)]| -> Vec<(String, u64)> {
            p.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
        };

        let all = db.device_facets(&DeviceQuery::default()).unwrap();
        assert_eq!(
            counts(&all.statuses),
            pairs(&[("assigned", 3), ("empty", 1), ("pushed", 1)])
        );
        assert_eq!(
            counts(&all.families),
            pairs(&[("iPad", 3), ("Mac", 1), ("iPhone", 1)])
        );
        assert_eq!(
            counts(&all.models),
            pairs(&[("iPad Air", 3), ("MacBook Pro 14", 1), ("iPhone 15", 1)])
        );
        assert_eq!(
            counts(&all.last_results),
            pairs(&[("NONE", 4), ("FAILED", 1)])
        );
        assert_eq!(
            all.profiles,
            vec![
                ProfileFacet {
                    profile_id: None,
                    name: None,
                    count: 2
                },
                ProfileFacet {
                    profile_id: Some(10),
                    name: Some("Sales".into()),
                    count: 2
                },
                ProfileFacet {
                    profile_id: Some(11),
                    name: Some("Lab".into()),
                    count: 1
                },
            ]
        );
        assert_eq!(
            all.tokens,
            vec![
                TokenFacet {
                    token_id: a(),
                    token_name: "Alpha".into(),
                    count: 3
                },
                TokenFacet {
                    token_id: b(),
                    token_name: "Beta".into(),
                    count: 2
                },
            ]
        );

        // Token and status chosen: the token facet still shows Beta (with the
        // status filter), the status facet shows Alpha's other statuses.
        let q = DeviceQuery {
            token: Some(a()),
            statuses: vec!["assigned".into()],
            ..DeviceQuery::default()
        };
        let f = db.device_facets(&q).unwrap();
        assert_eq!(
            counts(&f.statuses),
            pairs(&[("assigned", 2), ("pushed", 1)])
        );
        assert_eq!(
            f.tokens
                .iter()
                .map(|t| (t.token_id, t.count))
                .collect::<Vec<_>>(),
            [(a(), 2), (b(), 1)]
        );
        assert_eq!(counts(&f.families), pairs(&[("iPad", 2)]));
        assert_eq!(
            counts(&f.last_results),
            pairs(&[("FAILED", 1), ("NONE", 1)])
        );
        let profiles: u64 = f.profiles.iter().map(|p| p.count).sum();
        assert_eq!(profiles, db.count_devices(&q).unwrap());

        // Non-facet filters apply to every facet.
        let f = db
            .device_facets(&DeviceQuery {
                text: Some("c02".into()),
                ..DeviceQuery::default()
            })
            .unwrap();
        assert_eq!(
            counts(&f.statuses),
            pairs(&[("assigned", 1), ("pushed", 1)])
        );
        assert_eq!(f.tokens.len(), 1);

        // A chosen model outside the top 50 is still listed.
        for i in 0..60 {
            let mut d = dev(b(), &format!("ZZZ{i:07}"));
            d.model = format!("Model {i:02}");
            insert(&db, &d);
            if i < 30 {
                let mut d = dev(a(), &format!("ZZZ{i:07}"));
                d.model = format!("Model {i:02}");
                insert(&db, &d);
            }
        }
        let f = db
            .device_facets(&DeviceQuery {
                models: vec!["Model 59".into()],
                ..DeviceQuery::default()
            })
            .unwrap();
        assert_eq!(f.models.len(), MODEL_FACET_LIMIT + 1);
        assert!(
            f.models
                .iter()
                .any(|m| m.value == "Model 59" && m.count == 1)
        );
        assert_eq!(f.models[0].value, "iPad Air");
    }

    #[test]
    fn serials_are_classified_for_the_assignment_preview() {
        let (_ws, db) = workspace();
        sample(&db);
        let mut removed_only = dev(a(), "GONE000001");
        removed_only.removed_at = Some(1);
        insert(&db, &removed_only);
        let asked: Vec<String> = [
            "C02AAA0001",
            "DMPBBB0004",
            "GONE000001",
            "NEW0000001",
            "C02AAA0001",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let got = db.classify_serials(a(), &asked).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got["C02AAA0001"],
            SerialPlacement::OnToken {
                profile_uuid: Some("uuid-sales-v1".into()),
                profile_status: "assigned".into(),
                depot_profile: Some(DepotProfileRef {
                    id: 10,
                    name: "Sales".into(),
                    version: 1
                }),
                family: "iPad".into(),
            }
        );
        assert_eq!(
            got["DMPBBB0004"],
            SerialPlacement::OnOtherToken {
                token_id: b(),
                token_name: "Beta".into()
            }
        );
        assert_eq!(got["GONE000001"], SerialPlacement::RemovedOnly);
        assert_eq!(got["NEW0000001"], SerialPlacement::Unknown);
        // C02AAA0001 is removed on Beta and active on Alpha: for Beta it is elsewhere.
        let got = db.classify_serials(b(), &asked[..1]).unwrap();
        assert_eq!(
            got["C02AAA0001"],
            SerialPlacement::OnOtherToken {
                token_id: a(),
                token_name: "Alpha".into()
            }
        );
        assert!(db.classify_serials(a(), &[]).unwrap().is_empty());

        let many: Vec<String> = (0..10_000).map(|i| format!("X{i:09}")).collect();
        let got = db.classify_serials(a(), &many).unwrap();
        assert_eq!(got.len(), 10_000);
        assert!(got.values().all(|p| *p == SerialPlacement::Unknown));
    }

    #[test]
    fn deleted_devices_leave_the_list_and_the_search_index() {
        let (_ws, db) = workspace();
        sample(&db);
        let search = |t: &str| {
            find(
                &db,
                DeviceQuery {
                    text: Some(t.into()),
                    include_removed: true,
                    ..DeviceQuery::default()
                },
            )
        };
        assert_eq!(search("aaa0001"), ["1:C02AAA0001", "2:C02AAA0001"]);
        let gone = db
            .delete_devices(
                a(),
                &[
                    "C02AAA0001".to_owned(),
                    "NOPE000000".to_owned(),
                    "DMPBBB0004".to_owned(),
                ],
            )
            .unwrap();
        assert_eq!(gone, 1, "DMPBBB0004 is Beta's");
        assert_eq!(search("aaa0001"), ["2:C02AAA0001"]);
        assert!(db.device(a(), "C02AAA0001").unwrap().is_none());
        assert_eq!(db.delete_devices(a(), &[]).unwrap(), 0);
        let entries: i64 = db
            .conn
            .query_row("SELECT COUNT(*) FROM device_search", [], |r| r.get(0))
            .unwrap();
        assert_eq!(entries, 5);

        // Back from a sync: searchable again; edits reach the index.
        insert(&db, &dev(a(), "C02AAA0001"));
        assert_eq!(search("aaa0001"), ["1:C02AAA0001", "2:C02AAA0001"]);
        db.conn
            .execute(
                "UPDATE devices SET model = 'Vision Pro', asset_tag = 'X-9' WHERE serial = 'DMPBBB0004'",
                [],
            )
            .unwrap();
        assert_eq!(search("vision"), ["2:DMPBBB0004"]);
        assert_eq!(search("x-9"), ["2:DMPBBB0004"]);
        assert!(search("quoted ipad air").is_empty());
        assert_eq!(search("quoted"), ["2:DMPBBB0004"]);
        // The same values written again (every sync does) leave the index alone.
        db.conn
            .execute("UPDATE devices SET model = model, updated_at = 9", [])
            .unwrap();
        assert_eq!(search("vision"), ["2:DMPBBB0004"]);
        db.conn
            .execute(
                "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
                [],
            )
            .unwrap();
    }

    #[test]
    fn devices_written_by_a_sync_are_searchable() {
        let (_ws, db) = workspace();
        let change = |serial: &str, tag: &str| depot_domain::DeviceChange {
            op: depot_domain::DeviceOp::Listed,
            op_date: Some(1),
            record: depot_domain::DeviceRecord {
                serial: depot_domain::SerialNumber::parse(serial).unwrap(),
                model: "iPad Air".into(),
                description: "IPAD AIR".into(),
                color: "BLUE".into(),
                asset_tag: Some(tag.into()),
                os: Some("iPadOS".into()),
                family: depot_domain::DeviceFamily::IPad,
                profile_status: depot_domain::ProfileStatus::Empty,
                profile_uuid: None,
                profile_assign_time: None,
                profile_push_time: None,
                assigned_at: None,
                assigned_by: None,
                facts: Default::default(),
            },
        };
        db.write(|db| {
            db.apply_device_changes(
                a(),
                &[change("F9QQQ00001", "LAB-1"), change("F9QQQ00002", "LAB-2")],
                Some(1),
                1,
            )
        })
        .unwrap();
        let search = |t: &str| {
            find(
                &db,
                DeviceQuery {
                    text: Some(t.into()),
                    ..DeviceQuery::default()
                },
            )
        };
        assert_eq!(search("qqq00002"), ["1:F9QQQ00002"]);
        assert_eq!(search("lab-1"), ["1:F9QQQ00001"]);
        // Their model, description, color and OS values join the vocabulary
        // once per group (migration 0006), so words of those columns find them.
        assert_eq!(search("air"), ["1:F9QQQ00001", "1:F9QQQ00002"]);
        assert_eq!(search("ipados"), ["1:F9QQQ00001", "1:F9QQQ00002"]);
        let values: Vec<(String, String)> = db
            .conn
            .prepare("SELECT field, value FROM device_values ORDER BY field")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let has = |f: &str, v: &str| values.iter().any(|(a, b)| a == f && b == v);
        assert!(has("model", "iPad Air") && has("description", "IPAD AIR"));
        assert!(has("color", "BLUE") && has("os", "iPadOS"), "{values:?}");
        // The deferral ends with the call: a device inserted otherwise is indexed at once.
        assert!(db.setting("search_deferred").unwrap().is_none());
        db.conn
            .execute(
                "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
                [],
            )
            .unwrap();
    }

    #[test]
    fn an_export_error_stops_the_export() {
        let (_ws, db) = workspace();
        sample(&db);
        let mut seen = 0;
        let err = db
            .export_devices(&DeviceQuery::default(), &mut |_| {
                seen += 1;
                if seen == 2 {
                    Err(rusqlite::Error::InvalidQuery.into())
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert!(matches!(
            err,
            crate::StoreError::Sqlite(rusqlite::Error::InvalidQuery)
        ));
        assert_eq!(seen, 2);
    }

    fn plan(db: &Db, query: &DeviceQuery, cursor: Option<&DeviceCursor>) -> String {
        db.device_query_plan(query, cursor).unwrap().join("\n")
    }

    /// `count` devices on `token` with serials `<prefix>000001`...
    fn bulk(db: &Db, token: TokenId, prefix: &str, count: usize) {
        for i in 0..count {
            let mut d = dev(token, &format!("{prefix}{i:06}"));
            d.model = ["iPad Air", "MacBook Pro", "iPhone 15"][i % 3].to_owned();
            insert(db, &d);
        }
    }

    #[test]
    fn every_sort_reads_its_index_in_order_on_every_page() {
        let (_ws, db) = workspace();
        // Token A holds more devices than a driving filter may match.
        bulk(&db, a(), "AAAA", DRIVING_ROWS as usize + 100);
        bulk(&db, b(), "BBBB", 5);
        let cursor = DeviceCursor {
            value: SortValue::Text("M".into()),
            token_id: a(),
            serial: "M".into(),
        };
        for sort in SORTS {
            let cursor = DeviceCursor {
                value: match sort {
                    DeviceSort::AssignedDate => SortValue::Int(5),
                    _ => cursor.value.clone(),
                },
                ..cursor.clone()
            };
            for token in [None, Some(a())] {
                for descending in [false, true] {
                    let query = DeviceQuery {
                        sort,
                        token,
                        descending,
                        ..DeviceQuery::default()
                    };
                    for after in [None, Some(&cursor)] {
                        let plan = plan(&db, &query, after);
                        let what = format!("{query:?} after {after:?}:\n{plan}");
                        assert!(!plan.contains("TEMP B-TREE"), "{what}");
                        assert!(plan.contains("USING INDEX"), "{what}");
                        if after.is_some() {
                            // The cursor bounds the index range (no scan from the start).
                            assert!(plan.contains(">") || plan.contains("<"), "{what}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_filter_matching_few_devices_drives_the_page() {
        let (_ws, db) = workspace();
        bulk(&db, a(), "AAAA", DRIVING_ROWS as usize + 100);
        bulk(&db, b(), "BBBB", 5);
        let model_sort = |token| DeviceQuery {
            sort: DeviceSort::Model,
            token: Some(token),
            ..DeviceQuery::default()
        };
        // Token B's 5 devices are read through the token index and sorted.
        let small = plan(&db, &model_sort(b()), None);
        assert!(small.contains("(token_id=?"), "{small}");
        assert!(small.contains("TEMP B-TREE"), "{small}");
        // Token A's are read in model order, skipping B's inside the index.
        let large = plan(&db, &model_sort(a()), None);
        assert!(large.contains("devices_by_model"), "{large}");
        assert!(!large.contains("TEMP B-TREE"), "{large}");
        // Both give the same rows as the walk would.
        assert_eq!(walk(&db, &model_sort(b()), 2).len(), 5);

        // A word found in few serials reads the search index first; one
        // found in most serials filters the serial order.
        let text = |t: &str| DeviceQuery {
            text: Some(t.into()),
            ..DeviceQuery::default()
        };
        let rare = plan(&db, &text("bbbb"), None);
        assert!(rare.contains("VIRTUAL TABLE"), "{rare}");
        assert!(rare.contains("TEMP B-TREE"), "{rare}");
        let common = plan(&db, &text("aaaa"), None);
        assert!(
            common.contains("SCAN d USING INDEX devices_by_serial"),
            "{common}"
        );
        assert!(!common.contains("TEMP B-TREE"), "{common}");
        assert_eq!(find(&db, text("bbbb")).len(), 5);
        assert_eq!(
            db.count_devices(&text("aaaa")).unwrap(),
            DRIVING_ROWS as u64 + 100
        );
        // A rare value of a column without an index: one table scan finds
        // the few matching rows, which are then read by rowid and sorted (not
        // a walk through every entry of the sort index).
        for (i, serial) in ["VVVV000003", "VVVV000001", "VVVV000002"]
            .iter()
            .enumerate()
        {
            let mut d = dev(if i == 1 { b() } else { a() }, serial);
            d.family = "Vision".into();
            d.model = "Apple Vision Pro".into();
            insert(&db, &d);
        }
        for sort in SORTS {
            let vision = DeviceQuery {
                families: vec!["Vision".into()],
                sort,
                descending: true,
                ..DeviceQuery::default()
            };
            let scan = plan(&db, &vision, None);
            assert!(
                scan.starts_with("SEARCH d USING INTEGER PRIMARY KEY"),
                "{scan}"
            );
            assert_eq!(
                walk(&db, &vision, 2),
                [
                    (1, "VVVV000003".to_owned()),
                    (1, "VVVV000002".to_owned()),
                    (2, "VVVV000001".to_owned())
                ]
            );
        }
        let word = plan(&db, &text("vision"), None);
        assert!(
            word.starts_with("SEARCH d USING INTEGER PRIMARY KEY"),
            "{word}"
        );
        assert_eq!(find(&db, text("vision")).len(), 3);

        // Model words match the model column through its values.
        assert_eq!(db.count_devices(&text("iphone")).unwrap(), 700 + 1);
    }

    #[test]
    fn a_copy_made_by_vacuum_searches_the_same() {
        let (_ws, db) = workspace();
        sample(&db);
        db.delete_devices(a(), &["C02AAA0002".to_owned()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        db.conn
            .execute(
                "VACUUM INTO ?1",
                [dir.path().join("depot.sqlite").to_string_lossy()],
            )
            .unwrap();
        let copy = Workspace::open(dir.path()).unwrap().connect().unwrap();
        for text in ["aaa0001", "tag-77", "bbb000", "iphone", "m3"] {
            let query = DeviceQuery {
                text: Some(text.into()),
                include_removed: true,
                ..DeviceQuery::default()
            };
            assert_eq!(find(&copy, query.clone()), find(&db, query), "{text}");
        }
        // The copy keeps every device's rowid, which its search entry is keyed by.
        let aligned = |db: &Db| -> (i64, i64) {
            db.conn
                .query_row(
                    "SELECT (SELECT COUNT(*) FROM devices),
                            (SELECT COUNT(*) FROM device_search s JOIN devices d
                               ON d.rowid = s.rowid AND d.serial = s.serial
                              AND d.token_id = s.token_id)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        assert_eq!(aligned(&copy), (5, 5));
        copy.delete_devices(b(), &["DMPBBB0004".to_owned()])
            .unwrap();
        copy.conn
            .execute(
                "UPDATE devices SET asset_tag = 'NEW-1' WHERE serial = 'F9XCCC0006'",
                [],
            )
            .unwrap();
        assert_eq!(aligned(&copy), (4, 4));
        copy.conn
            .execute(
                "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
                [],
            )
            .unwrap();
    }

    #[test]
    fn the_migration_fills_the_new_tables_from_existing_rows() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::migrations::apply_pending(&mut conn, &crate::migrations::MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at, created_at)
             VALUES (1, 'Alpha', 'u-1', 'Org', 'a@example.com', 0, 0);
             INSERT INTO devices (token_id, serial, model) VALUES (1, 'C02AAA0001', 'iPad Air'),
                                                                  (1, 'C02AAA0002', 'Mac mini');
             INSERT INTO assignment_runs (id, token_id, kind, reason, operator, started_at)
             VALUES (1, 1, 'assign', 'manual', 't', 0), (2, 1, 'assign', 'manual', 't', 0);
             INSERT INTO assignment_results (run_id, serial, batch, outcome, at)
             VALUES (1, 'C02AAA0001', 0, 'FAILED', 5), (2, 'C02AAA0001', 0, 'SUCCESS', 6);",
        )
        .unwrap();
        crate::migrations::apply_pending(&mut conn, crate::migrations::MIGRATIONS).unwrap();
        let db = Db { conn };
        assert_eq!(
            db.device(a(), "C02AAA0001").unwrap().unwrap().last_result,
            Some(LastResult {
                run_id: 2,
                outcome: Some("SUCCESS".into()),
                at: Some(6)
            })
        );
        let found = find(
            &db,
            DeviceQuery {
                text: Some("mini".into()),
                ..DeviceQuery::default()
            },
        );
        assert_eq!(found, ["1:C02AAA0002"]);
        let distinct: HashSet<String> = find(&db, DeviceQuery::default()).into_iter().collect();
        assert_eq!(distinct.len(), 2);
    }
}
