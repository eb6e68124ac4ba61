//! Who acts right now, and from where (issue 14): set around each command
//! by the API (`api::dispatch_as`), around the CLI's work and the scheduler's
//! passes, and read when something is recorded (audit entries with their
//! origin, profile versions, assignment runs). Its own module so that
//! `audit` and `access` both use it without using each other.

use depot_domain::access::Origin;

use crate::Depot;

/// Who acts and from where, for what gets recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub name: String,
    pub origin: Origin,
    /// The acting account's scope tags (empty: every token), applied by
    /// `scope`.
    pub scope_tags: Vec<String>,
}

impl Acting {
    /// The workspace's owner or the scheduler: every token.
    pub fn unlimited(name: impl Into<String>, origin: Origin) -> Self {
        Self {
            name: name.into(),
            origin,
            scope_tags: Vec::new(),
        }
    }
}

tokio::task_local! {
    static ACTING: Acting;
}

thread_local! {
    static ACTING_HERE: std::cell::RefCell<Option<Acting>> = const { std::cell::RefCell::new(None) };
}

/// Runs `work` on behalf of `acting`: the audit entries (with their origin),
/// profile versions and assignment runs it writes name the person instead of
/// the workspace's operator. The API wraps every command in it; the CLI and
/// the scheduler mark their origin the same way.
pub async fn acting_as<F: std::future::Future>(acting: Acting, work: F) -> F::Output {
    ACTING.scope(acting, work).await
}

/// [`acting_as`] for work on a blocking thread (the API's store-bound
/// commands): who acts travels with the work.
pub fn acting_as_blocking<T>(acting: Option<Acting>, work: impl FnOnce() -> T) -> T {
    let previous = ACTING_HERE.with(|cell| cell.replace(acting));
    let out = work();
    ACTING_HERE.with(|cell| *cell.borrow_mut() = previous);
    out
}

/// Who acts right now, if a command set it ([`acting_as`]).
pub fn acting_now() -> Option<Acting> {
    ACTING
        .try_with(Clone::clone)
        .ok()
        .or_else(|| ACTING_HERE.with(|cell| cell.borrow().clone()))
}

impl Depot {
    /// The name to record for what is being done now: the acting person, or
    /// the workspace's operator.
    pub(crate) fn acting_operator(&self) -> String {
        acting_now().map_or_else(|| self.operator.clone(), |a| a.name)
    }
}
