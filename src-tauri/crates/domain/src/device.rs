//! A device as Depot knows it from Apple (DEV-1): the domain shape between
//! Apple's wire DTO (`apple`) and the UI's view DTO (`api`).

use crate::SerialNumber;

/// Apple's `profile_status`; values Apple adds later are kept, not dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProfileStatus {
    Empty,
    Assigned,
    Pushed,
    Removed,
    Unknown(String),
}

impl ProfileStatus {
    pub fn parse(text: &str) -> Self {
        match text {
            "" | "empty" => Self::Empty,
            "assigned" => Self::Assigned,
            "pushed" => Self::Pushed,
            "removed" => Self::Removed,
            other => Self::Unknown(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Empty => "empty",
            Self::Assigned => "assigned",
            Self::Pushed => "pushed",
            Self::Removed => "removed",
            Self::Unknown(other) => other,
        }
    }
}

/// Apple's `device_family`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceFamily {
    IPhone,
    IPad,
    IPod,
    Mac,
    AppleTv,
    Vision,
    Unknown(String),
}

impl DeviceFamily {
    pub fn parse(text: &str) -> Self {
        match text {
            "iPhone" => Self::IPhone,
            "iPad" => Self::IPad,
            "iPod" => Self::IPod,
            "Mac" => Self::Mac,
            "AppleTV" => Self::AppleTv,
            "Vision" => Self::Vision,
            other => Self::Unknown(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::IPhone => "iPhone",
            Self::IPad => "iPad",
            Self::IPod => "iPod",
            Self::Mac => "Mac",
            Self::AppleTv => "AppleTV",
            Self::Vision => "Vision",
            Self::Unknown(other) => other,
        }
    }
}

/// Apple's facts about one device. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub serial: SerialNumber,
    pub model: String,
    pub description: String,
    pub color: String,
    pub asset_tag: Option<String>,
    pub os: Option<String>,
    pub family: DeviceFamily,
    pub profile_status: ProfileStatus,
    pub profile_uuid: Option<String>,
    pub profile_assign_time: Option<i64>,
    pub profile_push_time: Option<i64>,
    pub assigned_at: Option<i64>,
    pub assigned_by: Option<String>,
}

/// What a fetch or sync record says happened to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceOp {
    /// A fetch record (no `op_type`): the device is assigned to this server.
    Listed,
    Added,
    Modified,
    Deleted,
}

/// One record of a fetch or sync page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChange {
    pub op: DeviceOp,
    /// `op_date` (sync), else the assigned date; Unix seconds.
    pub op_date: Option<i64>,
    pub record: DeviceRecord,
}

/// Keeps, per serial, the record with the latest `op_date` (a later record
/// wins a tie), in first-seen order. Apple may repeat a serial in one answer.
pub fn latest_per_serial(changes: Vec<DeviceChange>) -> Vec<DeviceChange> {
    let mut index: std::collections::HashMap<SerialNumber, usize> =
        std::collections::HashMap::new();
    let mut out: Vec<DeviceChange> = Vec::with_capacity(changes.len());
    for change in changes {
        match index.get(&change.record.serial) {
            Some(&i) => {
                if change.op_date.unwrap_or(i64::MIN) >= out[i].op_date.unwrap_or(i64::MIN) {
                    out[i] = change;
                }
            }
            None => {
                index.insert(change.record.serial.clone(), out.len());
                out.push(change);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(serial: &str, op: DeviceOp, at: i64, color: &str) -> DeviceChange {
        DeviceChange {
            op,
            op_date: Some(at),
            record: DeviceRecord {
                serial: SerialNumber::parse(serial).unwrap(),
                model: "iPad".into(),
                description: String::new(),
                color: color.into(),
                asset_tag: None,
                os: None,
                family: DeviceFamily::IPad,
                profile_status: ProfileStatus::Empty,
                profile_uuid: None,
                profile_assign_time: None,
                profile_push_time: None,
                assigned_at: None,
                assigned_by: None,
            },
        }
    }

    #[test]
    fn the_latest_op_date_wins_per_serial() {
        let out = latest_per_serial(vec![
            change("AAAA1111BB", DeviceOp::Added, 10, "first"),
            change("CCCC2222DD", DeviceOp::Added, 11, "other"),
            change("AAAA1111BB", DeviceOp::Deleted, 30, "gone"),
            change("AAAA1111BB", DeviceOp::Modified, 20, "older"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].op, DeviceOp::Deleted);
        assert_eq!(out[1].record.color, "other");
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        assert_eq!(
            ProfileStatus::parse("pending"),
            ProfileStatus::Unknown("pending".into())
        );
        assert_eq!(ProfileStatus::parse("pending").as_str(), "pending");
        assert_eq!(DeviceFamily::parse("AppleTV"), DeviceFamily::AppleTv);
        assert_eq!(DeviceFamily::parse("Car").as_str(), "Car");
    }
}
