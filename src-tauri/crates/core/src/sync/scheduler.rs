//! The background scheduler (SYN-1): every token is synced when it is due
//! (every 12 hours), one at a time, while Depot runs; Apps and Books tokens'
//! licence counts and the organisations (Apple Business/School Manager API
//! accounts) on the same rhythm.

use std::sync::Arc;

use depot_domain::TokenId;

use super::*;
use crate::{Depot, Result};

impl Depot {
    /// One pass of the automatic scheduler: every token whose last successful
    /// sync is 12 hours old (or that never synced) and is not syncing gets an
    /// automatic delta sync in the background. Returns the tokens started.
    pub fn run_due_syncs(self: &Arc<Self>) -> Result<Vec<TokenId>> {
        let now = self.clock.now();
        let mut started = Vec::new();
        for row in self.workspace.connect()?.list_tokens()? {
            if row.rejected || row.terms_not_accepted || row.expires_at <= now {
                continue;
            }
            let state = self.workspace.connect()?.sync_state(row.id)?;
            let due = state
                .last_success_at
                .is_none_or(|t| now >= t + AUTO_SYNC_INTERVAL);
            let retry_wait = state
                .last_error_at
                .is_some_and(|t| now < t + MANUAL_SYNC_INTERVAL);
            if due && !retry_wait && self.sync_progress(row.id).is_none() {
                match self.start_sync(row.id, SyncRequest::automatic()) {
                    Ok(_) => started.push(row.id),
                    Err(err) => tracing::info!(token = %row.id, %err, "automatic sync not started"),
                }
            }
        }
        Ok(started)
    }

    /// Runs the scheduler until the process ends: at start, then every minute.
    pub async fn run_scheduler(self: Arc<Self>) {
        let acting = crate::acting::Acting::unlimited(
            self.operator.clone(),
            crate::access::Origin::Scheduler,
        );
        loop {
            let pass = crate::acting::acting_as(acting.clone(), async { self.run_due_syncs() });
            if let Err(err) = pass.await {
                tracing::warn!(%err, "sync scheduler pass failed");
            }
            // Serials Apple throttled, kept by an earlier run, once Apple allows.
            let depot = Arc::clone(&self);
            tokio::spawn(async move {
                if let Err(err) = depot.send_due_follow_ups().await {
                    tracing::warn!(%err, "throttled serials could not be sent yet");
                }
            });
            // Apps and Books tokens: licence counts every 12 hours too.
            let depot = Arc::clone(&self);
            let acting_vpp = acting.clone();
            tokio::spawn(crate::acting::acting_as(acting_vpp, async move {
                if let Err(err) = depot.sync_due_vpp_tokens().await {
                    tracing::warn!(%err, "Apps and Books tokens could not be synced");
                }
            }));
            // Organisation activities whose follower stopped (issue 17), and
            // each organisation read again every 12 hours.
            let depot = Arc::clone(&self);
            tokio::spawn(crate::acting::acting_as(acting.clone(), async move {
                if let Err(err) = depot.resume_org_activities().await {
                    tracing::warn!(%err, "organisation activities could not be followed");
                }
                if let Err(err) = depot.sync_due_org_accounts().await {
                    tracing::warn!(%err, "the organisations could not be read");
                }
            }));
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    }
}
