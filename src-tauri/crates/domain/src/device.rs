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

    /// The profile platform for this family (PLT-2); `None` for a family Depot
    /// does not know, which no default profile fits.
    pub fn platform(&self) -> Option<crate::profile::ApplePlatform> {
        use crate::profile::ApplePlatform;
        match self {
            Self::IPhone | Self::IPad | Self::IPod => Some(ApplePlatform::Ios),
            Self::Mac => Some(ApplePlatform::MacOs),
            Self::AppleTv => Some(ApplePlatform::TvOs),
            Self::Vision => Some(ApplePlatform::VisionOs),
            Self::Unknown(_) => None,
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
    /// Protocol-10 hardware identifiers and replacement flags.
    pub facts: DeviceFacts,
}

/// At most this many IMEIs (and, separately, MEIDs) are kept per device.
pub const MAX_IDENTIFIERS_PER_LIST: usize = 8;
/// The longest identifier text kept (characters).
pub const MAX_IDENTIFIER_LEN: usize = 64;
/// Search looks identifiers up by a prefix of at least this many characters
/// (separators not counted).
pub const MIN_IDENTIFIER_SEARCH_LEN: usize = 6;

/// The hardware facts Apple sends from protocol version 10 (spec §3.4).
/// Every identifier passed [`identifier`]; lists are capped at
/// [`MAX_IDENTIFIERS_PER_LIST`] and hold no duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    pub imei: Vec<String>,
    pub meid: Vec<String>,
    pub eid: Option<String>,
    pub wifi_mac: Option<String>,
    pub bluetooth_mac: Option<String>,
    pub ethernet_mac: Option<String>,
    /// `is_replacement_device`; `None` when Apple did not say.
    pub is_replacement: Option<bool>,
    /// `released_by_replacement` (sync `deleted` records only).
    pub released_by_replacement: Option<bool>,
}

/// Which identifier a search key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    Imei,
    Meid,
    Eid,
    WifiMac,
    BluetoothMac,
    EthernetMac,
}

impl IdentifierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imei => "imei",
            Self::Meid => "meid",
            Self::Eid => "eid",
            Self::WifiMac => "wifi_mac",
            Self::BluetoothMac => "bluetooth_mac",
            Self::EthernetMac => "ethernet_mac",
        }
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ':' | '-' | '.' | ' ')
}

/// An identifier as Depot keeps it: trimmed, at most [`MAX_IDENTIFIER_LEN`]
/// characters, only ASCII letters and digits with `:`, `-`, `.` or space
/// between them, and at least one letter or digit. Anything else is `None`.
pub fn identifier(text: &str) -> Option<String> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text.len() <= MAX_IDENTIFIER_LEN
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || is_separator(c))
        && text.chars().any(|c| c.is_ascii_alphanumeric());
    ok.then(|| text.to_owned())
}

/// The search key of an identifier: its letters and digits, upper case
/// (`aa:bb-cc` → `AABBCC`). The SQL twin (migration 0009) removes the same
/// four separators and upper-cases.
pub fn identifier_key(text: &str) -> String {
    text.chars()
        .filter(|c| !is_separator(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The search key of a word typed into the device search, when it could be
/// the start of an IMEI, MEID, EID or MAC address: hexadecimal digits and
/// separators only, with at least [`MIN_IDENTIFIER_SEARCH_LEN`] digits.
pub fn identifier_search_key(word: &str) -> Option<String> {
    let word = word.trim();
    if word.len() > MAX_IDENTIFIER_LEN
        || !word
            .chars()
            .all(|c| c.is_ascii_hexdigit() || is_separator(c))
    {
        return None;
    }
    let key = identifier_key(word);
    (key.len() >= MIN_IDENTIFIER_SEARCH_LEN).then_some(key)
}

impl DeviceFacts {
    /// Every identifier with its kind, in a fixed order.
    pub fn identifiers(&self) -> Vec<(IdentifierKind, &str)> {
        let mut out = Vec::new();
        out.extend(self.imei.iter().map(|v| (IdentifierKind::Imei, v.as_str())));
        out.extend(self.meid.iter().map(|v| (IdentifierKind::Meid, v.as_str())));
        for (kind, value) in [
            (IdentifierKind::Eid, &self.eid),
            (IdentifierKind::WifiMac, &self.wifi_mac),
            (IdentifierKind::BluetoothMac, &self.bluetooth_mac),
            (IdentifierKind::EthernetMac, &self.ethernet_mac),
        ] {
            if let Some(v) = value {
                out.push((kind, v.as_str()));
            }
        }
        out
    }

    /// The distinct search keys with their kinds (one device may repeat a
    /// value, e.g. the same IMEI twice).
    pub fn identifier_keys(&self) -> Vec<(IdentifierKind, String)> {
        let mut out: Vec<(IdentifierKind, String)> = Vec::new();
        for (kind, value) in self.identifiers() {
            let key = identifier_key(value);
            if !out.iter().any(|(k, v)| *k == kind && *v == key) {
                out.push((kind, key));
            }
        }
        out
    }

    /// Whether any fact at all is known (a device synced before protocol 10
    /// support has none).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
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
                facts: DeviceFacts::default(),
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
    fn identifiers_are_checked_and_keyed() {
        assert_eq!(
            identifier("  35 123456 789012 3 "),
            Some("35 123456 789012 3".into())
        );
        assert_eq!(
            identifier("f0:18:98:aa:bb:cc"),
            Some("f0:18:98:aa:bb:cc".into())
        );
        for bad in [
            "",
            "  ",
            "::--",
            "35<script>",
            "3512345678\u{202E}",
            "Ø1234567",
        ] {
            assert_eq!(identifier(bad), None, "{bad}");
        }
        assert_eq!(identifier(&"1".repeat(65)), None);
        assert!(identifier(&"1".repeat(64)).is_some());
        assert_eq!(identifier_key("f0:18-98.aa bb"), "F01898AABB");
        assert_eq!(identifier_search_key("f0:18:98"), Some("F01898".into()));
        assert_eq!(identifier_search_key("f0:18"), None, "too short");
        assert_eq!(identifier_search_key("ipad-air"), None, "not hexadecimal");
        assert_eq!(identifier_search_key("351234"), Some("351234".into()));
    }

    #[test]
    fn identifier_keys_are_distinct_per_kind() {
        let facts = DeviceFacts {
            imei: vec!["351234567890123".into(), "35 1234567890123".into()],
            wifi_mac: Some("aa:bb:cc:dd:ee:ff".into()),
            bluetooth_mac: Some("AA-BB-CC-DD-EE-FF".into()),
            ..DeviceFacts::default()
        };
        assert_eq!(
            facts.identifier_keys(),
            [
                (IdentifierKind::Imei, "351234567890123".to_owned()),
                (IdentifierKind::WifiMac, "AABBCCDDEEFF".to_owned()),
                (IdentifierKind::BluetoothMac, "AABBCCDDEEFF".to_owned()),
            ]
        );
        assert!(DeviceFacts::default().is_empty());
        assert!(!facts.is_empty());
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
