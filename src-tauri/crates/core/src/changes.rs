//! What changed in the workspace while nobody asked: syncs and assignment runs
//! that progress or end in the background. The desktop shell forwards these to
//! the UI, which refreshes what they touch instead of waiting for its next poll.
//! Sending never blocks and nobody has to listen.

use depot_domain::{RunId, TokenId};
use tokio::sync::broadcast;

use crate::Depot;

/// One change, small on purpose: listeners re-read what they show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A sync of the token committed pages.
    SyncProgress { token: TokenId },
    /// A sync of the token ended (done, failed or cancelled).
    SyncFinished { token: TokenId },
    /// An assignment run committed a batch of Apple's answers.
    AssignmentProgress { token: TokenId, run: RunId },
    /// An assignment run ended.
    AssignmentFinished { token: TokenId, run: RunId },
}

impl Change {
    /// The token the change is about.
    pub fn token(&self) -> TokenId {
        match *self {
            Change::SyncProgress { token }
            | Change::SyncFinished { token }
            | Change::AssignmentProgress { token, .. }
            | Change::AssignmentFinished { token, .. } => token,
        }
    }
}

/// Changes not yet read by a slow listener; older ones are dropped for it.
const BUFFERED: usize = 256;

pub(crate) struct Changes(broadcast::Sender<Change>);

impl Default for Changes {
    fn default() -> Self {
        Self(broadcast::channel(BUFFERED).0)
    }
}

impl Changes {
    pub(crate) fn send(&self, change: Change) {
        // No listener is fine.
        let _ = self.0.send(change);
    }
}

impl Depot {
    /// Every change from now on. A listener that falls more than 256 behind
    /// misses the oldest (`RecvError::Lagged`) and should re-read everything.
    pub fn subscribe_changes(&self) -> broadcast::Receiver<Change> {
        self.changes.0.subscribe()
    }
}
