//! Devices (DEV-1, DEV-2 preview, DEV-5..7): the paged list with an opaque
//! cursor, facets, the device detail, CSV export, the assignment preview and
//! deleting devices from Depot.

use std::collections::HashMap;
use std::io::Write;

use depot_domain::profile::{DeviceNameTemplate, ProfileSpec};
pub use depot_domain::records::{
    DeviceCursor, DeviceFacets, DeviceListRow, DeviceQuery, DeviceSort, FacetCount, ProfileFilter,
    SerialPlacement, SortValue,
};
use depot_domain::serial_list::{BadRow, parse_serial_list};
use depot_domain::{DeviceFamily, SerialNumber, TokenId};
use depot_domain::{ProfileId, UnixSeconds};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::audit::token_object;
use crate::{CoreError, Depot, Result};

pub use depot_domain::DeviceFacts;
pub use depot_domain::records::DeviceEventRow;
pub use depot_domain::records::{ReplacementRow, SerialAssignmentRow};

/// Serial numbers as a caller typed or sent them, checked: the first one that
/// is not a serial number is an `InvalidInput` on `serials` naming it.
pub fn parse_serials<S: AsRef<str>>(raw: &[S]) -> Result<Vec<SerialNumber>> {
    raw.iter()
        .map(|s| {
            let s = s.as_ref();
            SerialNumber::parse(s).map_err(|e| CoreError::InvalidInput {
                field: "serials",
                message: format!("'{}': {e}", s.trim()),
            })
        })
        .collect()
}

/// Most rows one page of the list returns.
pub const MAX_DEVICE_PAGE: u32 = 500;

#[derive(Debug, Clone)]
pub struct DevicePage {
    pub rows: Vec<DeviceListRow>,
    /// Pass back to get the next page; `None` on the last page.
    pub next: Option<String>,
}

/// Everything the device drawer shows (DEV-6), one entry per token listing the serial.
#[derive(Debug, Clone)]
pub struct DeviceDetail {
    pub serial: String,
    pub records: Vec<DeviceRecordDetail>,
    /// Assignment runs that included this serial, newest first.
    pub history: Vec<SerialAssignmentRow>,
    /// Names of the Depot profiles in `history`, by id.
    pub profile_names: HashMap<ProfileId, String>,
}

#[derive(Debug, Clone)]
pub struct DeviceRecordDetail {
    pub row: DeviceListRow,
    /// The device name the profile's template gives it (PRO-11).
    pub rendered_name: Option<String>,
    /// Sync facts: when the device became the token's, Apple's last change, last write.
    pub added_at: Option<UnixSeconds>,
    pub op_date: Option<UnixSeconds>,
    pub updated_at: Option<UnixSeconds>,
    pub cooldown_until: Option<UnixSeconds>,
    /// What syncs did to the device on this token, newest first (at most
    /// [`DEVICE_EVENTS_SHOWN`]).
    pub events: Vec<DeviceEventRow>,
    /// Apple's protocol-10 facts (IMEI, MEID, EID, MACs, replacement flags).
    pub facts: DeviceFacts,
    /// Apple's replacement details, when Depot has asked
    /// ([`Depot::device_replacement`]).
    pub replacement: Option<ReplacementRow>,
}

/// Sync events the device detail lists per token.
pub const DEVICE_EVENTS_SHOWN: usize = 100;

/// How the assignment preview classifies a serial (DEV-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewClass {
    /// On this token, will be sent.
    Ready,
    /// Not known to Depot (Apple will probably answer NOT_ACCESSIBLE).
    Unknown,
    /// Apple lists it for another token.
    OtherToken,
    /// Already holds this profile's current version.
    AlreadyOnProfile,
    /// Failed less than 24 hours ago: not sent.
    Cooldown,
    /// Already set up with a profile: the new one applies after a wipe.
    SetUp,
    /// Known only as removed from its token.
    Removed,
    /// Refused before Apple (PLT-3): the profile is for another platform, or a
    /// Shared iPad profile for a device that is not an iPad. Never sent.
    Refused,
}

