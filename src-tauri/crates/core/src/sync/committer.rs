//! Commits page groups on a blocking thread while the page loop downloads the
//! next pages: Apple's answer time and Depot's writes overlap instead of
//! adding up.
//!
//! Order and crash safety are unchanged: groups are committed one after the
//! other, in the order they were read, each with the cursor that follows its
//! last page in the same transaction. At most [`QUEUED_GROUPS`] groups wait
//! behind the one being written, which bounds memory.

use depot_domain::device::latest_per_serial;
use depot_domain::{DeviceChange, TokenId};
use depot_store::Db;
use depot_store::sync::Applied;
use tokio::sync::mpsc;

use crate::Result;
use crate::sync::{SyncControl, SyncProgress};

/// Groups read ahead of the one being committed.
const QUEUED_GROUPS: usize = 1;

/// Pages read, with the cursor after the last of them.
pub(super) struct Group {
    pub pages: Vec<Vec<DeviceChange>>,
    pub cursor: String,
    /// The full fetch listing these devices (fetch phase), if any.
    pub seen: Option<i64>,
    /// The time written on the devices.
    pub now: i64,
}

pub(super) struct Committer {
    groups: Option<mpsc::Sender<Group>>,
    acks: mpsc::UnboundedReceiver<Result<(u32, Applied)>>,
    in_flight: usize,
    writer: Option<tokio::task::JoinHandle<()>>,
}

impl Committer {
    /// Starts the writer on its own connection.
    pub fn start(db: Db, token: TokenId, run: i64) -> Self {
        let (groups, mut incoming) = mpsc::channel::<Group>(QUEUED_GROUPS);
        let (acks_tx, acks) = mpsc::unbounded_channel();
        let writer = tokio::task::spawn_blocking(move || {
            while let Some(group) = incoming.blocking_recv() {
                let result = commit(&db, token, run, group);
                let failed = result.is_err();
                if acks_tx.send(result).is_err() || failed {
                    break;
                }
            }
        });
        Self {
            groups: Some(groups),
            acks,
            in_flight: 0,
            writer: Some(writer),
        }
    }

    /// Queues a group (waits while the queue is full) and reports the groups
    /// committed meanwhile. A commit that failed is returned here or by the
    /// next call.
    pub async fn submit(
        &mut self,
        group: Group,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        self.take_ready(control, on_progress)?;
        let sent = match &self.groups {
            Some(groups) => groups.send(group).await.is_ok(),
            None => false,
        };
        if sent {
            self.in_flight += 1;
            Ok(())
        } else {
            // The writer stopped: its last answer says why.
            self.drain(control, on_progress).await?;
            Err(crate::CoreError::Internal(
                "the sync writer stopped unexpectedly".into(),
            ))
        }
    }

    /// Nothing is being committed: a group handed over now is written at once.
    pub fn idle(
        &mut self,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<bool> {
        self.take_ready(control, on_progress)?;
        Ok(self.in_flight == 0)
    }

    /// Waits until every queued group is committed.
    pub async fn drain(
        &mut self,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        while self.in_flight > 0 {
            match self.acks.recv().await {
                Some(ack) => {
                    self.in_flight -= 1;
                    report(ack?, control, on_progress);
                }
                None => {
                    self.in_flight = 0;
                    return Err(crate::CoreError::Internal(
                        "the sync writer stopped unexpectedly".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Stops the writer once its queue is committed.
    pub async fn finish(
        mut self,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        let drained = self.drain(control, on_progress).await;
        self.groups = None;
        if let Some(writer) = self.writer.take() {
            writer
                .await
                .map_err(|e| crate::CoreError::Internal(format!("the sync writer failed: {e}")))?;
        }
        drained
    }

    fn take_ready(
        &mut self,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        while let Ok(ack) = self.acks.try_recv() {
            self.in_flight -= 1;
            report(ack?, control, on_progress);
        }
        Ok(())
    }
}

fn report(
    (pages, applied): (u32, Applied),
    control: &SyncControl,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) {
    control.update(|p| {
        p.pages += pages;
        p.added += applied.added;
        p.modified += applied.modified;
        p.removed += applied.removed;
    });
    on_progress(&control.progress());
}

/// One transaction: the group's devices, then the cursor that follows them.
fn commit(db: &Db, token: TokenId, run: i64, group: Group) -> Result<(u32, Applied)> {
    let page_count = group.pages.len() as u32;
    // The group as one list, latest record per serial, in serial order: every
    // index keyed by serial then takes its inserts in order instead of at
    // random places (Apple lists devices by op time).
    let mut changes = latest_per_serial(group.pages.into_iter().flatten().collect());
    changes.sort_unstable_by(|a, b| a.record.serial.as_str().cmp(b.record.serial.as_str()));
    let applied = db.write(|db| -> Result<Applied> {
        let total = db.apply_device_changes(token, &changes, group.seen, group.now)?;
        db.set_cursor(token, &group.cursor, group.now)?;
        db.add_to_sync_run(run, page_count, total)?;
        Ok(total)
    })?;
    Ok((page_count, applied))
}
