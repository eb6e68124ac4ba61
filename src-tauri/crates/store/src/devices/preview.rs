//! The assignment preview's serial classification (DEV-2) and deleting
//! devices from Depot (DEV-5).

use std::collections::HashMap;

use depot_domain::{SerialNumber, TokenId};
use rusqlite::params;

use crate::{Db, Result};

use super::types::*;

impl Db {
    /// Where each of `serials` stands relative to `token` (DEV-2 preview).
    /// Serials are looked up exactly as given (callers pass normalized
    /// [`depot_domain::SerialNumber`]s); the map has one entry per distinct
    /// serial.
    pub fn classify_serials(
        &self,
        token: TokenId,
        serials: &[SerialNumber],
    ) -> Result<HashMap<String, SerialPlacement>> {
        let lookups = self.device_lookups()?;
        let mut placements: HashMap<String, SerialPlacement> = serials
            .iter()
            .map(|s| (s.as_str().to_owned(), SerialPlacement::Unknown))
            .collect();
        if serials.is_empty() {
            return Ok(placements);
        }
        let json = serde_json::to_string(serials)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        // Other tokens' rows: the most recently updated one wins.
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.serial, d.token_id, d.profile_uuid, d.profile_status, d.removed_at, d.family
               FROM (SELECT DISTINCT value AS serial FROM json_each(?1)) j
               JOIN devices d ON d.serial = j.serial
              ORDER BY d.serial, d.updated_at, d.token_id",
        )?;
        let mut rows = stmt.query([json])?;
        while let Some(r) = rows.next()? {
            let serial: String = r.get(0)?;
            let row_token: i64 = r.get(1)?;
            let removed = r.get_ref(4)?.data_type() != rusqlite::types::Type::Null;
            let Some(place) = placements.get_mut(&serial) else {
                continue;
            };
            if matches!(place, SerialPlacement::OnToken { .. }) {
                continue;
            }
            if removed {
                if matches!(place, SerialPlacement::Unknown) {
                    *place = SerialPlacement::RemovedOnly;
                }
            } else if row_token == token.get() {
                let profile_uuid: Option<String> = r.get(2)?;
                *place = SerialPlacement::OnToken {
                    depot_profile: profile_uuid
                        .as_deref()
                        .and_then(|uuid| lookups.profiles.get(uuid))
                        .cloned(),
                    profile_uuid,
                    profile_status: r.get(3)?,
                    family: r.get(5)?,
                };
            } else {
                *place = SerialPlacement::OnOtherToken {
                    token_id: TokenId::new(row_token),
                    token_name: lookups.tokens.get(&row_token).cloned().unwrap_or_default(),
                };
            }
        }
        Ok(placements)
    }

    /// Deletes devices of `token` from Depot (DEV-5); returns how many rows
    /// went. The search index follows through triggers. Apple still lists a
    /// deleted device until it is unassigned there; the next full sync brings
    /// it back (SYN-3).
    pub fn delete_devices(&self, token: TokenId, serials: &[SerialNumber]) -> Result<u64> {
        if serials.is_empty() {
            return Ok(0);
        }
        let json = serde_json::to_string(serials)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let n = self.conn.execute(
            "DELETE FROM devices WHERE token_id = ?1 AND serial IN (SELECT value FROM json_each(?2))",
            params![token.get(), json],
        )?;
        Ok(n as u64)
    }
}
