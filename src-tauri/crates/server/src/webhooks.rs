//! Alert delivery to webhooks (issue 16, ALR-4): while `depot serve` runs,
//! every `interval` it asks core what each webhook has not been told (an
//! alert raised, worse, better or cleared) and POSTs it. A failed message
//! is tried again within the pass (waits doubling from `first_wait`, or
//! Apple-style `Retry-After`, at most `attempts` tries); after that the
//! webhook rests, doubling from one interval up to `max_rest`, and the news
//! waits for it. Every delivery, good or failed, is in the audit log.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use depot_core::Depot;
/// The policy, client and sending live in core (the API's "Send test"
/// uses them too).
pub use depot_core::webhooks::{WebhookPolicy, client, send};

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PassReport {
    pub delivered: usize,
    pub failed: usize,
    /// Left for later: their webhook is resting after failures.
    pub resting: usize,
}

/// The webhooks resting after failures: id → (failed passes, until).
#[derive(Debug, Default)]
pub struct Rests(HashMap<i64, (u32, Instant)>);

/// One pass: every message not yet delivered to a webhook that is not
/// resting, sent and recorded.
pub async fn deliver_once(
    depot: &Arc<Depot>,
    client: &reqwest::Client,
    policy: &WebhookPolicy,
    rests: &mut Rests,
) -> depot_core::Result<PassReport> {
    let deliveries = {
        let depot = Arc::clone(depot);
        tokio::task::spawn_blocking(move || depot.webhook_deliveries())
            .await
            .map_err(|e| {
                depot_core::CoreError::Internal(format!("alert evaluation stopped: {e}"))
            })??
    };
    let mut report = PassReport::default();
    let now = Instant::now();
    let mut failed_hooks: HashMap<i64, bool> = HashMap::new();
    for delivery in &deliveries {
        if rests
            .0
            .get(&delivery.webhook_id)
            .is_some_and(|(_, until)| *until > now)
            || failed_hooks.get(&delivery.webhook_id) == Some(&true)
        {
            report.resting += 1;
            continue;
        }
        let (outcome, tries) = send(client, delivery, policy).await;
        let ok = outcome.is_ok();
        if let Err(err) = &outcome {
            tracing::warn!(webhook = %delivery.webhook_name, alert = %delivery.alert_key, %err, "webhook delivery failed");
        }
        let depot = Arc::clone(depot);
        let recorded = delivery.clone();
        tokio::task::spawn_blocking(move || {
            depot.record_webhook_delivery(&recorded, outcome, tries)
        })
        .await
        .map_err(|e| {
            depot_core::CoreError::Internal(format!("recording a delivery stopped: {e}"))
        })??;
        if ok {
            report.delivered += 1;
            failed_hooks.entry(delivery.webhook_id).or_insert(false);
        } else {
            report.failed += 1;
            // The rest of this webhook's news waits for its next turn.
            failed_hooks.insert(delivery.webhook_id, true);
        }
    }
    for (hook, failed) in failed_hooks {
        if failed {
            let passes = rests.0.get(&hook).map_or(0, |(n, _)| *n) + 1;
            let rest = policy
                .interval
                .saturating_mul(2u32.saturating_pow(passes.saturating_sub(1)))
                .min(policy.max_rest);
            rests.0.insert(hook, (passes, Instant::now() + rest));
        } else {
            rests.0.remove(&hook);
        }
    }
    Ok(report)
}

/// Delivers alerts until the process ends.
pub async fn run(depot: Arc<Depot>, policy: WebhookPolicy) {
    let client = client(&policy);
    let mut rests = Rests::default();
    loop {
        match deliver_once(&depot, &client, &policy, &mut rests).await {
            Ok(report) if report.delivered + report.failed > 0 => {
                tracing::info!(
                    delivered = report.delivered,
                    failed = report.failed,
                    resting = report.resting,
                    "alerts delivered to webhooks"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "alerts could not be evaluated for webhooks"),
        }
        tokio::time::sleep(policy.interval).await;
    }
}
