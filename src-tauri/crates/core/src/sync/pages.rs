//! The page loop of a sync: fetch or sync pages from Apple, hand each group
//! of pages (with the cursor after them) to the writer thread, and finish a
//! full fetch by marking what it did not list as removed.

use depot_apple::{AppleError, CursorError, DevicePage};
use depot_domain::device::latest_per_serial;
use depot_domain::{SyncRunId, UnixSeconds};
use depot_store::sync::Applied;
use depot_store::tokens::TokenRow;

use super::*;
use crate::writer::Writer;
use crate::{CoreError, Depot, Result};

/// What the page loop works on: one run of one token.
pub(super) struct PageLoop<'a> {
    pub row: &'a TokenRow,
    pub run: SyncRunId,
    pub kind: SyncKind,
    /// A full fetch that a killed run left half done continues.
    pub resume_fetch: bool,
    pub request: SyncRequest,
    pub control: &'a SyncControl,
    pub on_progress: &'a (dyn Fn(&SyncProgress) + Send + Sync),
}

/// A group is committed at the latest this many seconds after its first page.
const COMMIT_AFTER_SECONDS: i64 = 2;

/// The same cursor echoed with `more_to_follow` this many times → stop.
const ECHO_LIMIT: u32 = 3;

/// Pages read but not yet committed.
#[derive(Default)]
struct PageBatch {
    pages: Vec<Vec<depot_domain::DeviceChange>>,
    /// The cursor after the last buffered page.
    cursor: Option<String>,
    /// The full fetch listing these devices (fetch phase), if any.
    seen: Option<SyncRunId>,
    /// When the first buffered page arrived.
    since: UnixSeconds,
}

/// Pages handed to the writer, with the cursor after the last of them.
struct Group {
    pages: Vec<Vec<depot_domain::DeviceChange>>,
    cursor: String,
    /// The full fetch listing these devices (fetch phase), if any.
    seen: Option<SyncRunId>,
    /// The time written on the devices.
    now: UnixSeconds,
}

/// What the writer thread commits, each in one transaction, in order.
enum Job {
    Pages(Group),
    /// The full fetch `fetch` listed every device: what it did not list is
    /// removed, and the devices it added join the identifier index. On the
    /// writer's connection, whose page cache holds the index already.
    CompleteFetch {
        fetch: SyncRunId,
        now: UnixSeconds,
    },
}

/// Groups read ahead of the one being committed.
const QUEUED_GROUPS: usize = 1;

type Committer = Writer<Job, (u32, Applied)>;

/// Commits one job.
fn commit(
    db: &depot_store::Db,
    token: TokenId,
    run: SyncRunId,
    job: Job,
) -> Result<(u32, Applied)> {
    match job {
        Job::Pages(group) => commit_group(db, token, run, group),
        Job::CompleteFetch { fetch, now } => {
            let applied = db.write(|db| -> Result<Applied> {
                let applied = Applied {
                    removed: db.complete_full_fetch(token, fetch, now)?,
                    ..Applied::default()
                };
                db.add_to_sync_run(run, 0, applied)?;
                Ok(applied)
            })?;
            Ok((0, applied))
        }
    }
}

/// One transaction: the group's devices, then the cursor that follows them.
fn commit_group(
    db: &depot_store::Db,
    token: TokenId,
    run: SyncRunId,
    group: Group,
) -> Result<(u32, Applied)> {
    let page_count = group.pages.len() as u32;
    // The group as one list, latest record per serial, in serial order: every
    // index keyed by serial then takes its inserts in order instead of at
    // random places (Apple lists devices by op time).
    let mut changes = latest_per_serial(group.pages.into_iter().flatten().collect());
    changes.sort_unstable_by(|a, b| a.record.serial.as_str().cmp(b.record.serial.as_str()));
    let applied = db.write(|db| -> Result<Applied> {
        // A full fetch's new devices join the identifier index when it completes.
        let total = match group.seen {
            Some(fetch) => db.apply_fetched_devices(token, &changes, fetch, group.now)?,
            None => db.apply_device_changes(token, &changes, None, group.now)?,
        };
        db.set_cursor(token, &group.cursor, group.now)?;
        db.add_to_sync_run(run, page_count, total)?;
        Ok(total)
    })?;
    Ok((page_count, applied))
}

