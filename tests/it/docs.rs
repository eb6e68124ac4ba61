//! The project documents itself: every requirement id the repository cites is
//! defined in `docs/requirements.md`, every `§` section of Apple's service the
//! code cites exists in `docs/apple-wire.md`, and no file points at a
//! specification outside the repository. Run
//! `cargo test -p depot-tests --test it -- docs::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Requirement id families (`TOK-3`, `PLT-2` …); see docs/requirements.md.
const FAMILIES: &[&str] = &[
    "TOK", "PRO", "SYN", "DEV", "ACC", "SIM", "CLI", "NFR", "PLT", "VPP", "ALR", "SRV", "ORG",
];

/// Folders that hold build output, dependencies or generated artefacts.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "dist",
    "gen",
    "screenshots",
];

/// This file names the forbidden paths itself.
const THIS_FILE: &str = "tests/it/docs.rs";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every text file of the repository (relative path with `/`, text).
fn text_files() -> Vec<(String, String)> {
    let root = root();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    stack.push(path);
                }
                continue;
            }
            // Binary files (icons, fixtures) are not text: skipped.
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let relative = path.strip_prefix(&root).unwrap();
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, text));
        }
    }
    out.sort();
    out
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Requirement ids in `text`: a family, `-`, digits, as a whole word.
fn requirement_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for family in FAMILIES {
        let needle = format!("{family}-");
        for (at, _) in text.match_indices(&needle) {
            if text[..at].chars().next_back().is_some_and(is_word) {
                continue;
            }
            let rest = &text[at + needle.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() || rest[digits.len()..].chars().next().is_some_and(is_word) {
                continue;
            }
            ids.push(format!("{needle}{digits}"));
        }
    }
    ids
}

/// Ids defined by docs/requirements.md: the first cell of a table row.
fn defined_ids(requirements: &str) -> Vec<String> {
    requirements
        .lines()
        .filter_map(|line| line.strip_prefix('|'))
        .filter_map(|row| row.split('|').next())
        .map(str::trim)
        .filter(|cell| requirement_ids(cell).first().map(String::as_str) == Some(*cell))
        .map(str::to_owned)
        .collect()
}

/// Sections cited with `§` that are not an RFC's: `§3.5–3.6` cites `3.5`.
fn cited_sections(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, sign) in text.match_indices('§') {
        let before: String = text[..at].chars().rev().take(16).collect();
        if before.contains("CFR") {
            // Reversed "RFC": `RFC 5849 §3.4` is the RFC's own section.
            continue;
        }
        let number: String = text[at + sign.len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let number = number.trim_end_matches('.');
        if !number.is_empty() {
            out.push(number.to_owned());
        }
    }
    out
}

/// Section numbers of docs/apple-wire.md's headings (`## 3. …`, `### 3.4 …`).
fn wire_sections(wire: &str) -> BTreeSet<String> {
    wire.lines()
        .filter(|line| line.starts_with('#'))
        .filter_map(|line| line.trim_start_matches('#').split_whitespace().next())
        .map(|word| word.trim_end_matches('.'))
        .filter(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .map(str::to_owned)
        .collect()
}

fn read_doc(name: &str) -> String {
    std::fs::read_to_string(root().join("docs").join(name)).unwrap()
}

#[test]
fn every_cited_requirement_id_is_defined() {
    let defined = defined_ids(&read_doc("requirements.md"));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let twice: Vec<&String> = defined.iter().filter(|id| !seen.insert(id)).collect();
    assert!(
        twice.is_empty(),
        "docs/requirements.md defines these ids more than once: {twice:?}"
    );
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in text_files() {
        for id in requirement_ids(&text) {
            if !seen.contains(id.as_str()) {
                missing.entry(id).or_default().insert(path.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "requirement ids cited but not defined in docs/requirements.md (add a table row \
         `| ID | statement | where |`): {missing:#?}"
    );
    // Sanity: the scan finds the ids the code is known to cite.
    assert!(seen.contains("SYN-7") && seen.contains("PLT-2"));
}

#[test]
fn every_cited_apple_section_exists() {
    let sections = wire_sections(&read_doc("apple-wire.md"));
    assert!(sections.contains("3.4"), "no numbered headings found");
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in text_files() {
        for section in cited_sections(&text) {
            if !sections.contains(&section) {
                missing
                    .entry(format!("§{section}"))
                    .or_default()
                    .insert(path.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "sections cited with § that docs/apple-wire.md does not have: {missing:#?}"
    );
}

#[test]
fn no_file_points_outside_the_repository_for_its_specification() {
    // Built from parts, so this check does not name the folder itself.
    let parent_shared = ["..", "shared"].join("/");
    let outside = [
        parent_shared.as_str(),
        "spec/product.md",
        "spec/apple-ade-api.md",
        "spec/apple-apps-and-books-api.md",
        "spec/apple-business-api.md",
        "spec/profile-format.md",
        "design/architecture.md",
        "design/server.md",
        "design/style.md",
        "design/toolchain-notes.md",
        "reference/intune-ade-ios-enrollment.md",
    ];
    let mut found: Vec<String> = Vec::new();
    for (path, text) in text_files() {
        if path == THIS_FILE {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            for pattern in outside {
                if line.contains(pattern) {
                    found.push(format!("{path}:{}: {pattern}", n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "these point at files that are not in the repository; point them at docs/ \
         (requirements.md, apple-wire.md, architecture.md, profile-format.md, cli.md): \
         {found:#?}"
    );
}

#[test]
fn the_scanners_read_what_they_should() {
    assert_eq!(
        requirement_ids("SYN-7, PLT-1..3 (PRO-19) XTOK-1 TOK-1a UTF-8 DEV-"),
        ["PRO-19", "SYN-7", "PLT-1"]
    );
    assert_eq!(
        cited_sections("spec §1.3–1.6, (§3.3). RFC 5849 §3.4 and §4"),
        ["1.3", "3.3", "4"]
    );
    assert_eq!(
        defined_ids("| id | x |\n|---|---|\n| TOK-1 | a |\n| see TOK-2 | b |"),
        ["TOK-1"]
    );
}
