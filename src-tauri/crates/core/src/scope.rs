//! Scope tags (issue 14): a member whose account carries tags sees only the
//! tokens that carry one of them, and those tokens' profiles, devices,
//! assignment runs, sync runs and audit entries; an account without tags
//! sees every token.
//!
//! Decided here, in `core`, for whoever acts (`acting::acting_now`, set by
//! the API around every command from the signed-in actor). Every use case
//! that names a token, a profile, a run or a device asks [`Depot::in_scope`]
//! (or one of its siblings) first; every list is cut by [`Depot::scope`].
//! Something outside the scope is answered exactly like something that does
//! not exist, so its existence does not leak. Changes that concern every
//! token (enrollment settings, demo mode) are refused to a limited account.
//!
//! Nobody acting (the scheduler, the CLI and the desktop on their own
//! workspace) is the owner: every token.

use std::collections::BTreeSet;

use depot_domain::{ProfileId, RunId, TokenId};

use crate::acting::acting_now;
use crate::{CoreError, Depot, Result};

/// The tokens the acting person may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every token (no tags, or the owner).
    All,
    /// Only these (possibly none).
    Tokens(BTreeSet<TokenId>),
}

impl Scope {
    pub fn contains(&self, token: TokenId) -> bool {
        match self {
            Scope::All => true,
            Scope::Tokens(tokens) => tokens.contains(&token),
        }
    }

    /// `None` for every token; else the list to restrict a query to.
    pub fn tokens(&self) -> Option<Vec<TokenId>> {
        match self {
            Scope::All => None,
            Scope::Tokens(tokens) => Some(tokens.iter().copied().collect()),
        }
    }
}

/// Whether a token carrying `token_tags` is visible to an account limited to
/// `mine` (empty: every token). Tags compare in any case.
pub fn tags_allow(mine: &[String], token_tags: &[String]) -> bool {
    mine.is_empty()
        || mine
            .iter()
            .any(|m| token_tags.iter().any(|t| t.eq_ignore_ascii_case(m)))
}

/// The scope tags of whoever acts now (empty: every token).
fn acting_tags() -> Vec<String> {
    acting_now().map(|a| a.scope_tags).unwrap_or_default()
}

/// Whether the token `token` is visible to whoever acts now (reads its tags
/// only for an account limited by tags). An unknown token is not.
pub(crate) fn token_visible(db: &depot_store::Db, token: TokenId) -> Result<bool> {
    tags_see_token_in(db, &acting_tags(), token)
}

/// Whether an account limited to `mine` (empty: every token) sees `token`;
/// an unknown token it does not.
fn tags_see_token_in(db: &depot_store::Db, mine: &[String], token: TokenId) -> Result<bool> {
    if mine.is_empty() {
        return Ok(true);
    }
    Ok(db
        .get_token(token)?
        .is_some_and(|row| tags_allow(mine, &row.scope_tags)))
}

/// Whether a token carrying `token_tags` is visible to whoever acts now.
pub(crate) fn visible(token_tags: &[String]) -> bool {
    tags_allow(&acting_tags(), token_tags)
}

impl Depot {
    /// The tokens the acting person may see.
    pub fn scope(&self) -> Result<Scope> {
        let mine = acting_tags();
        if mine.is_empty() {
            return Ok(Scope::All);
        }
        let tokens = self.workspace.connect()?.list_tokens()?;
        Ok(Scope::Tokens(
            tokens
                .iter()
                .filter(|t| tags_allow(&mine, &t.scope_tags))
                .map(|t| t.id)
                .collect(),
        ))
    }

    /// Whether an account limited to `tags` (empty: every token) sees the
    /// token `token`.
    pub(crate) fn tags_see_token(&self, tags: &[String], token: TokenId) -> bool {
        tags.is_empty()
            || self
                .workspace
                .connect()
                .is_ok_and(|db| tags_see_token_in(&db, tags, token).unwrap_or(false))
    }

    /// Refuses a token outside the acting person's scope, with the answer an
    /// unknown token gets.
    pub(crate) fn in_scope(&self, token: TokenId) -> Result<()> {
        if acting_tags().is_empty() {
            return Ok(());
        }
        self.token_row(&self.workspace.connect()?, token)
            .map(|_| ())
    }

