//! The `depot.profile/v1` file (`docs/profile-format.md`): reading and writing.
//!
//! Reading checks the *shape* — JSON types, known keys, enum strings — and names
//! the path of every bad value. The profile rules (lengths, combinations) are
//! [`ProfileSpec::validate`]'s job, so a file that reads can still have problems.
//! Keys the file leaves out take the defaults in the table below.
//!
//! | key | default when missing |
//! |---|---|
//! | `format`, `name`, `userAffinity` | required |
//! | `platform` | `"iOS"` (files written before platforms existed) |
//! | `awaitFinalConfiguration` | `true` |
//! | `syncWithComputers` | `"allowAll"` (Apple's `allow_pairing` default) |
//! | other booleans | `false` |
//! | nullable values | `null` |
//! | arrays, `extensions` | empty |

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::platform_rules::rule_for;
use super::skip_keys::SkipKey;
use super::spec::{
    Authentication, Department, ProfilePlatform, ProfileSpec, SyncWithComputers, UserAffinity,
};
use super::validate::ProfileField;

/// The `format` value this Depot reads and writes.
pub const PROFILE_FORMAT: &str = "depot.profile/v1";

/// One bad value in a profile file, by JSON path (`department.phone`, `hiddenScreens[2]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileFileError {
    #[error("the profile file is not valid JSON: {message} (line {line}, column {column})")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the profile file has {} problem(s): {}", .0.len(), join(.0))]
    Fields(Vec<FileProblem>),
}

