//! A clean stop (the server's SIGTERM, issue 14): every sync and assignment
//! run of this process is asked to stop after the page group or batch in
//! flight (each commits whole, and the next start resumes from there), and
//! the process waits for them, up to a limit, before it exits.

use std::time::Duration;

use crate::Depot;

impl Depot {
    /// Cancels the background work of this process and waits up to
    /// `within` for it to end. Returns how many syncs and runs were still
    /// going when it stopped waiting (0: all ended).
    pub async fn wind_down(&self, within: Duration) -> usize {
        let asked = self.syncs.cancel_all() + self.assignments.cancel_all();
        if asked > 0 {
            tracing::info!(
                asked,
                "stopping syncs and assignment runs after their current step"
            );
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let running = self.syncs.count() + self.assignments.count();
            if running == 0 || tokio::time::Instant::now() >= deadline {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