/// Progress once a group is committed.
fn committed<'a>(
    control: &'a SyncControl,
    on_progress: &'a (dyn Fn(&SyncProgress) + Send + Sync),
) -> impl FnMut((u32, Applied)) + 'a {
    move |(pages, applied)| {
        control.update(|p| {
            p.pages += pages;
            p.added += applied.added;
            p.modified += applied.modified;
            p.removed += applied.removed;
        });
        on_progress(&control.progress());
    }
}

impl Depot {
    /// The page loop. `Ok(true)` when cancelled (admin or budget).
    pub(super) async fn sync_pages(&self, job: PageLoop<'_>) -> Result<bool> {
        let PageLoop {
            row,
            run,
            kind,
            resume_fetch,
            request,
            control,
            on_progress,
        } = job;
        // Pages are committed in groups: one transaction per group, the cursor
        // of its last page after its devices. Far fewer WAL writes than one
        // transaction per page (200,000 devices: 4.5 s → 1.8 s in the store
        // alone), and a crash still resumes from a committed cursor. The
        // groups are written by their own thread while the next pages
        // download.
        let token = row.id;
        let mut committer: Committer =
            Writer::start(self.workspace.connect()?, QUEUED_GROUPS, move |db, job| {
                commit(db, token, run, job)
            });
        let result: Result<bool> = async {
            let id = row.id;
            let secrets = self.token_secrets(id)?;
            let url = self.apple_url_for(row).await?;
            let started = self.clock.now();
            // Apple's Retry-After is waited for only within the run's budget.
            let client = self
                .apple_client(&url, secrets.credentials)
                .with_deadline(started + request.budget);
            let mut phase = if kind == SyncKind::Full {
                SyncPhase::Fetch
            } else {
                SyncPhase::Sync
            };
            let mut restarted = false;
            let mut cursor = if kind == SyncKind::Delta || resume_fetch {
                self.workspace.connect()?.sync_state(id)?.cursor
            } else {
                None
            };
            let mut fetch_run = if resume_fetch {
                self.workspace
                    .connect()?
                    .sync_state(id)?
                    .fetch_run
                    .unwrap_or(run)
            } else {
                run
            };
            let mut echoes = 0;
            let db = self.workspace.connect()?;
            let mut batch = PageBatch::default();
            loop {
                if control.cancelled() || self.clock.now() - started >= request.budget {
                    self.flush_and_wait(&mut committer, &mut batch, control, on_progress)
                    .await?;
                    return Ok(true);
                }
                let page = match phase {
                    SyncPhase::Fetch => client.fetch_devices(cursor.as_deref(), PAGE_LIMIT).await,
                    _ => match cursor.as_deref() {
                        Some(c) => client.sync_devices(c, PAGE_LIMIT).await,
                        None => Err(AppleError::Cursor(CursorError::Required)),
                    },
                };
                let page: DevicePage = match page {
                    Ok(page) => page,
                    Err(err) => {
                        // Keep what was read before the failure.
                        self.flush_and_wait(&mut committer, &mut batch, control, on_progress)
                    .await?;
                        match err {
                            AppleError::Cursor(CursorError::Exhausted) if phase == SyncPhase::Fetch => {
                                // Every device was delivered already (a resumed fetch): finish it.
                                self.finish_fetch(&mut committer, fetch_run, control, on_progress)
                                    .await?;
                                phase = SyncPhase::Sync;
                                continue;
                            }
                            AppleError::Cursor(problem) if !restarted => {
                                tracing::info!(token = %id, %problem, "cursor refused; starting a full fetch");
                                restarted = true;
                                db.write(|db| -> Result<()> {
                                    db.set_sync_run_kind(run, SyncKind::Full.as_str())?;
                                    Ok(db.begin_full_fetch(id, run)?)
                                })?;
                                control.update(|p| {
                                    p.kind = SyncKind::Full;
                                    p.phase = SyncPhase::Fetch;
                                });
                                phase = SyncPhase::Fetch;
                                cursor = None;
                                fetch_run = run;
                                continue;
                            }
                            err => return Err(err.into()),
                        }
                    }
                };
                if cursor.as_deref() == Some(page.cursor.as_str())
                    && page.more_to_follow
                    && page.changes.is_empty()
                {
                    echoes += 1;
                    if echoes >= ECHO_LIMIT {
                        self.flush_and_wait(&mut committer, &mut batch, control, on_progress)
                    .await?;
                        return Err(CoreError::EchoedCursor);
                    }
                } else {
                    echoes = 0;
                }
                batch.seen = (phase == SyncPhase::Fetch).then_some(fetch_run);
                if batch.pages.is_empty() {
                    batch.since = self.clock.now();
                }
                batch.pages.push(latest_per_serial(page.changes));
                batch.cursor = Some(page.cursor.clone());
                cursor = Some(page.cursor);
                // Commit when the group is full, when Apple is slow (progress every
                // couple of seconds), and at the end. Fewer, larger groups cost
                // less in all: a commit rewrites every index page it touches, and
                // a group of random serials touches most of them.
                if batch.pages.len() >= request.pages_per_commit.max(1) as usize
                    || self.clock.now() - batch.since >= COMMIT_AFTER_SECONDS
                    || !page.more_to_follow
                {
                    self.flush(&mut committer, &mut batch, control, on_progress)
                        .await?;
                }
                if !page.more_to_follow {
                    committer
                        .drain(&mut committed(control, on_progress))
                        .await?;
                    match phase {
                        SyncPhase::Fetch => {
                            self.finish_fetch(&mut committer, fetch_run, control, on_progress)
                                .await?;
                            phase = SyncPhase::Sync;
                        }
                        _ => return Ok(false),
                    }
                }
            }
        }
        .await;
        let finished = committer.finish(&mut committed(control, on_progress)).await;
        let cancelled = result?;
        finished?;
        Ok(cancelled)
    }

