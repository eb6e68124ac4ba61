//! Device name templates (PRO-11): text with `{{SERIAL}}` and `{{DEVICETYPE}}`.

use std::fmt;

use crate::device::DeviceFamily;
use crate::serial::SerialNumber;

/// Longest device name Apple's `DeviceName` setting gets from a template.
pub const MAX_DEVICE_NAME_CHARS: usize = 63;

/// The longest `{{DEVICETYPE}}` Depot plans for: Apple's device families
/// (`iPhone`, `iPad`, `iPod`, `Mac`, `AppleTV`, `Vision`) have at most 7 characters.
pub const MAX_DEVICE_TYPE_CHARS: usize = 7;

/// A template whose tokens are all known and whose longest expansion (longest
/// serial, longest device type) fits in [`MAX_DEVICE_NAME_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNameTemplate {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Serial,
    DeviceType,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template is empty; leave it unset to keep the names devices have")]
    Empty,
    #[error("{{{{{0}}}}} is not a template token; use {{{{SERIAL}}}} or {{{{DEVICETYPE}}}}")]
    UnknownToken(String),
    #[error("a '{{{{' is not closed with '}}}}'")]
    Unclosed,
    #[error(
        "names can be up to {longest} characters long with a 14-character serial number, \
         more than the 63 Apple allows; shorten the text"
    )]
    TooLong { longest: usize },
}

impl DeviceNameTemplate {
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or(TemplateError::Unclosed)?;
            parts.push(match &after[..close] {
                "SERIAL" => Part::Serial,
                "DEVICETYPE" => Part::DeviceType,
                other => return Err(TemplateError::UnknownToken(other.to_owned())),
            });
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        let template = Self {
            text: text.to_owned(),
            parts,
        };
        let longest = template.longest_expansion();
        if longest > MAX_DEVICE_NAME_CHARS {
            return Err(TemplateError::TooLong { longest });
        }
        Ok(template)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Characters of the longest name this template can produce.
    pub fn longest_expansion(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.chars().count(),
                Part::Serial => SerialNumber::MAX_LEN,
                Part::DeviceType => MAX_DEVICE_TYPE_CHARS,
            })
            .sum()
    }

    /// The device's name. A device family Depot does not know that is longer than
    /// [`MAX_DEVICE_TYPE_CHARS`] could overflow; the name is then cut at 63 characters.
    pub fn render(&self, serial: &SerialNumber, device_type: &DeviceFamily) -> String {
        let name: String = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.as_str(),
                Part::Serial => serial.as_str(),
                Part::DeviceType => device_type.as_str(),
            })
            .collect();
        name.chars().take(MAX_DEVICE_NAME_CHARS).collect()
    }
}

impl fmt::Display for DeviceNameTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect`: the name rendered for serial `C02XK1ZZJG5H` on an iPad, or the error.
    fn check(template: &str, expect: Result<&str, TemplateError>) {
        let serial = SerialNumber::parse("C02XK1ZZJG5H").unwrap();
        let got =
            DeviceNameTemplate::parse(template).map(|t| t.render(&serial, &DeviceFamily::IPad));
        assert_eq!(got.as_deref(), expect.as_ref().map(|s| *s), "{template:?}");
    }

    #[test]
    fn renders_serial_and_device_type() {
        check("{{DEVICETYPE}}-{{SERIAL}}", Ok("iPad-C02XK1ZZJG5H"));
        check("Store {{SERIAL}}", Ok("Store C02XK1ZZJG5H"));
        check("{{SERIAL}}{{SERIAL}}", Ok("C02XK1ZZJG5HC02XK1ZZJG5H"));
        check("Kiosk", Ok("Kiosk"));
        check("{single} braces }}", Ok("{single} braces }}"));
        // 28 + 14 + 7 + 14 = 63: exactly the limit.
        check(
            "Berlin-Mitte-Retail-Floor-2-{{SERIAL}}{{DEVICETYPE}}{{SERIAL}}",
            Ok("Berlin-Mitte-Retail-Floor-2-C02XK1ZZJG5HiPadC02XK1ZZJG5H"),
        );
    }

    #[test]
    fn rejects_unknown_tokens_and_long_names() {
        check("", Err(TemplateError::Empty));
        check("   ", Err(TemplateError::Empty));
        check(
            "{{serial}}",
            Err(TemplateError::UnknownToken("serial".into())),
        );
        check(
            "{{USER}}-{{SERIAL}}",
            Err(TemplateError::UnknownToken("USER".into())),
        );
        check("{{}}", Err(TemplateError::UnknownToken(String::new())));
        check("iPad-{{SERIAL", Err(TemplateError::Unclosed));
        check(
            "Berlin-Mitte-Retail-Floor-22-{{SERIAL}}{{DEVICETYPE}}{{SERIAL}}",
            Err(TemplateError::TooLong { longest: 64 }),
        );
        check(&"x".repeat(64), Err(TemplateError::TooLong { longest: 64 }));
    }

    #[test]
    fn cuts_names_of_unknown_long_device_types() {
        let template =
            DeviceNameTemplate::parse(&format!("{}{{{{DEVICETYPE}}}}", "a".repeat(56))).unwrap();
        let serial = SerialNumber::parse("C02XK1ZZJG5H").unwrap();
        let name = template.render(&serial, &DeviceFamily::Unknown("HomePodMini".into()));
        assert_eq!(name, format!("{}HomePod", "a".repeat(56)));
    }
}
