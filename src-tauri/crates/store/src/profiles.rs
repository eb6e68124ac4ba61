//! The `profiles` and `profile_versions` tables, workspace settings, and the
//! per-token enrollment URL override (PRO-13..18).

use depot_domain::profile::ApplePlatform;
use depot_domain::{ProfileId, SerialNumber, TokenId, UnixSeconds};
use rusqlite::{OptionalExtension, Row, params};

pub use depot_domain::records::{PlatformMismatch, UploadState};

use crate::{Db, Result};

/// A profile with its current version's upload facts and usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    pub id: ProfileId,
    pub token_id: TokenId,
    pub token_name: String,
    pub name: String,
    pub description: Option<String>,
    /// Fixed when the profile is created (PLT-1).
    pub platform: ApplePlatform,
    pub current_version: i64,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    /// The token's default for the profile's platform (PLT-2).
    pub is_default: bool,
    /// Active devices holding any version of this profile.
    pub device_count: u64,
    pub current: ProfileVersionRow,
}

/// One version of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileVersionRow {
    pub profile_id: ProfileId,
    pub version: i64,
    /// The `depot.profile/v1` file.
    pub spec: String,
    /// The exact JSON sent (or to be sent) to Apple.
    pub apple_json: String,
    pub apple_uuid: Option<String>,
    pub upload_state: UploadState,
    pub upload_error: Option<String>,
    /// The `depot.profile/v1` key Apple's refusal points at, when known.
    pub upload_error_field: Option<String>,
    pub uploaded_at: Option<UnixSeconds>,
    pub created_at: UnixSeconds,
    pub created_by: String,
}

/// Apple's device family as a profile platform, in SQL (`d` is `devices`);
/// NULL for a family Depot does not know. Matches `DeviceFamily::platform`.
pub const FAMILY_PLATFORM: &str = "(CASE d.family WHEN 'iPhone' THEN 'iOS' WHEN 'iPad' THEN 'iOS' \
     WHEN 'iPod' THEN 'iOS' WHEN 'Mac' THEN 'macOS' WHEN 'AppleTV' THEN 'tvOS' \
     WHEN 'Vision' THEN 'visionOS' END)";

/// A version about to be written.
#[derive(Debug, Clone)]
pub struct NewProfileVersion<'a> {
    pub profile_id: ProfileId,
    pub version: i64,
    pub spec: &'a str,
    pub apple_json: &'a str,
    pub created_at: UnixSeconds,
    pub created_by: &'a str,
}

const VERSION_COLUMNS: &str = "v.profile_id, v.version, v.spec, v.apple_json, v.apple_uuid, \
     v.upload_state, v.upload_error, v.upload_error_field, v.uploaded_at, v.created_at, v.created_by";

fn profile_select() -> String {
    format!(
        "SELECT p.id, p.token_id, t.server_name, p.name, p.description, p.current_version,
                p.created_at, p.updated_at,
                EXISTS (SELECT 1 FROM token_defaults td WHERE td.profile_id = p.id),
                (SELECT COUNT(*) FROM devices d
                   WHERE d.removed_at IS NULL AND d.token_id = p.token_id AND d.profile_uuid IN
                     (SELECT apple_uuid FROM profile_versions pv
                        WHERE pv.profile_id = p.id AND pv.apple_uuid IS NOT NULL)),
                {VERSION_COLUMNS}, p.platform
           FROM profiles p
           JOIN tokens t ON t.id = p.token_id
           JOIN profile_versions v ON v.profile_id = p.id AND v.version = p.current_version"
    )
}

