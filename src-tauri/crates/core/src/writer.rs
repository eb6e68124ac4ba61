//! A background writer: transactions run on a blocking thread, in the order
//! they were handed over, while the caller goes on talking to Apple. Apple's
//! answer time and Depot's writes then overlap instead of adding up.
//!
//! Crash safety is the job's: each job is one transaction, committed after the
//! ones before it. At most `queued` jobs wait behind the one being written,
//! which bounds memory and how far the caller runs ahead.

use depot_store::Db;
use tokio::sync::mpsc;

use crate::{CoreError, Result};

pub(crate) struct Writer<J, A> {
    jobs: Option<mpsc::Sender<J>>,
    acks: mpsc::UnboundedReceiver<Result<A>>,
    in_flight: usize,
    thread: Option<tokio::task::JoinHandle<()>>,
}

fn stopped() -> CoreError {
    CoreError::Internal("the background writer stopped unexpectedly".into())
}

impl<J: Send + 'static, A: Send + 'static> Writer<J, A> {
    /// Starts the writer on its own connection; `work` commits one job. The
    /// first failed job stops it: its error reaches the caller.
    pub fn start(
        db: Db,
        queued: usize,
        mut work: impl FnMut(&Db, J) -> Result<A> + Send + 'static,
    ) -> Self {
        let (jobs, mut incoming) = mpsc::channel::<J>(queued.max(1));
        let (acks_tx, acks) = mpsc::unbounded_channel();
        let thread = tokio::task::spawn_blocking(move || {
            while let Some(job) = incoming.blocking_recv() {
                let result = work(&db, job);
                let failed = result.is_err();
                if acks_tx.send(result).is_err() || failed {
                    break;
                }
            }
        });
        Self {
            jobs: Some(jobs),
            acks,
            in_flight: 0,
            thread: Some(thread),
        }
    }

    /// Queues a job (waits while the queue is full); `on_ack` sees the jobs
    /// committed meanwhile. A failed commit is returned here or by the next call.
    pub async fn submit(&mut self, job: J, on_ack: &mut impl FnMut(A)) -> Result<()> {
        self.take_ready(on_ack)?;
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(job).await.is_ok(),
            None => false,
        };
        if sent {
            self.in_flight += 1;
            Ok(())
        } else {
            // The writer stopped: its last answer says why.
            self.drain(on_ack).await?;
            Err(stopped())
        }
    }

    /// Waits until every queued job is committed.
    pub async fn drain(&mut self, on_ack: &mut impl FnMut(A)) -> Result<()> {
        while self.in_flight > 0 {
            let Some(ack) = self.acks.recv().await else {
                self.in_flight = 0;
                return Err(stopped());
            };
            self.in_flight -= 1;
            on_ack(ack?);
        }
        Ok(())
    }

    /// Stops the writer once its queue is committed.
    pub async fn finish(mut self, on_ack: &mut impl FnMut(A)) -> Result<()> {
        let drained = self.drain(on_ack).await;
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            thread
                .await
                .map_err(|e| CoreError::Internal(format!("the background writer failed: {e}")))?;
        }
        drained
    }

    fn take_ready(&mut self, on_ack: &mut impl FnMut(A)) -> Result<()> {
        while let Ok(ack) = self.acks.try_recv() {
            self.in_flight -= 1;
            on_ack(ack?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, depot_store::Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = depot_store::Workspace::open(dir.path()).unwrap();
        (dir, ws)
    }

    #[tokio::test]
    async fn jobs_are_committed_in_order_and_acknowledged() {
        let (_dir, ws) = db();
        let mut writer = Writer::start(ws.connect().unwrap(), 1, |db: &Db, n: u32| {
            db.write(|db| db.put_setting("writer.last", Some(&n.to_string())))?;
            Ok(n)
        });
        let mut seen = Vec::new();
        for n in 1..=20 {
            writer.submit(n, &mut |a| seen.push(a)).await.unwrap();
        }
        writer.drain(&mut |a| seen.push(a)).await.unwrap();
        writer.finish(&mut |a| seen.push(a)).await.unwrap();
        assert_eq!(seen, (1..=20).collect::<Vec<_>>());
        let last = ws.connect().unwrap().setting("writer.last").unwrap();
        assert_eq!(last.as_deref(), Some("20"));
    }

    #[tokio::test]
    async fn a_failed_job_stops_the_writer_and_reaches_the_caller() {
        let (_dir, ws) = db();
        let mut writer = Writer::start(ws.connect().unwrap(), 1, |_db: &Db, n: u32| {
            if n == 3 {
                Err(CoreError::Internal("job 3 failed".into()))
            } else {
                Ok(n)
            }
        });
        let mut seen = Vec::new();
        let mut failure = None;
        for n in 1..=10 {
            if let Err(err) = writer.submit(n, &mut |a| seen.push(a)).await {
                failure = Some(err);
                break;
            }
        }
        let failure = match failure {
            Some(err) => err,
            None => writer.drain(&mut |a| seen.push(a)).await.unwrap_err(),
        };
        assert!(failure.to_string().contains("job 3 failed"), "{failure}");
        assert_eq!(seen, [1, 2], "nothing after the failed job is committed");
    }
}
