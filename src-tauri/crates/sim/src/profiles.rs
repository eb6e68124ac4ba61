//! `POST /profile` validation, following spec §4.1 and Apple's error codes.

use serde_json::{Map, Value};

const STRING_KEYS: &[&str] = &[
    "profile_name",
    "url",
    "configuration_web_url",
    "org_magic",
    "department",
    "support_phone_number",
    "support_email_address",
    "language",
    "region",
];

const BOOL_KEYS: &[&str] = &[
    "is_supervised",
    "is_mdm_removable",
    "is_mandatory",
    "await_device_configured",
    "auto_advance_setup",
    "is_multi_user",
    "allow_pairing",
    "do_not_use_profile_from_backup",
    "is_return_to_service",
];

const STRING_ARRAY_KEYS: &[&str] = &[
    "supervising_host_certs",
    "anchor_certs",
    "skip_setup_items",
    "devices",
];

/// A valid profile: its keys and the serials to assign.
#[derive(Debug)]
pub(crate) struct ValidProfile {
    pub fields: Map<String, Value>,
    pub devices: Vec<String>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `https://host[...]`, ≤ 2000 characters, no whitespace or control characters.
fn valid_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host.split(':').next().unwrap_or("");
    url.len() <= 2000
        && !host_name.is_empty()
        && host_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '[' || c == ']')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    (1..=250).contains(&chars(email))
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn valid_phone(phone: &str) -> bool {
    (1..=50).contains(&chars(phone))
        && phone.chars().filter(char::is_ascii_digit).count() >= 3
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
}

/// Validates like Apple: the first problem found wins.
pub(crate) fn validate(body: &Value) -> Result<ValidProfile, &'static str> {
    let obj = body.as_object().ok_or("MALFORMED_REQUEST_BODY")?;
    let mut fields = Map::new();
    for (k, v) in obj {
        let k = k.as_str();
        let ok = if STRING_KEYS.contains(&k) {
            v.is_string()
        } else if BOOL_KEYS.contains(&k) {
            v.is_boolean()
        } else if STRING_ARRAY_KEYS.contains(&k) {
            v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
        } else {
            // Only the keys Apple documents for POST /profile (spec §4.1): a
            // misspelt or response-only key (`profile_uuid`) is refused, so a
            // client sending one is caught in tests rather than by Apple.
            return Err("MALFORMED_REQUEST_BODY");
        };
        if !ok {
            return Err("MALFORMED_REQUEST_BODY");
        }
        fields.insert(k.to_string(), v.clone());
    }
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let flag = |k: &str| fields.get(k).and_then(Value::as_bool);

    match text("profile_name") {
        None | Some("") => return Err("CONFIG_NAME_REQUIRED"),
        Some(name) if chars(name) > 125 => return Err("CONFIG_NAME_INVALID"),
        Some(_) => {}
    }
    match text("url") {
        None | Some("") => return Err("CONFIG_URL_REQUIRED"),
        Some(url) if !valid_url(url) => return Err("CONFIG_URL_INVALID"),
        Some(_) => {}
    }
    if text("configuration_web_url").is_some_and(|u| !valid_url(u)) {
        return Err("CONFIG_URL_INVALID");
    }
    // is_mdm_removable defaults to true; false requires supervision.
    if flag("is_mdm_removable") == Some(false) && flag("is_supervised") != Some(true) {
        return Err("FLAGS_INVALID");
    }
    if text("org_magic").is_some_and(|m| m.is_empty() || chars(m) > 256) {
        return Err("MAGIC_INVALID");
    }
    if text("department").is_some_and(|d| d.is_empty() || chars(d) > 125) {
        return Err("DEPARTMENT_INVALID");
    }
    if text("support_phone_number").is_some_and(|p| !valid_phone(p)) {
        return Err("SUPPORT_PHONE_INVALID");
    }
    if text("support_email_address").is_some_and(|e| !valid_email(e)) {
        return Err("SUPPORT_EMAIL_INVALID");
    }
    let lang_ok = text("language")
        .is_none_or(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()));
    let region_ok =
        text("region").is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()));
    if !lang_ok || !region_ok {
        return Err("LOCALE_INVALID");
    }
    let devices: Vec<String> = fields
        .remove("devices")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if devices.len() > 1000 {
        return Err("MALFORMED_REQUEST_BODY");
    }
    Ok(ValidProfile { fields, devices })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value, expect: Result<(), &str>) {
        assert_eq!(validate(&body).map(|_| ()), expect, "{body}");
    }

    #[test]
    fn validation_table() {
        let ok = json!({"profile_name": "P", "url": "https://mdm.example.com/enroll"});
        check(ok.clone(), Ok(()));
        check(json!({"url": "https://a.b"}), Err("CONFIG_NAME_REQUIRED"));
        check(
            json!({"profile_name": "x".repeat(126), "url": "https://a.b"}),
            Err("CONFIG_NAME_INVALID"),
        );
        check(json!({"profile_name": "P"}), Err("CONFIG_URL_REQUIRED"));
        check(
            json!({"profile_name": "P", "url": "ftp://a.b"}),
            Err("CONFIG_URL_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a b"}),
            Err("CONFIG_URL_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "is_mdm_removable": false}),
            Err("FLAGS_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "is_mdm_removable": false, "is_supervised": true}),
            Ok(()),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "org_magic": ""}),
            Err("MAGIC_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "department": ""}),
            Err("DEPARTMENT_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "support_phone_number": "call me"}),
            Err("SUPPORT_PHONE_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "support_phone_number": "+1 (555) 010-0100"}),
            Ok(()),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "support_email_address": "it@"}),
            Err("SUPPORT_EMAIL_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "language": "english"}),
            Err("LOCALE_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "region": "us"}),
            Err("LOCALE_INVALID"),
        );
        check(
            json!({"profile_name": "P", "url": "https://a.b", "is_supervised": "yes"}),
            Err("MALFORMED_REQUEST_BODY"),
        );
        for key in [
            "whatever",
            "profile_uuid",
            "mandatory",
            "supervised",
            "return_to_service",
        ] {
            check(
                json!({"profile_name": "P", "url": "https://a.b", key: true}),
                Err("MALFORMED_REQUEST_BODY"),
            );
        }
        check(
            json!({"profile_name": "P", "url": "https://a.b", "auto_advance_setup": true,
                   "language": "fr", "region": "CA", "is_return_to_service": true,
                   "do_not_use_profile_from_backup": true}),
            Ok(()),
        );
        check(json!([1]), Err("MALFORMED_REQUEST_BODY"));
    }
}