impl Db {
    /// Profiles of one token, or of every token, by token then name.
    pub fn list_profiles(&self, token: Option<TokenId>) -> Result<Vec<ProfileRow>> {
        let sql = format!(
            "{} WHERE (?1 IS NULL OR p.token_id = ?1) ORDER BY t.server_name, p.name COLLATE NOCASE",
            profile_select()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map([token.map(TokenId::get)], profile_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn get_profile(&self, id: ProfileId) -> Result<Option<ProfileRow>> {
        let sql = format!("{} WHERE p.id = ?1", profile_select());
        Ok(self
            .conn
            .query_row(&sql, [id], profile_from_row)
            .optional()?)
    }

    /// The profile of `token` called `name` (any case), if any.
    pub fn find_profile_by_name(&self, token: TokenId, name: &str) -> Result<Option<ProfileId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM profiles WHERE token_id = ?1 AND name = ?2 COLLATE NOCASE",
                params![token.get(), name],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// A profile by Apple's profile UUID of any of its versions.
    pub fn find_profile_version_by_uuid(&self, uuid: &str) -> Result<Option<(ProfileId, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT profile_id, version FROM profile_versions WHERE apple_uuid = ?1",
                [uuid],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    pub fn count_profiles(&self, token: TokenId) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM profiles WHERE token_id = ?1",
            [token.get()],
            |row| row.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    pub fn insert_profile(
        &self,
        token: TokenId,
        name: &str,
        description: Option<&str>,
        platform: ApplePlatform,
        now: UnixSeconds,
    ) -> Result<ProfileId> {
        self.conn.execute(
            "INSERT INTO profiles (token_id, name, description, platform, current_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
            params![token.get(), name, description, platform.as_str(), now],
        )?;
        Ok(ProfileId::new(self.conn.last_insert_rowid()))
    }

    pub fn insert_profile_version(&self, version: &NewProfileVersion<'_>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO profile_versions (profile_id, version, spec, apple_json, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                version.profile_id,
                version.version,
                version.spec,
                version.apple_json,
                version.created_at,
                version.created_by
            ],
        )?;
        Ok(())
    }

    /// Makes `version` the profile's current one, with its name and description.
    pub fn set_current_profile_version(
        &self,
        id: ProfileId,
        version: i64,
        name: &str,
        description: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE profiles SET current_version = ?2, name = ?3, description = ?4, updated_at = ?5
             WHERE id = ?1",
            params![id, version, name, description, now],
        )?;
        Ok(())
    }

    /// Records Apple's answer to `POST /profile` for one version.
    pub fn record_profile_upload(
        &self,
        id: ProfileId,
        version: i64,
        outcome: std::result::Result<&str, (&str, Option<&str>)>,
        now: UnixSeconds,
    ) -> Result<()> {
        match outcome {
            Ok(uuid) => self.conn.execute(
                "UPDATE profile_versions SET apple_uuid = ?3, upload_state = 'uploaded',
                        upload_error = NULL, upload_error_field = NULL, uploaded_at = ?4
                  WHERE profile_id = ?1 AND version = ?2",
                params![id, version, uuid, now],
            )?,
            Err((error, field)) => self.conn.execute(
                "UPDATE profile_versions SET upload_state = 'failed', upload_error = ?3,
                        upload_error_field = ?4
                  WHERE profile_id = ?1 AND version = ?2",
                params![id, version, error, field],
            )?,
        };
        Ok(())
    }

    /// Every version of a profile, newest first.
    pub fn profile_versions(&self, id: ProfileId) -> Result<Vec<ProfileVersionRow>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM profile_versions v WHERE v.profile_id = ?1
             ORDER BY v.version DESC"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map([id], |row| version_from_row(row, 0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn profile_version(
        &self,
        id: ProfileId,
        version: i64,
    ) -> Result<Option<ProfileVersionRow>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM profile_versions v
              WHERE v.profile_id = ?1 AND v.version = ?2"
        );
        Ok(self
            .conn
            .query_row(&sql, params![id, version], |row| version_from_row(row, 0))
            .optional()?)
    }

    /// Active devices of the profile's token holding an older version of the
    /// profile than `current_uuid` (they need the new one after an edit).
    pub fn serials_on_older_versions(
        &self,
        id: ProfileId,
        current_uuid: &str,
    ) -> Result<Vec<SerialNumber>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.serial FROM devices d
               JOIN profiles p ON p.id = ?1 AND d.token_id = p.token_id
              WHERE d.removed_at IS NULL AND d.profile_uuid IN
                    (SELECT apple_uuid FROM profile_versions
                      WHERE profile_id = ?1 AND apple_uuid IS NOT NULL AND apple_uuid <> ?2)
              ORDER BY d.serial",
        )?;
        let rows = stmt
            .query_map(params![id, current_uuid], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<SerialNumber>>>()?;
        Ok(rows)
    }

    /// Active devices holding any version of the profile: (serial, family).
    pub fn devices_on_profile(&self, id: ProfileId) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.serial, d.family FROM devices d
               JOIN profiles p ON p.id = ?1 AND d.token_id = p.token_id
              WHERE d.removed_at IS NULL AND d.profile_uuid IN
                    (SELECT apple_uuid FROM profile_versions
                      WHERE profile_id = ?1 AND apple_uuid IS NOT NULL)
              ORDER BY d.serial",
        )?;
        let rows = stmt
            .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every uploaded version of the token's profiles: (Apple's profile UUID,
    /// the JSON sent), oldest first.
    pub fn uploaded_profiles(&self, token: TokenId) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT v.apple_uuid, v.apple_json FROM profile_versions v
               JOIN profiles p ON p.id = v.profile_id
              WHERE p.token_id = ?1 AND v.apple_uuid IS NOT NULL
              ORDER BY v.uploaded_at, v.profile_id, v.version",
        )?;
        let rows = stmt
            .query_map([token.get()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Active devices of `token` that hold Apple profile `uuid`, by serial.
    pub fn serials_holding_profile(&self, token: TokenId, uuid: &str) -> Result<Vec<SerialNumber>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT serial FROM devices
              WHERE profile_uuid = ?2 AND token_id = ?1 AND removed_at IS NULL ORDER BY serial",
        )?;
        let rows = stmt
            .query_map(params![token.get(), uuid], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<SerialNumber>>>()?;
        Ok(rows)
    }

    /// Removes a profile and its versions (callers check it is unused first).
    pub fn delete_profile(&self, id: ProfileId) -> Result<()> {
        self.conn
            .execute("DELETE FROM profiles WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Sets (`Some`) or clears (`None`) the token's default profile for
    /// `platform` (PLT-2). Callers check the profile is of that platform.
    pub fn set_default_profile(
        &self,
        token: TokenId,
        platform: ApplePlatform,
        profile: Option<ProfileId>,
    ) -> Result<()> {
        match profile {
            Some(id) => self.conn.execute(
                "INSERT INTO token_defaults (token_id, platform, profile_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (token_id, platform) DO UPDATE SET profile_id = excluded.profile_id",
                params![token.get(), platform.as_str(), id],
            )?,
            None => self.conn.execute(
                "DELETE FROM token_defaults WHERE token_id = ?1 AND platform = ?2",
                params![token.get(), platform.as_str()],
            )?,
        };
        Ok(())
    }

    /// The token's default profile id for `platform`, if set.
    pub fn default_profile(
        &self,
        token: TokenId,
        platform: ApplePlatform,
    ) -> Result<Option<ProfileId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT profile_id FROM token_defaults WHERE token_id = ?1 AND platform = ?2",
                params![token.get(), platform.as_str()],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Every default of the token: (platform, profile id, profile name), by platform.
    pub fn default_profiles(
        &self,
        token: TokenId,
    ) -> Result<Vec<(ApplePlatform, ProfileId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT td.platform, td.profile_id, p.name FROM token_defaults td
               JOIN profiles p ON p.id = td.profile_id
              WHERE td.token_id = ?1",
        )?;
        let mut rows = stmt
            .query_map([token.get()], |r| {
                Ok((platform_of(&r.get::<_, String>(0)?), r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<(ApplePlatform, ProfileId, String)>>>()?;
        rows.sort_by_key(|(platform, ..)| platform.order());
        Ok(rows)
    }

    /// Apple's device family of each of `serials` that `token` lists (active
    /// devices only); serials it does not list are left out.
    pub fn device_families(
        &self,
        token: TokenId,
        serials: &[SerialNumber],
    ) -> Result<std::collections::HashMap<String, String>> {
        let json = serde_json::to_string(serials)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.serial, d.family FROM (SELECT DISTINCT value AS serial FROM json_each(?2)) j
               JOIN devices d ON d.token_id = ?1 AND d.serial = j.serial
              WHERE d.removed_at IS NULL",
        )?;
        let rows = stmt
            .query_map(params![token.get(), json], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<std::collections::HashMap<String, String>>>()?;
        Ok(rows)
    }

    /// Active devices of `token` that hold no profile and whose platform has no
    /// default on the token (PLT-2): (platform, or Apple's family when Depot
    /// does not know it, count), largest first.
    pub fn devices_without_default(&self, token: TokenId) -> Result<Vec<(String, u64)>> {
        let sql = format!(
            "SELECT coalesce({FAMILY_PLATFORM}, d.family) AS platform, COUNT(*) FROM devices d
              WHERE d.token_id = ?1 AND d.removed_at IS NULL AND d.profile_uuid IS NULL
                AND NOT EXISTS (SELECT 1 FROM token_defaults td
                                 WHERE td.token_id = d.token_id AND td.platform = {FAMILY_PLATFORM})
              GROUP BY 1 ORDER BY 2 DESC, 1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([token.get()], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)?.unsigned_abs()))
            })?
            .collect::<rusqlite::Result<Vec<(String, u64)>>>()?;
        Ok(rows)
    }

    /// Active devices of `token` that hold a Depot profile made for another
    /// platform than their own (PLT-2: before platforms existed, the one
    /// default went to every new device), by serial, at most `limit`.
    pub fn platform_mismatches(&self, token: TokenId, limit: u32) -> Result<Vec<PlatformMismatch>> {
        let sql = format!(
            "SELECT d.serial, d.family, p.id, p.name, p.platform, d.profile_status
               FROM devices d
               JOIN profile_versions v ON v.apple_uuid = d.profile_uuid
               JOIN profiles p ON p.id = v.profile_id
              WHERE d.token_id = ?1 AND d.removed_at IS NULL AND d.profile_uuid IS NOT NULL
                AND {FAMILY_PLATFORM} IS NOT NULL AND {FAMILY_PLATFORM} <> p.platform
              ORDER BY d.serial LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![token.get(), limit], |r| {
                Ok(PlatformMismatch {
                    serial: r.get(0)?,
                    family: r.get(1)?,
                    profile_id: r.get(2)?,
                    profile_name: r.get(3)?,
                    profile_platform: platform_of(&r.get::<_, String>(4)?),
                    profile_status: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    // ----- settings ------------------------------------------------------------

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Sets (`Some`) or clears (`None`) a workspace setting.
    pub fn put_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => self
                .conn
                .execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// The token's own enrollment URL and configuration web URL, when overridden.
    pub fn token_enrollment_urls(
        &self,
        token: TokenId,
    ) -> Result<(Option<String>, Option<String>)> {
        Ok(self
            .conn
            .query_row(
                "SELECT enrollment_url, configuration_web_url FROM tokens WHERE id = ?1",
                [token.get()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, None)))
    }

    pub fn set_token_enrollment_urls(
        &self,
        token: TokenId,
        enrollment_url: Option<&str>,
        configuration_web_url: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE tokens SET enrollment_url = ?2, configuration_web_url = ?3 WHERE id = ?1",
            params![token.get(), enrollment_url, configuration_web_url],
        )?;
        Ok(())
    }
}

fn profile_from_row(row: &Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        id: row.get(0)?,
        token_id: TokenId::new(row.get(1)?),
        token_name: row.get(2)?,
        name: row.get(3)?,
        description: row.get(4)?,
        current_version: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        is_default: row.get(8)?,
        device_count: row.get::<_, i64>(9)?.unsigned_abs(),
        current: version_from_row(row, 10)?,
        platform: platform_of(&row.get::<_, String>(21)?),
    })
}

/// A stored platform name; the table's CHECK allows only the four.
fn platform_of(text: &str) -> ApplePlatform {
    ApplePlatform::from_name(text).unwrap_or(ApplePlatform::Ios)
}

fn version_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<ProfileVersionRow> {
    Ok(ProfileVersionRow {
        profile_id: row.get(at)?,
        version: row.get(at + 1)?,
        spec: row.get(at + 2)?,
        apple_json: row.get(at + 3)?,
        apple_uuid: row.get(at + 4)?,
        upload_state: UploadState::parse(&row.get::<_, String>(at + 5)?),
        upload_error: row.get(at + 6)?,
        upload_error_field: row.get(at + 7)?,
        uploaded_at: row.get(at + 8)?,
        created_at: row.get(at + 9)?,
        created_by: row.get(at + 10)?,
    })
}
