//! Profile endpoints (§3.6): define, get, assign, remove.

use std::collections::HashMap;

use depot_domain::SerialNumber;
use reqwest::Method;
use serde::Deserialize;

use super::{AppleClient, AppleError, Call, max_answer};

/// Most serials Apple takes in one assign or remove call.
pub const MAX_SERIALS_PER_CALL: usize = 1000;

/// Apple's answer for one serial of an assign or remove call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SerialOutcome {
    Success,
    /// The serial is not assigned to (or not visible to) this MDM server.
    NotAccessible,
    Failed,
    /// Send it again after `retry_after_seconds`.
    Throttled,
    /// A value this version of Depot does not know; treated as failed.
    Unknown(String),
}

impl SerialOutcome {
    fn parse(text: &str) -> Self {
        match text {
            "SUCCESS" => SerialOutcome::Success,
            "NOT_ACCESSIBLE" => SerialOutcome::NotAccessible,
            "FAILED" => SerialOutcome::Failed,
            "THROTTLED" => SerialOutcome::Throttled,
            other => SerialOutcome::Unknown(other.to_owned()),
        }
    }
}

/// The answer of an assign or remove call. Serials Apple left out are absent
/// from `devices` (callers record them as failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignAnswer {
    pub devices: HashMap<String, SerialOutcome>,
    pub retry_after_seconds: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct DefineWire {
    profile_uuid: String,
}

#[derive(Debug, Deserialize)]
struct AssignWire {
    #[serde(default)]
    devices: Option<HashMap<String, String>>,
    #[serde(default)]
    retry_after_seconds: Option<u64>,
}

impl From<AssignWire> for AssignAnswer {
    fn from(wire: AssignWire) -> Self {
        AssignAnswer {
            devices: wire
                .devices
                .unwrap_or_default()
                .into_iter()
                .map(|(serial, outcome)| (serial, SerialOutcome::parse(&outcome)))
                .collect(),
            retry_after_seconds: wire.retry_after_seconds,
        }
    }
}

impl AppleClient {
    /// `POST /profile`: defines a new profile and returns Apple's profile UUID
    /// (32 uppercase hex digits; dashes are removed if Apple ever sends them).
    ///
    /// Each call creates a profile at Apple, so a try that may have reached
    /// Apple is never sent again ([`AppleError::Uncertain`], or Apple's own
    /// answer): only a connection that was never established is retried.
    pub async fn define_profile(&self, profile: &serde_json::Value) -> Result<String, AppleError> {
        let wire: DefineWire = self
            .request(Call {
                method: Method::POST,
                path: "/profile",
                body: Some(profile),
                max_answer: max_answer::PROFILE,
                repeatable: false,
            })
            .await?;
        let uuid: String = wire
            .profile_uuid
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if uuid.len() != 32 || !uuid.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AppleError::Decode {
                endpoint: "/profile".into(),
                path: "profile_uuid".into(),
                reason: format!("'{}' is not a profile UUID", wire.profile_uuid),
            });
        }
        Ok(uuid)
    }

    /// `GET /profile?profile_uuid=…`: the profile as Apple stores it.
    pub async fn get_profile(&self, uuid: &str) -> Result<serde_json::Value, AppleError> {
        let path = format!("/profile?profile_uuid={uuid}");
        self.request(Call {
            method: Method::GET,
            path: &path,
            body: None,
            max_answer: max_answer::PROFILE,
            repeatable: true,
        })
        .await
    }

    /// `POST /profile/devices`: assigns `uuid` to at most 1,000 serials.
    pub async fn assign_profile(
        &self,
        uuid: &str,
        serials: &[SerialNumber],
    ) -> Result<AssignAnswer, AppleError> {
        check_batch("/profile/devices", serials)?;
        let body = serde_json::json!({ "profile_uuid": uuid, "devices": serials });
        let wire: AssignWire = self
            .request(Call {
                method: Method::POST,
                path: "/profile/devices",
                body: Some(&body),
                max_answer: max_answer::PROFILE,
                repeatable: true,
            })
            .await?;
        Ok(wire.into())
    }

    /// `DELETE /profile/devices`: removes whatever profile the serials hold.
    pub async fn remove_profile(
        &self,
        serials: &[SerialNumber],
    ) -> Result<AssignAnswer, AppleError> {
        check_batch("/profile/devices", serials)?;
        let body = serde_json::json!({ "devices": serials });
        let wire: AssignWire = self
            .request(Call {
                method: Method::DELETE,
                path: "/profile/devices",
                body: Some(&body),
                max_answer: max_answer::PROFILE,
                repeatable: true,
            })
            .await?;
        Ok(wire.into())
    }
}

fn check_batch(endpoint: &str, serials: &[SerialNumber]) -> Result<(), AppleError> {
    if serials.is_empty() || serials.len() > MAX_SERIALS_PER_CALL {
        return Err(AppleError::Request(format!(
            "{endpoint} takes 1 to {MAX_SERIALS_PER_CALL} serial numbers per call, not {}",
            serials.len()
        )));
    }
    Ok(())
}
