//! Writers of one process take turns, in the order they asked (issue 14's
//! load benchmark found the need). SQLite's busy handler retries by sleeping,
//! so a writer that commits back to back (a sync's page groups while the
//! machine is busy) can hold the lock longer than the busy timeout while
//! another writer keeps missing the short gaps between its commits: an
//! admin's assignment failed with "database is locked" during a sync under
//! load. A queue in front of `BEGIN IMMEDIATE` gives each writer its turn.
//! Writers in other processes (the CLI next to a server) still meet SQLite's
//! busy timeout; a writer that waits here longer than that goes ahead
//! without its turn, so this never waits forever.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Default, Debug)]
struct Queue {
    next: u64,
    waiting: VecDeque<u64>,
    held: bool,
}

#[derive(Default, Debug)]
pub(crate) struct WriteTurns {
    queue: Mutex<Queue>,
    changed: Condvar,
}

/// A writer's turn; the next one's starts when it is dropped.
pub(crate) struct Turn<'a> {
    turns: &'a WriteTurns,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut queue = self
            .turns
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        queue.held = false;
        drop(queue);
        self.turns.changed.notify_all();
    }
}

impl WriteTurns {
    /// Waits for this writer's turn, at most `patience`; `None`: it went
    /// ahead without one.
    pub(crate) fn take(&self, patience: Duration) -> Option<Turn<'_>> {
        let deadline = Instant::now() + patience;
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let me = queue.next;
        queue.next += 1;
        queue.waiting.push_back(me);
        loop {
            if !queue.held && queue.waiting.front() == Some(&me) {
                queue.waiting.pop_front();
                queue.held = true;
                return Some(Turn { turns: self });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                queue.waiting.retain(|w| *w != me);
                drop(queue);
                self.changed.notify_all();
                return None;
            }
            queue = self
                .changed
                .wait_timeout(queue, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn writers_take_turns_in_the_order_they_asked() {
        let turns = Arc::new(WriteTurns::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = turns.take(Duration::from_secs(10)).unwrap();
        let mut waiting = Vec::new();
        for i in 0..4 {
            let (mine, order) = (Arc::clone(&turns), Arc::clone(&order));
            waiting.push(std::thread::spawn(move || {
                let _turn = mine.take(Duration::from_secs(10)).unwrap();
                order.lock().unwrap().push(i);
            }));
            // Each asks after the one before is queued.
            while turns.queue.lock().unwrap().waiting.len() < i + 1 {
                std::thread::yield_now();
            }
        }
        drop(first);
        for t in waiting {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn a_writer_that_waited_too_long_goes_ahead_and_the_queue_moves_on() {
        let turns = WriteTurns::default();
        let held = turns.take(Duration::from_secs(1)).unwrap();
        assert!(turns.take(Duration::from_millis(20)).is_none());
        drop(held);
        assert!(turns.take(Duration::from_millis(20)).is_some());
    }
}
