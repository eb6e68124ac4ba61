//! Alerts delivered to webhooks (issue 16, ALR-4): a generic JSON POST, or
//! the Microsoft Teams or Slack incoming-webhook message. `depot serve`
//! delivers; this module decides what is news for each webhook (an alert
//! raised, worse, better or cleared), builds the messages, and records each
//! delivery (audited). The URL is a secret (Slack's and Teams' URLs are the
//! credential): sealed in the vault, shown only as scheme and host.

use std::time::Duration;

use depot_domain::alerts::{Alert, AlertSubject, Severity};
use depot_domain::{SecretString, UnixSeconds};
use depot_store::vault::SecretSlot;
use serde_json::{Value, json};

use crate::audit::AuditEvent;
use crate::{CoreError, Depot, Result};

/// Which message a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// Depot's own JSON document (see docs/alerts.md).
    Json,
    /// A Microsoft Teams incoming webhook (an Adaptive Card message).
    Teams,
    /// A Slack incoming webhook (`text` and `blocks`).
    Slack,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Teams => "teams",
            WebhookFormat::Slack => "slack",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            WebhookFormat::Json,
            WebhookFormat::Teams,
            WebhookFormat::Slack,
        ]
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A webhook as shown: never its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub format: WebhookFormat,
    pub min_severity: Severity,
    /// `https://hooks.slack.com/…`.
    pub url_hint: String,
    pub created_at: UnixSeconds,
    pub created_by: String,
    /// The last message it took (a test message too).
    pub last_delivered_at: Option<UnixSeconds>,
    /// The first failed delivery since the last good one.
    pub failing_since: Option<UnixSeconds>,
    /// Why the last delivery failed.
    pub last_error: Option<String>,
}

/// What `add_webhook` needs.
#[derive(Debug, Clone)]
pub struct AddWebhook<'a> {
    pub name: &'a str,
    pub url: &'a SecretString,
    pub format: WebhookFormat,
    pub min_severity: Severity,
}

/// What happened to an alert since the webhook was last told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertEvent {
    Raised,
    Worse,
    Better,
    Cleared,
    /// `depot webhooks test`.
    Test,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::Raised => "raised",
            AlertEvent::Worse => "worse",
            AlertEvent::Better => "better",
            AlertEvent::Cleared => "cleared",
            AlertEvent::Test => "test",
        }
    }
}

/// One message to send. `Debug` leaves the URL out.
#[derive(Clone)]
pub struct Delivery {
    pub webhook_id: i64,
    pub webhook_name: String,
    pub url: SecretString,
    pub event: AlertEvent,
    pub alert_key: String,
    /// The alert's severity now (`None` once cleared).
    pub severity: Option<Severity>,
    /// The JSON body to POST.
    pub body: Value,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("webhook", &self.webhook_name)
            .field("event", &self.event)
            .field("alert", &self.alert_key)
            .finish_non_exhaustive()
    }
}

/// The URL's checks: https (or http to this machine, for relays and tests),
/// a host, no credentials in it, at most 2,048 characters. Returns the hint.
pub fn check_url(url: &str) -> Result<String> {
    let bad = |why: &str| CoreError::InvalidInput {
        field: "url",
        message: format!("the webhook URL {why}"),
    };
    if url.len() > 2_048 {
        return Err(bad("is longer than 2,048 characters"));
    }
    let parsed = url::Url::parse(url.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not carry a user name or password"));
    }
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(bad(
                "must use https (plain http is allowed only to this machine: 127.0.0.1, [::1], localhost)",
            ));
        }
        other => return Err(bad(&format!("must use https, not '{other}'"))),
    }
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{host}{port}/…", parsed.scheme()))
}

fn webhook_from(row: depot_store::alerts::WebhookRow) -> Webhook {
    Webhook {
        id: row.id,
        name: row.name,
        // The table's CHECKs allow only these.
        format: WebhookFormat::parse(&row.format).unwrap_or(WebhookFormat::Json),
        min_severity: Severity::parse(&row.min_severity).unwrap_or(Severity::Warning),
        url_hint: row.url_hint,
        created_at: row.created_at,
        created_by: row.created_by,
        last_delivered_at: row.last_delivered_at,
        failing_since: row.failing_since,
        last_error: row.last_error,
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Info => "Info",
        Severity::Warning => "Warning",
        Severity::Critical => "Critical",
    }
}