impl PreviewClass {
    pub fn as_str(self) -> &'static str {
        match self {
            PreviewClass::Ready => "ready",
            PreviewClass::Unknown => "unknown",
            PreviewClass::OtherToken => "otherToken",
            PreviewClass::AlreadyOnProfile => "alreadyOnProfile",
            PreviewClass::Cooldown => "cooldown",
            PreviewClass::SetUp => "setUp",
            PreviewClass::Removed => "removed",
            PreviewClass::Refused => "refused",
        }
    }

    /// Whether confirming the preview sends this serial.
    pub fn is_sent(self) -> bool {
        matches!(
            self,
            PreviewClass::Ready | PreviewClass::SetUp | PreviewClass::Unknown
        )
    }
}

#[derive(Debug, Clone)]
pub struct PreviewRow {
    pub serial: String,
    pub class: PreviewClass,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct AssignmentPreview {
    pub rows: Vec<PreviewRow>,
    pub bad_rows: Vec<BadRow>,
    pub duplicates: usize,
    /// The serials confirming would send.
    pub to_send: Vec<String>,
    /// What the admin should know before confirming (e.g. too few Company
    /// Portal licences for the profile's devices).
    pub warnings: Vec<String>,
}

/// Cursor text: `<token>:<serial>:<t|i>:<value>` (the value last: it may hold `:`).
fn encode_cursor(cursor: &DeviceCursor) -> String {
    let (kind, value) = match &cursor.value {
        SortValue::Text(t) => ("t", t.clone()),
        SortValue::Int(i) => ("i", i.to_string()),
    };
    format!("{}:{}:{kind}:{value}", cursor.token_id, cursor.serial)
}

fn decode_cursor(text: &str) -> Result<DeviceCursor> {
    let bad = || CoreError::InvalidInput {
        field: "cursor",
        message: "the page position is not valid; start from the first page".into(),
    };
    let mut parts = text.splitn(4, ':');
    let token = parts
        .next()
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(bad)?;
    let serial = parts.next().ok_or_else(bad)?.to_owned();
    let value = match (parts.next(), parts.next()) {
        (Some("t"), Some(v)) => SortValue::Text(v.to_owned()),
        (Some("i"), Some(v)) => SortValue::Int(v.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    };
    Ok(DeviceCursor {
        value,
        token_id: TokenId::new(token),
        serial,
    })
}

impl Depot {
    pub fn list_devices(
        &self,
        query: &DeviceQuery,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<DevicePage> {
        if !(1..=MAX_DEVICE_PAGE).contains(&limit) {
            return Err(CoreError::InvalidInput {
                field: "limit",
                message: format!(
                    "a page holds 1 to {MAX_DEVICE_PAGE} devices, not {limit}; page through the list with the cursor"
                ),
            });
        }
        let after = cursor.map(decode_cursor).transpose()?;
        let query = &self.scoped_query(query)?;
        let db = self.workspace.connect()?;
        let mut rows = db.query_devices(query, after.as_ref(), limit + 1)?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more {
            rows.last()
                .map(|r| encode_cursor(&DeviceCursor::after(r, query.sort)))
        } else {
            None
        };
        Ok(DevicePage { rows, next })
    }

    pub fn count_devices(&self, query: &DeviceQuery) -> Result<u64> {
        let query = self.scoped_query(query)?;
        Ok(self.workspace.connect()?.count_devices(&query)?)
    }

    pub fn device_facets(&self, query: &DeviceQuery) -> Result<DeviceFacets> {
        let query = self.scoped_query(query)?;
        Ok(self.workspace.connect()?.device_facets(&query)?)
    }

    /// DEV-6: the serial on every token that lists it, its profile history and
    /// the name its profile's template renders.
    pub fn device_detail(&self, serial: &str) -> Result<DeviceDetail> {
        let serial = SerialNumber::parse(serial).map_err(|e| CoreError::InvalidInput {
            field: "serial",
            message: e.to_string(),
        })?;
        let db = self.workspace.connect()?;
        let scope = self.scope()?;
        let mut rows = db.devices_by_serial(&serial)?;
        // Records on tokens outside the acting person's scope are not theirs
        // to see (nor that they exist).
        rows.retain(|r| scope.contains(r.token_id));
        if rows.is_empty() {
            return Err(CoreError::NotFound(format!("device {serial}")));
        }
        let now = self.clock.now();
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let rendered_name = match &row.depot_profile {
                Some(profile) => db
                    .profile_version(profile.id, profile.version)?
                    .and_then(|v| ProfileSpec::from_profile_file(&v.spec).ok())
                    .and_then(|spec| spec.device_name_template)
                    .and_then(|t| DeviceNameTemplate::parse(&t).ok())
                    .map(|t| t.render(&serial, &DeviceFamily::parse(&row.family))),
                None => None,
            };
            let (added_at, op_date, updated_at) = db.device_sync_facts(row.token_id, &serial)?;
            let cooldown_until = db.cooldown_until(row.token_id, &serial, now)?;
            let events = db.device_events(row.token_id, &serial, DEVICE_EVENTS_SHOWN)?;
            let facts = db.device_facts(row.token_id, &serial)?;
            let replacement = if facts.is_replacement == Some(true) {
                db.replacement(row.token_id, &serial)?
            } else {
                None
            };
            records.push(DeviceRecordDetail {
                row,
                rendered_name,
                added_at,
                op_date,
                updated_at,
                cooldown_until,
                events,
                facts,
                replacement,
            });
        }
        let mut history = db.serial_assignments(&serial)?;
        if scope != crate::scope::Scope::All {
            history.retain(|entry| self.run_in_scope(entry.run_id).is_ok());
        }
        let mut profile_names = HashMap::new();
        for entry in &history {
            if let Some(id) = entry.profile_id
                && let std::collections::hash_map::Entry::Vacant(slot) = profile_names.entry(id)
                && let Some(profile) = db.get_profile(id)?
            {
                slot.insert(profile.name);
            }
        }
        Ok(DeviceDetail {
            serial: serial.as_str().to_owned(),
            records,
            history,
            profile_names,
        })
    }

    /// Which device a replacement device replaced, and when (Apple's
    /// `GET /device/replacementDetails`, spec §3.9). Apple is asked once per
    /// device and token; its answer (also "no replaced device") is cached and
    /// returned from then on. Only for a device Apple marked
    /// `is_replacement_device`; an unreachable Apple is an error, nothing cached.
    pub async fn device_replacement(&self, token: TokenId, serial: &str) -> Result<ReplacementRow> {
        let serial = SerialNumber::parse(serial).map_err(|e| CoreError::InvalidInput {
            field: "serial",
            message: e.to_string(),
        })?;
        self.in_scope(token)?;
        let row = {
            let db = self.workspace.connect()?;
            if db.device(token, &serial)?.is_none() {
                return Err(CoreError::NotFound(format!(
                    "device {serial} on token {token}"
                )));
            }
            if db.device_facts(token, &serial)?.is_replacement != Some(true) {
                return Err(CoreError::InvalidInput {
                    field: "serial",
                    message: format!(
                        "Apple does not mark {serial} as a replacement device; there are no replacement details to ask for"
                    ),
                });
            }
            if let Some(cached) = db.replacement(token, &serial)? {
                return Ok(cached);
            }
            self.token_row(&db, token)?
        };
        let client = self.client_for(&row).await?;
        let details = client.replacement_details(&serial).await?;
        let answer = ReplacementRow {
            original_serial: details
                .as_ref()
                .and_then(|d| d.original_serial.as_ref())
                .map(|s| s.as_str().to_owned()),
            replaced_on: details.and_then(|d| d.replaced_on),
            fetched_at: self.clock.now(),
        };
        self.workspace
            .write(|db| db.save_replacement(token, serial.as_str(), &answer))?;
        Ok(answer)
    }

    /// DEV-7: the filtered list as CSV, streamed into `out`. Returns the row count.
    pub fn export_devices_csv(&self, query: &DeviceQuery, out: &mut dyn Write) -> Result<u64> {
        let query = &self.scoped_query(query)?;
        let db = self.workspace.connect()?;
        let io = |e: std::io::Error| CoreError::File {
            path: "device export".into(),
            reason: e.to_string(),
        };
        out.write_all(CSV_HEADER.as_bytes()).map_err(io)?;
        let mut count = 0u64;
        db.export_devices(query, &mut |row| {
            out.write_all(csv_line(row).as_bytes())
                .map_err(depot_store::StoreError::Output)?;
            count += 1;
            Ok(())
        })
        .map_err(|e| match e {
            depot_store::StoreError::Output(e) => io(e),
            other => other.into(),
        })?;
        Ok(count)
    }

    /// The token each serial belongs to: the one that lists it, else the one
    /// that last did. Serials Depot has never seen are absent.
    pub fn tokens_of_serials(&self, serials: &[String]) -> Result<HashMap<String, TokenId>> {
        let scope = self.scope()?;
        let db = self.workspace.connect()?;
        let mut out = HashMap::with_capacity(serials.len());
        for serial in serials {
            // A serial that is not one cannot be listed anywhere.
            let Ok(parsed) = SerialNumber::parse(serial) else {
                continue;
            };
            let rows = db.devices_by_serial(&parsed)?;
            let chosen = rows
                .iter()
                .filter(|r| scope.contains(r.token_id))
                .find(|r| r.removed_at.is_none())
                .or_else(|| rows.iter().find(|r| scope.contains(r.token_id)));
            if let Some(row) = chosen {
                out.insert(serial.clone(), row.token_id);
            }
        }
        Ok(out)
    }

    /// Every serial matching `query`, in its order ("select all N matching").
    pub fn matching_serials(&self, query: &DeviceQuery) -> Result<Vec<SerialNumber>> {
        let query = &self.scoped_query(query)?;
        let mut serials = Vec::new();
        self.workspace
            .connect()?
            .export_devices(query, &mut |row| {
                // Stored serials were parsed on the way in (a row that is not
                // one could never be sent to Apple anyway).
                if let Ok(serial) = SerialNumber::parse(&row.serial) {
                    serials.push(serial);
                }
                Ok(())
            })?;
        Ok(serials)
    }

    /// DEV-2: what would happen to each pasted serial, before anything is sent.
    /// `profile` None previews a removal.
    pub fn preview_assignment(
        &self,
        token: TokenId,
        profile: Option<ProfileId>,
        text: &str,
    ) -> Result<AssignmentPreview> {
        crate::files::check_size(text.len(), crate::files::FileKind::SerialList, "serials")?;
        let list = parse_serial_list(text);
        self.preview_serials(
            token,
            profile,
            &list.serials,
            list.bad_rows,
            list.duplicates,
        )
    }

    pub fn preview_serials(
        &self,
        token: TokenId,
        profile: Option<ProfileId>,
        serials: &[SerialNumber],
        bad_rows: Vec<BadRow>,
        duplicates: usize,
    ) -> Result<AssignmentPreview> {
        self.in_scope(token)?;
        if let Some(profile) = profile {
            self.profile_in_scope(profile)?;
        }
        let db = self.workspace.connect()?;
        self.token_row(&db, token)?;
        let target = match profile {
            Some(id) => {
                let row = db
                    .get_profile(id)?
                    .ok_or_else(|| CoreError::NotFound(format!("profile {id}")))?;
                Some(row)
            }
            None => None,
        };
        let placements = db.classify_serials(token, serials)?;
        let cooling = db.cooldowns(token, self.clock.now())?;
        // PLT-3: the target profile's platform and Shared iPad setting.
        let guard = match &target {
            Some(row) => Some((
                row.platform,
                crate::stored::stored_spec(&row.current)?.shared_ipad,
            )),
            None => None,
        };
        let mut rows = Vec::with_capacity(serials.len());
        for serial in serials {
            let (class, detail) = match (
                cooling.get(serial.as_str()),
                placements.get(serial.as_str()),
            ) {
                (Some(until), _) => (
                    PreviewClass::Cooldown,
                    format!("failed recently; not sent again before {}", until.rfc3339()),
                ),
                (
                    None,
                    Some(SerialPlacement::OnToken {
                        profile_uuid,
                        profile_status,
                        depot_profile,
                        family,
                    }),
                ) => {
                    let refusal = guard.and_then(|(platform, shared_ipad)| {
                        depot_domain::profile::assignment_refusal(
                            platform,
                            shared_ipad,
                            &depot_domain::DeviceFamily::parse(family),
                        )
                    });
                    let on_target = match (&target, profile_uuid) {
                        (Some(t), Some(uuid)) => t.current.apple_uuid.as_deref() == Some(uuid),
                        _ => false,
                    };
                    if let Some(reason) = refusal {
                        (PreviewClass::Refused, format!("{reason}; not sent"))
                    } else if on_target {
                        (
                            PreviewClass::AlreadyOnProfile,
                            "already holds this profile".to_owned(),
                        )
                    } else if target.is_none() && profile_uuid.is_none() {
                        (
                            PreviewClass::AlreadyOnProfile,
                            "holds no profile".to_owned(),
                        )
                    } else if profile_status == "pushed" {
                        (
                            PreviewClass::SetUp,
                            format!(
                                "already set up with {}; the change applies only after the device is erased",
                                depot_profile.as_ref().map_or(
                                    "another profile".to_owned(),
                                    |p| format!("'{}'", p.name)
                                )
                            ),
                        )
                    } else {
                        (
                            PreviewClass::Ready,
                            match depot_profile {
                                Some(p) => format!("now on '{}' v{}", p.name, p.version),
                                None if profile_uuid.is_some() => {
                                    "now on a profile Depot did not create".to_owned()
                                }
                                None => "no profile yet".to_owned(),
                            },
                        )
                    }
                }
                (None, Some(SerialPlacement::OnOtherToken { token_name, .. })) => (
                    PreviewClass::OtherToken,
                    format!("assigned to '{token_name}', not to this token"),
                ),
                (None, Some(SerialPlacement::RemovedOnly)) => (
                    PreviewClass::Removed,
                    "Apple no longer lists this device for its token".to_owned(),
                ),
                (None, Some(SerialPlacement::Unknown) | None) => (
                    PreviewClass::Unknown,
                    "not synced into Depot; Apple decides (sync first to be sure)".to_owned(),
                ),
            };
            rows.push(PreviewRow {
                serial: serial.as_str().to_owned(),
                class,
                detail,
            });
        }
        let to_send: Vec<String> = rows
            .iter()
            .filter(|r| r.class.is_sent())
            .map(|r| r.serial.clone())
            .collect();
        let mut warnings = Vec::new();
        if let Some(row) = &target {
            let spec = crate::stored::stored_spec(&row.current)?;
            warnings.extend(crate::vpp::preview_warning(
                &db,
                &spec,
                row.id,
                to_send.len() as u64,
            )?);
        }
        Ok(AssignmentPreview {
            rows,
            bad_rows,
            duplicates,
            to_send,
            warnings,
        })
    }

    /// DEV-5: removes devices from Depot (not from Apple: a device Apple still
    /// assigns to the server comes back with the next full sync).
    pub fn delete_devices(&self, token: TokenId, serials: &[SerialNumber]) -> Result<u64> {
        self.in_scope(token)?;
        self.workspace.write(|db| {
            let row = self.token_row(db, token)?;
            let removed = db.delete_devices(token, serials)?;
            self.audit(
                db,
                AuditEvent {
                    action: "devices.delete",
                    object: token_object(token, &row.server_name),
                    token: Some(token),
                    before: Some(json!({ "serials": serials.len() })),
                    after: Some(json!({ "deleted": removed })),
                },
            )?;
            Ok(removed)
        })
    }
}

const CSV_HEADER: &str = "Serial Number,Token,Model,Description,Color,Asset Tag,OS,Family,Profile Status,Depot Profile,Profile Version,Apple Profile UUID,Profile Assigned,Assigned to Server,Assigned By,Last Result,Last Result At,Removed\r\n";

fn csv_line(row: &DeviceListRow) -> String {
    let time = |t: Option<UnixSeconds>| t.map(UnixSeconds::rfc3339).unwrap_or_default();
    let cells = [
        row.serial.clone(),
        row.token_name.clone(),
        row.model.clone(),
        row.description.clone(),
        row.color.clone(),
        row.asset_tag.clone().unwrap_or_default(),
        row.os.clone().unwrap_or_default(),
        row.family.clone(),
        row.profile_status.clone(),
        row.depot_profile
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        row.depot_profile
            .as_ref()
            .map(|p| p.version.to_string())
            .unwrap_or_default(),
        row.profile_uuid.clone().unwrap_or_default(),
        time(row.profile_assign_time),
        time(row.assigned_at),
        row.assigned_by.clone().unwrap_or_default(),
        row.last_result
            .as_ref()
            .and_then(|r| r.outcome.clone())
            .unwrap_or_default(),
        time(row.last_result.as_ref().and_then(|r| r.at)),
        time(row.removed_at),
    ];
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Every CSV Depot writes follows one rule (`depot_domain::csv`).
fn csv_cell(value: &str) -> String {
    depot_domain::csv::cell(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_including_colons_in_values() {
        for value in [SortValue::Text("iPad Pro: 13\"".into()), SortValue::Int(-5)] {
            let cursor = DeviceCursor {
                value,
                token_id: TokenId::new(7),
                serial: "F9FXK2ABCD12".into(),
            };
            assert_eq!(decode_cursor(&encode_cursor(&cursor)).unwrap(), cursor);
        }
        assert!(decode_cursor("garbage").is_err());
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
    }
}
