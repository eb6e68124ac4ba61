//! Property tests for the parsers that read untrusted text (issue 11): any
//! input gives a value or an error, never a panic. Each runs a bounded number
//! of cases (`CASES`; `PROPTEST_CASES` overrides) with inputs shaped like the
//! real thing — near-valid DER, dates, CSV, profile files — as well as noise.

use proptest::prelude::*;
use serde_json::Value;

use crate::profile::{Certificate, ProfileSpec};
use crate::serial_list::parse_serial_list;
use crate::time::{parse_rfc3339, rfc3339};

/// Cases per property: enough to find the shallow crashes on every CI run,
/// few enough for a busy 2-core machine.
const CASES: u32 = 512;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        // No regression files in the repository: a failure prints its input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that mixes ASCII, digits, separators and multi-byte characters (the
/// ones that split a byte-indexed slice).
fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('0', '9'),
            2 => proptest::char::range('A', 'Z'),
            2 => Just(','),
            1 => Just(';'),
            1 => Just('\t'),
            1 => Just('"'),
            1 => Just('\n'),
            1 => Just('\r'),
            1 => Just('-'),
            1 => Just(':'),
            1 => Just('T'),
            1 => Just('Z'),
            1 => Just('+'),
            1 => Just('é'),
            1 => Just('€'),
            1 => Just('😀'),
            1 => Just('\u{202e}'),
            1 => Just('\u{feff}'),
            1 => any::<char>(),
        ],
        0..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// One DER TLV with a random tag and a (possibly wrong) length header.
fn der_value(depth: u32) -> BoxedStrategy<Vec<u8>> {
    let leaf = (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..24))
        .prop_map(|(tag, content)| tlv(tag & 0xDF, &content))
        .boxed();
    leaf.prop_recursive(depth, 64, 4, |inner| {
        (
            prop_oneof![Just(0x30u8), Just(0x31), Just(0xA0), any::<u8>()],
            proptest::collection::vec(inner, 0..4),
            any::<i8>(),
        )
            .prop_map(|(tag, children, skew)| {
                let content: Vec<u8> = children.concat();
                let mut out = tlv(tag | 0x20, &content);
                // Now and then a length that lies by a little.
                if skew % 7 == 0 && out.len() > 1 {
                    out[1] = out[1].wrapping_add(skew as u8);
                }
                out
            })
    })
    .boxed()
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

const GOLDEN_PROFILES: [&str; 3] = [
    include_str!("profile/golden/company-portal.profile.json"),
    include_str!("profile/golden/modern-auth.profile.json"),
    include_str!("profile/golden/shared-ipad.profile.json"),
];