fn subject_json(subject: &AlertSubject) -> Value {
    match subject {
        AlertSubject::Token { id, name } => {
            json!({"kind": "token", "id": id.get().to_string(), "name": name})
        }
        AlertSubject::VppToken { id, name } => {
            json!({"kind": "vppToken", "id": id.get().to_string(), "name": name})
        }
        AlertSubject::Run { id, token } => {
            json!({"kind": "run", "id": id.get().to_string(), "tokenId": token.get().to_string()})
        }
        AlertSubject::OrgAccount { id, name } => {
            json!({"kind": "orgAccount", "id": id.to_string(), "name": name})
        }
        AlertSubject::Webhook { id, name } => {
            json!({"kind": "webhook", "id": id.to_string(), "name": name})
        }
    }
}

/// The headline of a message: "Critical: …" / "Cleared: …".
fn headline(event: AlertEvent, alert: &Alert) -> String {
    match event {
        AlertEvent::Cleared => format!("Cleared: {}", alert.message),
        AlertEvent::Test => "Depot test message: this webhook receives Depot's alerts.".to_owned(),
        AlertEvent::Worse => format!(
            "Now {}: {}",
            severity_word(alert.severity).to_lowercase(),
            alert.message
        ),
        AlertEvent::Better => format!(
            "Now {}: {}",
            severity_word(alert.severity).to_lowercase(),
            alert.message
        ),
        AlertEvent::Raised => format!("{}: {}", severity_word(alert.severity), alert.message),
    }
}

/// The body of one message in `format`.
pub fn message(
    format: WebhookFormat,
    event: AlertEvent,
    alert: &Alert,
    workspace: &str,
    now: UnixSeconds,
) -> Value {
    let title = headline(event, alert);
    let fix = if event == AlertEvent::Cleared {
        "Nothing to do: the cause went away.".to_owned()
    } else {
        alert.action.clone()
    };
    match format {
        WebhookFormat::Json => json!({
            "source": "depot",
            "version": 1,
            "event": event.as_str(),
            "workspace": workspace,
            "at": now.rfc3339(),
            "alert": {
                "key": alert.key,
                "kind": alert.kind.as_str(),
                "severity": if event == AlertEvent::Cleared { Value::Null } else { json!(alert.severity.as_str()) },
                "subject": subject_json(&alert.subject),
                "since": alert.since.rfc3339(),
                "message": alert.message,
                "action": alert.action,
            },
        }),
        WebhookFormat::Slack => json!({
            "text": format!("Depot: {title}"),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": format!("*Depot* · {}", slack_escape(&title))}},
                {"type": "context", "elements": [
                    {"type": "mrkdwn", "text": format!("What to do: {}", slack_escape(&fix))},
                    {"type": "mrkdwn", "text": format!("Since {} · `{}`", alert.since.rfc3339(), slack_escape(&alert.key))},
                ]},
            ],
        }),
        WebhookFormat::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": "Depot", "weight": "Bolder", "size": "Small", "isSubtle": true},
                        {"type": "TextBlock", "text": title, "wrap": true, "weight": "Bolder",
                         "color": match (event, alert.severity) {
                             (AlertEvent::Cleared | AlertEvent::Test, _) => "Good",
                             (_, Severity::Critical) => "Attention",
                             (_, Severity::Warning) => "Warning",
                             (_, Severity::Info) => "Default",
                         }},
                        {"type": "TextBlock", "text": format!("What to do: {fix}"), "wrap": true},
                        {"type": "FactSet", "facts": [
                            {"title": "Since", "value": alert.since.rfc3339()},
                            {"title": "Alert", "value": alert.key},
                        ]},
                    ],
                },
            }],
        }),
    }
}

