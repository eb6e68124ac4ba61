//! Background changes pushed to the UI (the desktop shell emits them as the
//! [`CHANGE_EVENT`] event); the UI refreshes what each one touches.

use depot_core::Change;
use serde::Serialize;
use ts_rs::TS;

/// The name of the desktop event carrying a [`ChangeEvent`].
pub const CHANGE_EVENT: &str = "depot:changed";

/// What changed in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    SyncProgress,
    SyncFinished,
    AssignmentProgress,
    AssignmentFinished,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEvent {
    pub kind: ChangeKind,
    pub token_id: String,
    /// The assignment run, for the assignment kinds.
    pub run_id: Option<String>,
}

impl From<Change> for ChangeEvent {
    fn from(change: Change) -> Self {
        let (kind, token, run) = match change {
            Change::SyncProgress { token } => (ChangeKind::SyncProgress, token, None),
            Change::SyncFinished { token } => (ChangeKind::SyncFinished, token, None),
            Change::AssignmentProgress { token, run } => {
                (ChangeKind::AssignmentProgress, token, Some(run))
            }
            Change::AssignmentFinished { token, run } => {
                (ChangeKind::AssignmentFinished, token, Some(run))
            }
        };
        ChangeEvent {
            kind,
            token_id: token.to_string(),
            run_id: run.map(|r| r.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use depot_domain::TokenId;

    use super::*;

    #[test]
    fn changes_are_named_for_the_ui() {
        let token = TokenId::new(3);
        let json = serde_json::to_value(ChangeEvent::from(Change::AssignmentFinished {
            token,
            run: depot_domain::RunId::new(12),
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "assignmentFinished", "tokenId": "3", "runId": "12"})
        );
        let json = serde_json::to_value(ChangeEvent::from(Change::SyncFinished { token })).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "syncFinished", "tokenId": "3", "runId": null})
        );
    }
}