    /// [`Self::in_scope`] for the token a profile belongs to.
    pub(crate) fn profile_in_scope(&self, id: ProfileId) -> Result<()> {
        if acting_tags().is_empty() {
            return Ok(());
        }
        let db = self.workspace.connect()?;
        match db.get_profile(id)? {
            Some(p) if token_visible(&db, p.token_id)? => Ok(()),
            _ => Err(CoreError::NotFound(format!("profile {id}"))),
        }
    }

    /// [`Self::in_scope`] for the token an assignment run belongs to.
    pub(crate) fn run_in_scope(&self, run: RunId) -> Result<()> {
        if acting_tags().is_empty() {
            return Ok(());
        }
        let db = self.workspace.connect()?;
        match db.assignment_run(run)? {
            Some(r) if token_visible(&db, r.token_id)? => Ok(()),
            _ => Err(CoreError::NotFound(format!("assignment run {run}"))),
        }
    }

    /// `query` as the acting person may run it: a token it names must be in
    /// scope, and a limited account's query is narrowed to its tokens.
    pub(crate) fn scoped_query<'q>(
        &self,
        query: &'q depot_domain::records::DeviceQuery,
    ) -> Result<std::borrow::Cow<'q, depot_domain::records::DeviceQuery>> {
        if let Some(token) = query.token {
            self.in_scope(token)?;
        }
        Ok(match self.scope()? {
            Scope::All => std::borrow::Cow::Borrowed(query),
            limited => {
                let mut narrowed = query.clone();
                narrowed.within = limited.tokens();
                std::borrow::Cow::Owned(narrowed)
            }
        })
    }

    /// Refuses a change that concerns every token (`what` says which) to an
    /// account limited by scope tags.
    pub(crate) fn workspace_wide(&self, what: &str) -> Result<()> {
        let mine = acting_tags();
        if mine.is_empty() {
            Ok(())
        } else {
            Err(CoreError::OutsideScope(format!(
                "{what} concerns every token, and this account only sees tokens tagged {}",
                mine.join(", ")
            )))
        }
    }

    /// Refuses scope tags that would put a token the acting person adds or
    /// changes out of their own sight.
    pub(crate) fn tags_keep_in_scope(&self, tags: &[String]) -> Result<()> {
        let mine = acting_tags();
        if tags_allow(&mine, tags) {
            Ok(())
        } else {
            Err(CoreError::OutsideScope(format!(
                "the token must carry one of this account's scope tags ({}), or it would leave the account's sight",
                mine.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn tags_allow_a_token_carrying_any_of_them_in_any_case() {
        assert!(tags_allow(&[], &[]), "no tags: every token");
        assert!(tags_allow(&[], &tags(&["Lyon"])));
        assert!(tags_allow(&tags(&["paris"]), &tags(&["Lyon", "PARIS"])));
        assert!(!tags_allow(&tags(&["Paris"]), &tags(&["Lyon"])));
        assert!(!tags_allow(&tags(&["Paris"]), &[]), "an untagged token");
    }

    #[test]
    fn whoever_acts_decides_the_scope_and_nobody_acting_is_the_owner() {
        let clock = std::sync::Arc::new(depot_domain::FixedClock::at(1_790_000_000));
        let depot = Depot::open_in_memory(crate::DepotOptions::for_tests(clock)).unwrap();
        assert_eq!(depot.scope().unwrap(), Scope::All);
        let limited = crate::acting::Acting {
            name: "ana".into(),
            origin: depot_domain::access::Origin::Browser,
            scope_tags: tags(&["Paris"]),
        };
        crate::acting::acting_as_blocking(Some(limited), || {
            assert_eq!(depot.scope().unwrap(), Scope::Tokens(BTreeSet::new()));
            assert!(matches!(
                depot.in_scope(TokenId::new(1)),
                Err(CoreError::NotFound(_))
            ));
            let refused = depot.workspace_wide("demo mode").unwrap_err();
            assert!(refused.to_string().contains("Paris"), "{refused}");
        });
        assert_eq!(depot.scope().unwrap(), Scope::All, "restored afterwards");
    }
}