/// Slack's three control characters in text.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Depot {
    /// Every webhook, by name. Workspace-wide: hidden from accounts limited
    /// by scope tags (they could learn other tokens' alerts from them).
    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        self.workspace_wide("the list of webhooks")?;
        Ok(self
            .workspace
            .connect()?
            .webhooks()?
            .into_iter()
            .map(webhook_from)
            .collect())
    }

    /// Adds a webhook (audited, without its URL).
    pub fn add_webhook(&self, add: &AddWebhook<'_>) -> Result<Webhook> {
        self.workspace_wide("a webhook")?;
        let name = add.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "name",
                message: "a webhook's name has 1 to 100 characters".into(),
            });
        }
        let url = add.url.expose().trim();
        let hint = check_url(url)?;
        let now = self.clock.now();
        let by = crate::acting::acting_now().map_or_else(|| self.operator.clone(), |a| a.name);
        let vault = self.vault()?;
        let id = self.workspace.write(|db| {
            if let Some(taken) = db.webhook(name)?
                && taken.name.eq_ignore_ascii_case(name)
            {
                return Err(CoreError::InvalidInput {
                    field: "name",
                    message: format!("a webhook is already called '{}'", taken.name),
                });
            }
            let id = db.insert_webhook(
                name,
                add.format.as_str(),
                add.min_severity.as_str(),
                &hint,
                now,
                &by,
            )?;
            db.set_webhook_secret(id, &vault.seal(SecretSlot::WebhookUrl(id), url.as_bytes())?)?;
            self.audit(
                db,
                AuditEvent {
                    action: "webhook.added",
                    object: format!("webhook '{name}'"),
                    token: None,
                    before: None,
                    after: Some(json!({
                        "format": add.format.as_str(),
                        "minSeverity": add.min_severity.as_str(),
                        "url": hint,
                    })),
                },
            )?;
            Ok(id)
        })?;
        self.webhook_by_id(id)
    }

    fn webhook_by_id(&self, id: i64) -> Result<Webhook> {
        self.workspace
            .connect()?
            .webhooks()?
            .into_iter()
            .find(|w| w.id == id)
            .map(webhook_from)
            .ok_or_else(|| CoreError::NotFound(format!("webhook {id}")))
    }

    /// The webhook named `name` (or with that id).
    pub fn webhook(&self, name: &str) -> Result<Webhook> {
        self.workspace_wide("a webhook")?;
        self.workspace
            .connect()?
            .webhook(name.trim())?
            .map(webhook_from)
            .ok_or_else(|| CoreError::NotFound(format!("the webhook '{}'", name.trim())))
    }

    /// Removes a webhook (audited).
    pub fn remove_webhook(&self, name: &str) -> Result<()> {
        let hook = self.webhook(name)?;
        self.workspace.write(|db| {
            db.delete_webhook(hook.id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "webhook.removed",
                    object: format!("webhook '{}'", hook.name),
                    token: None,
                    before: Some(json!({
                        "format": hook.format.as_str(),
                        "minSeverity": hook.min_severity.as_str(),
                        "url": hook.url_hint,
                    })),
                    after: None,
                },
            )
        })
    }

    fn webhook_url(&self, id: i64) -> Result<SecretString> {
        let sealed = self
            .workspace
            .connect()?
            .webhook_secret(id)?
            .ok_or_else(|| CoreError::NotFound(format!("webhook {id}")))?;
        let plain = self.vault()?.unseal(SecretSlot::WebhookUrl(id), &sealed)?;
        plain
            .into_secret_string()
            .ok_or_else(|| CoreError::InvalidInput {
                field: "url",
                message: format!("the stored URL of webhook {id} is not text"),
            })
    }

    /// A test message for webhook `name`, not recorded as any alert's.
    pub fn webhook_test_delivery(&self, name: &str) -> Result<Delivery> {
        let hook = self.webhook(name)?;
        let alert = Alert {
            key: "test".into(),
            kind: depot_domain::alerts::AlertKind::SyncFailing,
            severity: Severity::Info,
            subject: AlertSubject::Token {
                id: depot_domain::TokenId::new(0),
                name: "test".into(),
            },
            since: self.clock.now(),
            message: "Depot test message: this webhook receives Depot's alerts.".into(),
            action: "Nothing to do.".into(),
            snoozed: None,
        };
        Ok(Delivery {
            webhook_id: hook.id,
            webhook_name: hook.name,
            url: self.webhook_url(hook.id)?,
            event: AlertEvent::Test,
            alert_key: "test".into(),
            severity: None,
            body: message(
                hook.format,
                AlertEvent::Test,
                &alert,
                &self.workspace_label(),
                self.clock.now(),
            ),
        })
    }

    /// Sends webhook `name` a test message now (tried up to the policy's
    /// attempts) and records it in the audit log: the final HTTP status, or
    /// why it was not delivered.
    pub async fn test_webhook(
        &self,
        name: &str,
        policy: &WebhookPolicy,
    ) -> Result<(String, std::result::Result<u16, String>)> {
        let delivery = self.webhook_test_delivery(name)?;
        let (outcome, tries) = send(&client(policy), &delivery, policy).await;
        self.record_webhook_delivery(&delivery, outcome.clone(), tries)?;
        Ok((delivery.webhook_name, outcome))
    }

    /// What each webhook has not been told yet: alerts (not snoozed, at or
    /// above its least severity) raised, worse or better since, and the
    /// ones that cleared. Snoozed alerts send nothing, not even a clear.
    pub fn webhook_deliveries(&self) -> Result<Vec<Delivery>> {
        let db = self.workspace.connect()?;
        let hooks = db.webhooks()?;
        if hooks.is_empty() {
            // The server asks every minute: no webhook, no evaluation.
            return Ok(Vec::new());
        }
        let alerts = self.alerts()?;
        let now = self.clock.now();
        let workspace = self.workspace_label();
        let mut out = Vec::new();
        for hook in hooks.into_iter().map(webhook_from) {
            let told = db.webhook_state(hook.id)?;
            let mut url: Option<SecretString> = None;
            let mut push =
                |event: AlertEvent, alert: &Alert, severity: Option<Severity>| -> Result<()> {
                    let url = match &url {
                        Some(url) => url.clone(),
                        None => {
                            let fresh = self.webhook_url(hook.id)?;
                            url = Some(fresh.clone());
                            fresh
                        }
                    };
                    out.push(Delivery {
                        webhook_id: hook.id,
                        webhook_name: hook.name.clone(),
                        url,
                        event,
                        alert_key: alert.key.clone(),
                        severity,
                        body: message(hook.format, event, alert, &workspace, now),
                    });
                    Ok(())
                };
            for alert in &alerts {
                if !alert.is_active() || alert.severity < hook.min_severity {
                    continue;
                }
                let before = told.get(&alert.key).and_then(|s| Severity::parse(s));
                let event = match before {
                    None => AlertEvent::Raised,
                    Some(was) if alert.severity > was => AlertEvent::Worse,
                    Some(was) if alert.severity < was => AlertEvent::Better,
                    Some(_) => continue,
                };
                push(event, alert, Some(alert.severity))?;
            }
            for (key, was) in &told {
                let still = alerts.iter().find(|a| &a.key == key);
                match still {
                    // Snoozed, or below this webhook's bar now: a clear for it.
                    Some(a) if !a.is_active() => continue,
                    Some(a) if a.severity >= hook.min_severity => continue,
                    _ => {}
                }
                let cleared = Alert {
                    key: key.clone(),
                    kind: still.map_or(depot_domain::alerts::AlertKind::SyncFailing, |a| a.kind),
                    severity: Severity::parse(was).unwrap_or(Severity::Info),
                    subject: still.map_or(
                        AlertSubject::Token {
                            id: depot_domain::TokenId::new(0),
                            name: String::new(),
                        },
                        |a| a.subject.clone(),
                    ),
                    since: still.map_or(now, |a| a.since),
                    message: still.map_or_else(
                        || format!("the alert '{key}' went away"),
                        |a| a.message.clone(),
                    ),
                    action: String::new(),
                    snoozed: None,
                };
                push(AlertEvent::Cleared, &cleared, None)?;
            }
        }
        Ok(out)
    }

    /// Records how a delivery went (audited either way). A delivered message
    /// updates what the webhook was told; a failed one is tried again later.
    pub fn record_webhook_delivery(
        &self,
        delivery: &Delivery,
        outcome: std::result::Result<u16, String>,
        attempts: u32,
    ) -> Result<()> {
        let now = self.clock.now();
        self.workspace.write(|db| {
            let ok = outcome.is_ok();
            db.record_webhook_outcome(
                delivery.webhook_id,
                now,
                outcome.as_ref().err().map(String::as_str),
            )?;
            if ok && delivery.event != AlertEvent::Test {
                db.set_webhook_state(
                    delivery.webhook_id,
                    &delivery.alert_key,
                    delivery.severity.map(Severity::as_str),
                    now,
                )?;
            }
            self.audit(
                db,
                AuditEvent {
                    action: if ok {
                        "webhook.delivered"
                    } else {
                        "webhook.failed"
                    },
                    object: format!("webhook '{}'", delivery.webhook_name),
                    token: None,
                    before: None,
                    after: Some(json!({
                        "alert": delivery.alert_key,
                        "event": delivery.event.as_str(),
                        "severity": delivery.severity.map(Severity::as_str),
                        "attempts": attempts,
                        "status": outcome.as_ref().ok(),
                        "error": outcome.as_ref().err(),
                    })),
                },
            )
        })
    }

    /// How messages name this workspace: its id (stable, not a path).
    fn workspace_label(&self) -> String {
        self.vault()
            .map(|v| v.workspace_id().to_owned())
            .unwrap_or_else(|_| "depot".into())
    }
}