fn join(problems: &[FileProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

const KEYS: &[&str] = &[
    "format",
    "name",
    "description",
    "platform",
    "userAffinity",
    "authentication",
    "installCompanyPortal",
    "companyPortalVppToken",
    "singleAppModeUntilAuthentication",
    "supervised",
    "lockedEnrollment",
    "awaitFinalConfiguration",
    "sharedIPad",
    "maximumCachedUsers",
    "syncWithComputers",
    "configuratorCertificates",
    "deviceNameTemplate",
    "department",
    "hiddenScreens",
    "enrollmentUrl",
    "configurationWebUrl",
    "autoAdvanceSetup",
    "language",
    "region",
    "returnToService",
    "doNotUseProfileFromBackup",
    "extensions",
];

const DEPARTMENT_KEYS: &[&str] = &["name", "phone", "email"];

/// Reads one object's keys, remembering every problem.
struct Reader<'o, 'p> {
    object: &'o Map<String, Value>,
    prefix: &'static str,
    problems: &'p mut Vec<FileProblem>,
}

impl<'o> Reader<'o, '_> {
    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn problem(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(FileProblem {
            path,
            message: message.into(),
        });
    }

    fn unknown_keys(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .object
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .map(|key| self.path(key))
            .collect();
        for path in unknown {
            self.problem(
                path,
                "unknown key; check its spelling (free-form data belongs in \"extensions\")",
            );
        }
    }

    /// `None` when missing or `null`; a problem when it has another type.
    fn value(&mut self, key: &str, kind: &str, ok: fn(&Value) -> bool) -> Option<&'o Value> {
        let value = self.object.get(key).filter(|v| !v.is_null())?;
        if ok(value) {
            Some(value)
        } else {
            self.problem(
                self.path(key),
                format!("must be {kind}, not {}", describe(value)),
            );
            None
        }
    }

    fn required(&mut self, key: &str) -> bool {
        if self.object.get(key).is_none_or(Value::is_null) {
            self.problem(self.path(key), "required");
            return false;
        }
        true
    }

    fn string(&mut self, key: &str) -> Option<String> {
        self.value(key, "a string", Value::is_string)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn bool(&mut self, key: &str, default: bool) -> bool {
        self.value(key, "true or false", Value::is_boolean)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }

    fn choice<T: Copy>(&mut self, key: &str, all: &[(T, &str)]) -> Option<T> {
        let text = self.string(key)?;
        let found = all.iter().find(|(_, name)| *name == text).map(|(v, _)| *v);
        if found.is_none() {
            let names: Vec<String> = all.iter().map(|(_, name)| format!("\"{name}\"")).collect();
            self.problem(
                self.path(key),
                format!("\"{text}\" is not one of {}", names.join(", ")),
            );
        }
        found
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        let value = self.value(key, "a whole number", Value::is_number)?;
        let number = value.as_i64();
        if number.is_none() {
            self.problem(
                self.path(key),
                format!("must be a whole number, not {value}"),
            );
        }
        number
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        let Some(items) = self
            .value(key, "an array", Value::is_array)
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => out.push(text.to_owned()),
                None => self.problem(
                    format!("{}[{i}]", self.path(key)),
                    format!("must be a string, not {}", describe(item)),
                ),
            }
        }
        out
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl ProfileSpec {
    /// Reads a `depot.profile/v1` file. Every shape problem is reported at once.
    pub fn from_profile_file(text: &str) -> Result<Self, ProfileFileError> {
        let root: Value = serde_json::from_str(text).map_err(|err| ProfileFileError::Syntax {
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        })?;
        let mut problems = Vec::new();
        let Some(object) = root.as_object() else {
            return Err(ProfileFileError::Fields(vec![FileProblem {
                path: "(file)".to_owned(),
                message: format!("must be a JSON object, not {}", describe(&root)),
            }]));
        };
        let mut r = Reader {
            object,
            prefix: "",
            problems: &mut problems,
        };
        r.unknown_keys(KEYS);
        if r.required("format")
            && let Some(format) = r.string("format")
            && format != PROFILE_FORMAT
        {
            r.problem(
                "format".to_owned(),
                format!(
                    "\"{format}\" is not a format this Depot reads; expected \"{PROFILE_FORMAT}\""
                ),
            );
        }
        r.required("name");
        r.required("userAffinity");
        let name = r.string("name").unwrap_or_default();
        let user_affinity = r.choice("userAffinity", UserAffinity::ALL);
        let platform = r.choice("platform", ProfilePlatform::ALL);
        let authentication = r.choice("authentication", Authentication::ALL);
        let sync = r.choice("syncWithComputers", SyncWithComputers::ALL);
        let mut spec = ProfileSpec {
            name,
            description: r.string("description"),
            platform: platform.unwrap_or(ProfilePlatform::Ios),
            user_affinity: user_affinity.unwrap_or(UserAffinity::WithoutUserAffinity),
            authentication,
            install_company_portal: r.bool("installCompanyPortal", false),
            company_portal_vpp_token: r.string("companyPortalVppToken"),
            single_app_mode_until_authentication: r.bool("singleAppModeUntilAuthentication", false),
            supervised: r.bool("supervised", false),
            locked_enrollment: r.bool("lockedEnrollment", false),
            await_final_configuration: r.bool("awaitFinalConfiguration", true),
            shared_ipad: r.bool("sharedIPad", false),
            maximum_cached_users: r.integer("maximumCachedUsers"),
            sync_with_computers: sync.unwrap_or(SyncWithComputers::AllowAll),
            configurator_certificates: r.strings("configuratorCertificates"),
            device_name_template: r.string("deviceNameTemplate"),
            department: None,
            hidden_screens: r
                .strings("hiddenScreens")
                .into_iter()
                .map(SkipKey::new)
                .collect(),
            enrollment_url: r.string("enrollmentUrl"),
            configuration_web_url: r.string("configurationWebUrl"),
            auto_advance_setup: r.bool("autoAdvanceSetup", false),
            language: r.string("language"),
            region: r.string("region"),
            return_to_service: r.bool("returnToService", false),
            do_not_use_profile_from_backup: r.bool("doNotUseProfileFromBackup", false),
            extensions: Map::new(),
        };
        if let Some(extensions) = r.value("extensions", "an object", Value::is_object) {
            spec.extensions = extensions.as_object().cloned().unwrap_or_default();
        }
        if let Some(department) = r
            .value("department", "an object", Value::is_object)
            .and_then(Value::as_object)
        {
            let mut d = Reader {
                object: department,
                prefix: "department.",
                problems: &mut problems,
            };
            d.unknown_keys(DEPARTMENT_KEYS);
            spec.department = Some(Department {
                name: d.string("name"),
                phone: d.string("phone"),
                email: d.string("email"),
            });
        }
        if problems.is_empty() {
            Ok(spec)
        } else {
            Err(ProfileFileError::Fields(problems))
        }
    }

    /// Writes the `depot.profile/v1` file: every key, in the spec's order,
    /// pretty-printed. Keys only some platforms use are written for those
    /// platforms only (an iOS file has no `language`).
    pub fn to_profile_file(&self) -> String {
        let uses = |field| rule_for(field).is_none_or(|rule| rule.applies_to(self.platform));
        let file = FileRepr {
            format: PROFILE_FORMAT,
            name: &self.name,
            description: self.description.as_deref(),
            platform: self.platform.as_str(),
            user_affinity: self.user_affinity.as_str(),
            authentication: self.authentication.map(Authentication::as_str),
            install_company_portal: self.install_company_portal,
            company_portal_vpp_token: self.company_portal_vpp_token.as_deref(),
            single_app_mode_until_authentication: self.single_app_mode_until_authentication,
            supervised: self.supervised,
            locked_enrollment: self.locked_enrollment,
            await_final_configuration: self.await_final_configuration,
            shared_ipad: self.shared_ipad,
            maximum_cached_users: self.maximum_cached_users,
            sync_with_computers: self.sync_with_computers.as_str(),
            configurator_certificates: &self.configurator_certificates,
            device_name_template: self.device_name_template.as_deref(),
            department: self.department.as_ref().map(|d| DepartmentRepr {
                name: d.name.as_deref(),
                phone: d.phone.as_deref(),
                email: d.email.as_deref(),
            }),
            hidden_screens: self.hidden_screens.iter().map(SkipKey::as_str).collect(),
            enrollment_url: self.enrollment_url.as_deref(),
            configuration_web_url: self.configuration_web_url.as_deref(),
            auto_advance_setup: uses(ProfileField::AutoAdvanceSetup)
                .then_some(self.auto_advance_setup),
            language: uses(ProfileField::Language).then_some(self.language.as_deref()),
            region: uses(ProfileField::Region).then_some(self.region.as_deref()),
            return_to_service: uses(ProfileField::ReturnToService)
                .then_some(self.return_to_service),
            do_not_use_profile_from_backup: uses(ProfileField::DoNotUseProfileFromBackup)
                .then_some(self.do_not_use_profile_from_backup),
            extensions: &self.extensions,
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileRepr<'a> {
    format: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    platform: &'a str,
    user_affinity: &'a str,
    authentication: Option<&'a str>,
    install_company_portal: bool,
    company_portal_vpp_token: Option<&'a str>,
    single_app_mode_until_authentication: bool,
    supervised: bool,
    locked_enrollment: bool,
    await_final_configuration: bool,
    #[serde(rename = "sharedIPad")]
    shared_ipad: bool,
    maximum_cached_users: Option<i64>,
    sync_with_computers: &'a str,
    configurator_certificates: &'a [String],
    device_name_template: Option<&'a str>,
    department: Option<DepartmentRepr<'a>>,
    hidden_screens: Vec<&'a str>,
    enrollment_url: Option<&'a str>,
    configuration_web_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_advance_setup: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_to_service: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    do_not_use_profile_from_backup: Option<bool>,
    extensions: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct DepartmentRepr<'a> {
    name: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}
