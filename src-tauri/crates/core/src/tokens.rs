use depot_domain::{TokenId, TokenStatus, TokenStatusInput};

use crate::{Depot, Result};

/// A token as the token list shows it (TOK-4). No secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOverview {
    pub id: TokenId,
    pub server_name: String,
    pub org_name: String,
    pub apple_id: String,
    pub expires_at: i64,
    pub status: TokenStatus,
    pub device_count: u64,
    pub profile_count: u64,
    pub scope_tags: Vec<String>,
}

impl Depot {
    /// Every token with its status as of the injected clock's "now".
    pub fn list_tokens(&self) -> Result<Vec<TokenOverview>> {
        let now = self.clock.now();
        let rows = self.workspace.connect()?.list_tokens()?;
        Ok(rows
            .into_iter()
            .map(|row| TokenOverview {
                status: TokenStatus::evaluate(
                    TokenStatusInput {
                        expires_at: row.expires_at,
                        terms_not_accepted: row.terms_not_accepted,
                        rejected_by_apple: row.rejected,
                    },
                    now,
                ),
                id: row.id,
                server_name: row.server_name,
                org_name: row.org_name,
                apple_id: row.apple_id,
                expires_at: row.expires_at,
                device_count: row.device_count,
                profile_count: row.profile_count,
                scope_tags: row.scope_tags,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use depot_store::tokens::NewToken;

    use super::*;
    use crate::FixedClock;

    #[test]
    fn status_uses_the_injected_clock() {
        let clock = Arc::new(FixedClock::at(1_000_000));
        let depot = Depot::open_in_memory(clock.clone()).unwrap();
        depot
            .workspace()
            .connect()
            .unwrap()
            .insert_token(&NewToken {
                server_name: "Sales",
                server_uuid: "U",
                org_name: "Org",
                apple_id: "a@example.com",
                expires_at: 1_000_000 + 40 * 86_400,
                created_at: 1,
            })
            .unwrap();
        assert_eq!(depot.list_tokens().unwrap()[0].status, TokenStatus::Ok);
        clock.advance(20 * 86_400);
        assert_eq!(
            depot.list_tokens().unwrap()[0].status,
            TokenStatus::Expiring
        );
        clock.advance(20 * 86_400);
        assert_eq!(depot.list_tokens().unwrap()[0].status, TokenStatus::Expired);
    }
}