// ----- sending (the server's delivery loop and "Send test") ---------------

/// How deliveries are paced and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// How often alerts are evaluated (`depot serve --alerts-every`).
    pub interval: Duration,
    /// Tries per message within one pass.
    pub attempts: u32,
    /// The wait before the second try; doubles after each.
    pub first_wait: Duration,
    /// The longest a failing webhook rests between passes.
    pub max_rest: Duration,
    /// Each POST's time limit.
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            attempts: 3,
            first_wait: Duration::from_secs(2),
            max_rest: Duration::from_secs(3_600),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The HTTP client for webhooks: no redirects (a webhook that moves is
/// reconfigured, not followed), the platform's TLS and roots.
pub fn client(policy: &WebhookPolicy) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Depot/", env!("CARGO_PKG_VERSION"), " (alerts)"))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// POSTs one message, retrying 408/429/5xx and network errors. Returns the
/// final HTTP status (or why there is none) and the tries made.
pub async fn send(
    client: &reqwest::Client,
    delivery: &Delivery,
    policy: &WebhookPolicy,
) -> (Result<u16, String>, u32) {
    let mut wait = policy.first_wait;
    let mut tries = 0;
    loop {
        tries += 1;
        let answer = client
            .post(delivery.url.expose())
            .json(&delivery.body)
            .send()
            .await;
        let (outcome, retry_after) = match answer {
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                if status.is_success() {
                    return (Ok(status.as_u16()), tries);
                }
                let again =
                    status.as_u16() == 408 || status.as_u16() == 429 || status.is_server_error();
                let text = format!("the webhook answered HTTP {}", status.as_u16());
                if !again {
                    // A refused message (a removed or wrong URL) will not
                    // improve by sending it again now.
                    return (Err(text), tries);
                }
                (text, retry_after)
            }
            // reqwest's text has no URL in it once `without_url` is applied.
            Err(err) => (
                format!("could not reach the webhook: {}", err.without_url()),
                None,
            ),
        };
        if tries >= policy.attempts {
            return (Err(outcome), tries);
        }
        let pause = retry_after
            .map_or(wait, |r| r.min(policy.max_rest))
            .min(Duration::from_secs(60));
        tokio::time::sleep(pause).await;
        wait = wait.saturating_mul(2);
    }
}