    /// [`Self::flush`], then waits until every group is committed.
    async fn flush_and_wait(
        &self,
        committer: &mut Committer,
        batch: &mut PageBatch,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        self.flush(committer, batch, control, on_progress).await?;
        committer.drain(&mut committed(control, on_progress)).await
    }

    /// Hands the buffered pages and the cursor that follows them to the
    /// committer (one transaction); progress is reported once committed.
    async fn flush(
        &self,
        committer: &mut Committer,
        batch: &mut PageBatch,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        let Some(cursor) = batch.cursor.take() else {
            return Ok(());
        };
        let group = Group {
            pages: std::mem::take(&mut batch.pages),
            cursor,
            seen: batch.seen,
            now: self.clock.now(),
        };
        committer
            .submit(Job::Pages(group), &mut committed(control, on_progress))
            .await
    }

    /// Completes the full fetch `fetch` (see [`Job::CompleteFetch`]) once
    /// every group before it is committed.
    async fn finish_fetch(
        &self,
        committer: &mut Committer,
        fetch: SyncRunId,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<()> {
        control.update(|p| p.phase = SyncPhase::Finishing);
        let job = Job::CompleteFetch {
            fetch,
            now: self.clock.now(),
        };
        committer
            .submit(job, &mut committed(control, on_progress))
            .await?;
        // Its removals are counted as it commits.
        committer
            .drain(&mut committed(control, on_progress))
            .await?;
        control.update(|p| p.phase = SyncPhase::Sync);
        on_progress(&control.progress());
        Ok(())
    }
}