/// A golden profile file with one value replaced by something arbitrary.
fn mutated_profile() -> impl Strategy<Value = String> {
    (
        0..GOLDEN_PROFILES.len(),
        any::<prop::sample::Index>(),
        prop_oneof![
            tricky_text(40).prop_map(Value::String),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(Value::Array(vec![Value::from(1), Value::from("x")])),
            Just(serde_json::json!({"nested": {"deeper": [1, 2, 3]}})),
        ],
    )
        .prop_map(|(which, index, value)| {
            let mut root: Value = serde_json::from_str(GOLDEN_PROFILES[which]).unwrap();
            if let Value::Object(map) = &mut root {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = index.get(&keys).clone();
                map.insert(key, value);
            }
            root.to_string()
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn certificate_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Certificate::from_file_bytes(&bytes);
    }

    #[test]
    fn certificate_der_shapes_never_panic(der in der_value(6)) {
        if let Ok(cert) = Certificate::from_file_bytes(&der) {
            let _ = cert.summary();
        }
    }

    #[test]
    fn certificate_base64_and_pem_never_panic(text in tricky_text(200)) {
        let _ = Certificate::from_base64(&text);
        let pem = format!("-----BEGIN CERTIFICATE-----\n{text}\n-----END CERTIFICATE-----\n");
        let _ = Certificate::from_file_bytes(pem.as_bytes());
    }

    #[test]
    fn time_parsing_never_panics(text in tricky_text(40)) {
        let _ = parse_rfc3339(&text);
    }

    #[test]
    fn near_valid_times_never_panic(
        year in "[0-9]{1,6}", month in "[0-9]{1,3}", day in "[0-9é]{1,3}",
        clock in "[0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{0,4})?",
        zone in "(Z|[+-][0-9]{1,20}:[0-9]{1,20}|[+-]€)",
    ) {
        let _ = parse_rfc3339(&format!("{year}-{month}-{day}T{clock}{zone}"));
    }

    #[test]
    fn formatted_times_parse_back(unix in -62_135_596_800i64..253_402_300_799) {
        prop_assert_eq!(parse_rfc3339(&rfc3339(unix)), Some(unix));
    }

    #[test]
    fn serial_lists_never_panic_and_account_for_every_line(text in tricky_text(400)) {
        let list = parse_serial_list(&text);
        let lines = text.lines().count();
        prop_assert!(list.bad_rows.iter().all(|row| row.line >= 1 && row.line <= lines.max(1)));
        prop_assert!(list.serials.len() + list.bad_rows.len() + list.duplicates <= lines);
    }

    #[test]
    fn csv_serial_lists_never_panic(
        rows in proptest::collection::vec(
            proptest::collection::vec("[A-Z0-9\"é€ ]{0,14}", 1..5), 0..30),
        separator in prop_oneof![Just(","), Just(";"), Just("\t")],
        header in prop_oneof![Just("Serial Number"), Just("serial"), Just("Model"), Just("")],
    ) {
        let mut text = format!("{header}{separator}Model\n");
        for row in rows {
            text.push_str(&row.join(separator));
            text.push('\n');
        }
        let _ = parse_serial_list(&text);
    }

    #[test]
    fn profile_files_never_panic(text in tricky_text(300)) {
        let _ = ProfileSpec::from_profile_file(&text);
    }

    #[test]
    fn mutated_profile_files_give_a_spec_or_problems(text in mutated_profile()) {
        match ProfileSpec::from_profile_file(&text) {
            // Whatever is read back is written out and read again the same.
            Ok(spec) => {
                let again = ProfileSpec::from_profile_file(&spec.to_profile_file());
                prop_assert!(again.is_ok(), "{:?}", again.err());
            }
            Err(err) => prop_assert!(!err.to_string().is_empty()),
        }
    }
}

#[test]
fn deeply_nested_der_is_refused_not_a_stack_overflow() {
    // 10,000 nested SEQUENCEs, each claiming the rest: structurally "valid"
    // DER that would recurse once per level.
    let mut der = vec![0x05, 0x00];
    for _ in 0..10_000 {
        der = tlv(0x30, &der);
        if der.len() > 60_000 {
            break;
        }
    }
    let err = Certificate::from_file_bytes(&der).unwrap_err();
    assert!(err.to_string().contains("nested too deeply"), "{err}");
}

#[test]
fn multi_byte_characters_in_certificate_times_are_refused() {
    // A UTCTime whose 12 "digits" start with a 3-byte character: slicing the
    // first two bytes would split it.
    let time = tlv(0x17, "€123456789Z".as_bytes());
    let validity = tlv(0x30, &[time.clone(), time].concat());
    let name = tlv(0x30, &[]);
    let algorithm = tlv(0x30, &tlv(0x06, &[0x2a]));
    let tbs = tlv(
        0x30,
        &[
            tlv(0x02, &[1]),
            algorithm.clone(),
            name.clone(),
            validity,
            name,
        ]
        .concat(),
    );
    let der = tlv(0x30, &[tbs, algorithm, tlv(0x03, &[0])].concat());
    let cert = Certificate::from_file_bytes(&der).unwrap();
    assert_eq!(cert.summary(), None);
}

#[test]
fn oversized_certificates_are_refused_with_the_limit() {
    let der = tlv(0x30, &vec![0u8; 70_000]);
    let err = Certificate::from_file_bytes(&der).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
}

#[test]
fn times_with_huge_numbers_do_not_overflow() {
    for text in [
        "99999999999999999999-01-01",
        "9999999999-01-01T00:00:00Z",
        "2026-01-01T00:00:00+99999999999999999:00",
        "2026-01-01T99999999999:00:00Z",
    ] {
        assert_eq!(parse_rfc3339(text), None, "{text}");
    }
}
