//! The dashboard's figures (issue 16, ALR-3): one read of the workspace for
//! every chart, scoped like everything else. Kept to a handful of queries,
//! each one pass over an index (see `depot-store`'s `dashboard`), so the
//! answer stays under 100 ms at 200,000 devices (`devices_200k` bench).

use std::collections::{BTreeMap, HashMap};

use depot_domain::TokenId;
use depot_domain::UnixSeconds;
use depot_domain::device::DeviceFamily;

use crate::sync::AUTO_SYNC_INTERVAL;
use crate::{Depot, Result};

const DAY: i64 = 86_400;
/// Days of assignment results on the chart (today included).
pub const RESULT_DAYS: i64 = 30;
/// Models named on the chart; the rest are summed as "other".
pub const TOP_MODELS: usize = 12;

/// A token's sync health.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncFigures {
    pub last_success_at: Option<UnixSeconds>,
    pub last_error_at: Option<UnixSeconds>,
    pub last_error: Option<String>,
    pub failures_since_success: u64,
    pub failures_30_days: u64,
    pub next_run_at: Option<UnixSeconds>,
    pub running: bool,
}

/// One token's devices and health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFigures {
    pub id: TokenId,
    pub name: String,
    pub expires_at: UnixSeconds,
    pub devices: u64,
    /// (Apple's profile status, devices), largest first.
    pub by_status: Vec<(String, u64)>,
    /// (platform, devices without a profile and without a default), largest first.
    pub waiting_for_default: Vec<(String, u64)>,
    pub sync: SyncFigures,
}

/// One UTC day's assignment answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayResults {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub assigned: u64,
    pub failed: u64,
    pub throttled: u64,
    pub not_sent: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryKind {
    Ade,
    Vpp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub kind: ExpiryKind,
    pub id: String,
    pub name: String,
    pub expires_at: UnixSeconds,
    pub days_left: i64,
}

/// Everything the dashboard's charts show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSummary {
    pub generated_at: UnixSeconds,
    pub devices: u64,
    pub tokens: Vec<TokenFigures>,
    /// (family, devices), largest first.
    pub families: Vec<(String, u64)>,
    /// (model, family, devices), largest first, at most [`TOP_MODELS`].
    pub models: Vec<(String, String, u64)>,
    pub other_models: u64,
    /// [`RESULT_DAYS`] days, oldest first.
    pub assignments: Vec<DayResults>,
    pub expiries: Vec<Expiry>,
}

/// Largest first, then by label.
fn ranked(map: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = map.into_iter().filter(|(_, n)| *n > 0).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

impl Depot {
    /// The dashboard's figures for the tokens the acting person sees.
    pub fn dashboard_summary(&self) -> Result<DashboardSummary> {
        let now = self.clock.now();
        let db = self.workspace.connect()?;
        let tokens: Vec<_> = db
            .list_tokens()?
            .into_iter()
            .filter(|t| crate::scope::visible(&t.scope_tags))
            .collect();
        let in_scope: HashMap<TokenId, usize> =
            tokens.iter().enumerate().map(|(i, t)| (t.id, i)).collect();

        let mut statuses: Vec<HashMap<String, u64>> = vec![HashMap::new(); tokens.len()];
        let mut waiting: Vec<HashMap<String, u64>> = vec![HashMap::new(); tokens.len()];
        let mut families: HashMap<String, u64> = HashMap::new();
        let mut models: HashMap<(String, String), u64> = HashMap::new();
        let mut devices = 0u64;
        for group in db.device_groups()? {
            let Some(&i) = in_scope.get(&group.token) else {
                continue;
            };
            devices += group.count;
            *statuses[i].entry(group.status).or_default() += group.count;
            if group.no_profile
                && let Some(platform) = DeviceFamily::parse(&group.family).platform()
                && !tokens[i]
                    .default_profiles
                    .iter()
                    .any(|(p, _)| *p == platform)
            {
                *waiting[i].entry(platform.as_str().to_owned()).or_default() += group.count;
            }
            *families.entry(group.family.clone()).or_default() += group.count;
            *models.entry((group.model, group.family)).or_default() += group.count;
        }

        let mut models: Vec<(String, String, u64)> =
            models.into_iter().map(|((m, f), n)| (m, f, n)).collect();
        models.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let other_models = models.iter().skip(TOP_MODELS).map(|m| m.2).sum();
        models.truncate(TOP_MODELS);

        let today = now.get().div_euclid(DAY);
        let first_day = today - (RESULT_DAYS - 1);
        let mut days: BTreeMap<i64, DayResults> = (first_day..=today)
            .map(|d| {
                let date = UnixSeconds::new(d * DAY).rfc3339()[..10].to_owned();
                (
                    d,
                    DayResults {
                        date,
                        ..DayResults::default()
                    },
                )
            })
            .collect();
        for row in db.assignment_outcome_days(UnixSeconds::new(first_day * DAY))? {
            if !in_scope.contains_key(&row.token) {
                continue;
            }
            let Some(day) = days.get_mut(&row.day) else {
                continue;
            };
            match row.outcome.as_deref() {
                Some("SUCCESS") => day.assigned += row.count,
                Some("FAILED" | "NOT_ACCESSIBLE") => day.failed += row.count,
                Some("THROTTLED") => day.throttled += row.count,
                Some(_) => day.not_sent += row.count,
                None => {}
            }
        }

        let failures = db.sync_failures(now.plus(-RESULT_DAYS * DAY))?;
        let mut figures = Vec::with_capacity(tokens.len());
        let mut expiries = Vec::new();
        for (i, row) in tokens.iter().enumerate() {
            let state = db.sync_state(row.id)?;
            let failed = failures.get(&row.id).copied().unwrap_or_default();
            let blocked = row.rejected || row.terms_not_accepted || row.expires_at <= now;
            figures.push(TokenFigures {
                id: row.id,
                name: row.server_name.clone(),
                expires_at: row.expires_at,
                devices: statuses[i].values().sum(),
                by_status: ranked(std::mem::take(&mut statuses[i])),
                waiting_for_default: ranked(std::mem::take(&mut waiting[i])),
                sync: SyncFigures {
                    last_success_at: state.last_success_at,
                    last_error_at: state.last_error_at,
                    last_error: state.last_error,
                    failures_since_success: failed.since_success,
                    failures_30_days: failed.recent,
                    // The scheduler leaves a blocked token alone.
                    next_run_at: (!blocked).then(|| {
                        state
                            .last_success_at
                            .map_or(now, |t| t.plus(AUTO_SYNC_INTERVAL).max(now))
                    }),
                    running: self.sync_progress(row.id).is_some(),
                },
            });
            expiries.push(Expiry {
                kind: ExpiryKind::Ade,
                id: row.id.get().to_string(),
                name: row.server_name.clone(),
                expires_at: row.expires_at,
                days_left: row.expires_at.seconds_since(now).div_euclid(DAY),
            });
        }
        for vpp in db.vpp_tokens()? {
            expiries.push(Expiry {
                kind: ExpiryKind::Vpp,
                id: vpp.id.get().to_string(),
                name: vpp.name,
                expires_at: vpp.expires_at,
                days_left: vpp.expires_at.seconds_since(now).div_euclid(DAY),
            });
        }
        expiries.sort_by(|a, b| {
            a.expires_at
                .cmp(&b.expires_at)
                .then_with(|| a.name.cmp(&b.name))
        });

        Ok(DashboardSummary {
            generated_at: now,
            devices,
            tokens: figures,
            families: ranked(families),
            models,
            other_models,
            assignments: days.into_values().collect(),
            expiries,
        })
    }
}
