//! Apple's pacing rules for one token (SYN-2): a manual sync at most every
//! 15 minutes, a full fetch at most every 7 days; simulator and test-URL
//! tokens may ignore them on request.

use depot_store::tokens::TokenRow;

use super::*;
use crate::{CoreError, Depot, Result};

impl Depot {
    pub(super) fn pacing_exempt(&self, row: &TokenRow, request: &SyncRequest) -> Result<bool> {
        if !request.ignore_pacing {
            return Ok(false);
        }
        if self.overview_simulator(row) {
            Ok(true)
        } else {
            Err(CoreError::InvalidInput {
                field: "ignorePacing",
                message: "Apple's pacing rules always apply to tokens from Apple; only simulator tokens may ignore them".into(),
            })
        }
    }

    /// Tokens of Depot's simulator or of a test URL (see
    /// [`crate::tokens::is_test_token`]); never a token of Apple's service.
    pub(super) fn overview_simulator(&self, row: &TokenRow) -> bool {
        crate::tokens::is_test_token(row)
    }

    /// Checks SYN-1 pacing for a run that is about to start.
    pub(super) fn check_pacing(
        &self,
        row: &TokenRow,
        request: &SyncRequest,
        exempt: bool,
    ) -> Result<()> {
        if exempt {
            return Ok(());
        }
        let state = self.workspace.connect()?.sync_state(row.id)?;
        let now = self.clock.now();
        if request.trigger == SyncTrigger::Manual
            && let Some(last) = state.last_manual_at
            && now < last + MANUAL_SYNC_INTERVAL
        {
            return Err(CoreError::SyncTooSoon {
                what: "a manual sync",
                allowed_at: last + MANUAL_SYNC_INTERVAL,
            });
        }
        if request.full
            && let Some(last) = state.last_full_at
            && now < last + FULL_SYNC_INTERVAL
        {
            return Err(CoreError::SyncTooSoon {
                what: "a full sync",
                allowed_at: last + FULL_SYNC_INTERVAL,
            });
        }
        Ok(())
    }
}
