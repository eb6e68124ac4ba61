//! Pure views of a profile (PRO-14, PRO-17, DEV-8): the field-by-field diff
//! of two versions, the dynamic group rule, the licensing note and the device
//! name preview. No IO: core and the UI show what these return.

use serde_json::Value;

use super::skip_keys::ApplePlatform;
use super::spec::ProfileSpec;
use crate::{DeviceFamily, SerialNumber};

/// One setting that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// PRO-17: the rule a directory's dynamic device group would use.
pub fn group_rule(name: &str) -> String {
    format!(
        "(device.enrollmentProfileName -eq \"{}\")",
        name.replace('"', "\\\"")
    )
}

/// DEV-8.
pub fn licensing_note(spec: &ProfileSpec) -> String {
    use super::spec::UserAffinity;
    match spec.user_affinity {
        UserAffinity::WithUserAffinity => "Devices enrolled with this profile are tied to a user: each user needs a user license for your MDM service.".into(),
        UserAffinity::WithoutUserAffinity => "Devices enrolled with this profile have no user: each device needs a device license for your MDM service.".into(),
    }
}

pub fn device_name_preview(spec: &ProfileSpec) -> Option<String> {
    let text = spec.device_name_template.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    let template = super::template::DeviceNameTemplate::parse(text).ok()?;
    let serial = SerialNumber::parse("F9FXK2ABCD12").ok()?;
    let family = match spec.platform {
        ApplePlatform::Ios => "iPad",
        ApplePlatform::MacOs => "Mac",
        ApplePlatform::TvOs => "AppleTV",
        ApplePlatform::VisionOs => "Vision",
    };
    Some(template.render(&serial, &DeviceFamily::parse(family)))
}

/// Labels for the diff view, in wizard order.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("platform", "Platform"),
    ("userAffinity", "User affinity"),
    ("authentication", "Authentication method"),
    ("installCompanyPortal", "Install Company Portal"),
    ("companyPortalVppToken", "Company Portal VPP token"),
    (
        "singleAppModeUntilAuthentication",
        "Single App Mode until authentication",
    ),
    ("supervised", "Supervised"),
    ("lockedEnrollment", "Locked enrollment"),
    ("awaitFinalConfiguration", "Await final configuration"),
    ("sharedIPad", "Shared iPad"),
    ("maximumCachedUsers", "Maximum cached users"),
    ("syncWithComputers", "Sync with computers"),
    (
        "configuratorCertificates",
        "Apple Configurator certificates",
    ),
    ("deviceNameTemplate", "Device name template"),
    ("department.name", "Department name"),
    ("department.phone", "Department phone"),
    ("department.email", "Support email"),
    ("hiddenScreens", "Hidden Setup Assistant screens"),
    ("enrollmentUrl", "Enrollment URL"),
    ("configurationWebUrl", "Configuration web URL"),
    ("autoAdvanceSetup", "Auto advance Setup Assistant"),
    ("language", "Setup Assistant language"),
    ("region", "Setup Assistant region"),
    ("returnToService", "Return to Service"),
    (
        "doNotUseProfileFromBackup",
        "Don't restore the enrollment profile from a backup",
    ),
    ("extensions", "Extensions"),
];

/// Field-by-field changes between two specs, via their `depot.profile/v1` form.
pub fn diff_specs(before: &ProfileSpec, after: &ProfileSpec) -> Vec<FieldChange> {
    let flat = |spec: &ProfileSpec| -> serde_json::Map<String, Value> {
        let mut map = match serde_json::from_str::<Value>(&spec.to_profile_file()) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let department = map.remove("department");
        for part in ["name", "phone", "email"] {
            let value = department
                .as_ref()
                .and_then(|d| d.get(part))
                .cloned()
                .unwrap_or(Value::Null);
            map.insert(format!("department.{part}"), value);
        }
        map
    };
    let (a, b) = (flat(before), flat(after));
    FIELD_LABELS
        .iter()
        .filter_map(|(field, label)| {
            let x = a.get(*field).cloned().unwrap_or(Value::Null);
            let y = b.get(*field).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange {
                field: (*field).to_owned(),
                label: (*label).to_owned(),
                before: show(&x),
                after: show(&y),
            })
        })
        .collect()
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                // Characters, not bytes: a cut must not split a multi-byte one.
                Value::String(s) if s.chars().count() > 24 => {
                    format!("{}…", s.chars().take(16).collect::<String>())
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Property tests of profile diffs (issue 11): any two specs compare without
/// a panic, whatever their text holds (multi-byte characters at the cut of a
/// long value included), and a spec never differs from itself.
#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the profile file is a row of the diff (the platform keys
    /// of issue 12 were once missing: a changed language showed no change).
    #[test]
    fn every_file_key_has_a_diff_label() {
        use crate::profile::ApplePlatform;
        for platform in [ApplePlatform::Ios, ApplePlatform::MacOs] {
            let file: Value =
                serde_json::from_str(&ProfileSpec::new_for("P", platform).to_profile_file())
                    .unwrap();
            for key in file.as_object().unwrap().keys() {
                let covered = key == "format"
                    || key == "department"
                    || FIELD_LABELS.iter().any(|(field, _)| field == key);
                assert!(covered, "{key} has no diff label");
            }
        }
        let mut mac = ProfileSpec::new_for("P", ApplePlatform::MacOs);
        let before = mac.clone();
        mac.language = Some("fr".into());
        let changes = diff_specs(&before, &mac);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            (changes[0].field.as_str(), changes[0].after.as_str()),
            ("language", "fr")
        );
    }
}

#[cfg(test)]
mod diff_properties {
    use crate::profile::{ProfileSpec, SkipKey};
    use proptest::prelude::*;

    use super::diff_specs;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(256),
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range('a', 'z'),
                Just('é'),
                Just('€'),
                Just('😀'),
                Just('ß'),
                any::<char>(),
            ],
            0..40,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    fn spec() -> impl Strategy<Value = ProfileSpec> {
        (
            text(),
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..6),
            proptest::option::of(text()),
            any::<bool>(),
        )
            .prop_map(|(name, description, hidden, template, supervised)| {
                let mut spec = ProfileSpec::new(name);
                spec.description = description;
                spec.hidden_screens = hidden.into_iter().map(SkipKey::new).collect();
                spec.device_name_template = template;
                spec.supervised = supervised;
                spec
            })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_two_specs_compare(a in spec(), b in spec()) {
            let changes = diff_specs(&a, &b);
            for change in &changes {
                prop_assert!(!change.label.is_empty());
            }
            prop_assert!(diff_specs(&a, &a).is_empty());
        }
    }
}
