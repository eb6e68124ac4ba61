//! Webhooks that receive the alerts (issue 16, ALR-4): managed by
//! administrators, delivered by `depot serve`. A webhook's URL is a secret
//! (it is the only credential of a Teams or Slack incoming webhook): it goes
//! in once and comes back only as a hint.

use depot_core::webhooks::{Webhook, WebhookFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AlertSeverity;

/// The message format a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WebhookFormatDto {
    /// Depot's own JSON document.
    Json,
    /// A Microsoft Teams incoming webhook (an Adaptive Card).
    Teams,
    /// A Slack incoming webhook.
    Slack,
}

impl From<WebhookFormatDto> for WebhookFormat {
    fn from(f: WebhookFormatDto) -> Self {
        match f {
            WebhookFormatDto::Json => WebhookFormat::Json,
            WebhookFormatDto::Teams => WebhookFormat::Teams,
            WebhookFormatDto::Slack => WebhookFormat::Slack,
        }
    }
}

impl From<WebhookFormat> for WebhookFormatDto {
    fn from(f: WebhookFormat) -> Self {
        match f {
            WebhookFormat::Json => WebhookFormatDto::Json,
            WebhookFormat::Teams => WebhookFormatDto::Teams,
            WebhookFormat::Slack => WebhookFormatDto::Slack,
        }
    }
}

/// A webhook, never its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDto {
    pub id: String,
    pub name: String,
    pub format: WebhookFormatDto,
    /// The least severity it receives.
    pub min_severity: AlertSeverity,
    /// The URL's scheme and host only (`https://contoso.webhook.office.com/…`).
    pub url_hint: String,
    /// RFC 3339.
    pub created_at: String,
    pub created_by: String,
    /// RFC 3339: the last message it took (a test message too).
    pub last_delivered_at: Option<String>,
    /// RFC 3339: the first failed delivery since the last good one.
    pub failing_since: Option<String>,
    /// Why the last delivery failed (an HTTP status or a network error).
    pub last_error: Option<String>,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id.to_string(),
            name: w.name,
            format: w.format.into(),
            min_severity: super::alerts::severity_dto(w.min_severity),
            url_hint: w.url_hint,
            created_at: w.created_at.rfc3339(),
            created_by: w.created_by,
            last_delivered_at: w.last_delivered_at.map(|t| t.rfc3339()),
            failing_since: w.failing_since.map(|t| t.rfc3339()),
            last_error: w.last_error,
        }
    }
}

/// `webhooks.list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WebhookList {
    pub webhooks: Vec<WebhookDto>,
}

/// `webhooks.add` (audited without the URL).
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddWebhookRequest {
    pub name: String,
    /// `https://…` (plain `http://` only to loopback).
    pub url: String,
    pub format: WebhookFormatDto,
    pub min_severity: AlertSeverity,
}

/// Never prints the URL.
impl std::fmt::Debug for AddWebhookRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddWebhookRequest")
            .field("name", &self.name)
            .field("url", &"<secret>")
            .field("format", &self.format)
            .field("min_severity", &self.min_severity)
            .finish()
    }
}

/// A webhook by name or id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookRef {
    pub id: String,
}

/// `webhooks.test`: how the test message went (recorded in the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestResult {
    pub delivered: bool,
    /// The webhook's final HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why it was not delivered.
    pub error: Option<String>,
}
