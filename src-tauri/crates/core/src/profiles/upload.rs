//! Sending a saved profile version to Apple (`POST /profile`) and recording
//! Apple's answer; a refusal names the file key it points at.

use depot_domain::ProfileId;
use serde_json::{Value, json};

use super::profile_row;
use crate::audit::{AuditEvent, profile_object};
use crate::{CoreError, Depot, Result};

impl Depot {
    /// `POST /profile` for one stored version; records Apple's answer either way.
    pub(super) async fn upload_version(&self, id: ProfileId, version: i64) -> Result<()> {
        let (token, stored) = {
            let db = self.workspace.connect()?;
            let row = profile_row(&db, id)?;
            let stored = db
                .profile_version(id, version)?
                .ok_or_else(|| CoreError::NotFound(format!("version {version} of profile {id}")))?;
            (self.token_row(&db, row.token_id)?, stored)
        };
        let body: Value =
            serde_json::from_str(&stored.apple_json).map_err(|e| CoreError::InvalidInput {
                field: "profile",
                message: format!("the stored Apple JSON is damaged: {e}"),
            })?;
        let answer = match self.client_for(&token).await {
            Ok(client) => client.define_profile(&body).await.map_err(CoreError::from),
            Err(err) => Err(err),
        };
        let now = self.clock.now();
        self.workspace.write(|db| {
            let (action, after) = match &answer {
                Ok(uuid) => {
                    db.record_profile_upload(id, version, Ok(uuid), now)?;
                    (
                        "profile.upload",
                        json!({ "version": version, "appleProfileUuid": uuid }),
                    )
                }
                Err(err) => {
                    let (message, field) = upload_error(err);
                    db.record_profile_upload(id, version, Err((&message, field)), now)?;
                    (
                        "profile.upload_failed",
                        json!({ "version": version, "error": message, "field": field }),
                    )
                }
            };
            let row = profile_row(db, id)?;
            self.audit(
                db,
                AuditEvent {
                    action,
                    object: profile_object(id, &row.name),
                    token: Some(row.token_id),
                    before: None,
                    after: Some(after),
                },
            )
        })?;
        Ok(())
    }
}

fn upload_error(err: &CoreError) -> (String, Option<&'static str>) {
    let field = match err {
        CoreError::Apple(depot_apple::AppleError::Status { code, .. }) => apple_code_field(code),
        _ => None,
    };
    let message = match (err, field) {
        (CoreError::Apple(depot_apple::AppleError::Status { code, .. }), Some(field)) => format!(
            "Apple refused the profile ({code}): check '{field}' and save the profile again"
        ),
        _ => format!("{err}. The profile is saved but not uploaded; retry the upload"),
    };
    (message, field)
}

/// The `depot.profile/v1` key Apple's profile error code points at.
fn apple_code_field(code: &str) -> Option<&'static str> {
    Some(match code {
        "CONFIG_NAME_REQUIRED" | "CONFIG_NAME_INVALID" => "name",
        "CONFIG_URL_REQUIRED" | "CONFIG_URL_INVALID" => "enrollmentUrl",
        "FLAGS_INVALID" => "lockedEnrollment",
        "DEPARTMENT_INVALID" => "department.name",
        "SUPPORT_PHONE_INVALID" => "department.phone",
        "SUPPORT_EMAIL_INVALID" => "department.email",
        "MAGIC_INVALID" => "org_magic",
        _ => return None,
    })
}
