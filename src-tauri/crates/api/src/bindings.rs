//! Regenerates `ui/src/bindings/` from the command table. CI runs the tests and
//! then fails if `git status` shows a change there (drift between Rust and TS).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::TS;

use crate::{ApiError, COMMANDS};

const HEADER: &str =
    "// Generated from the api crate's command table (src-tauri/crates/api) — do not edit.\n";

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings")
}

/// All generated files by name, rendered in a scratch folder.
fn render() -> BTreeMap<String, String> {
    let scratch = std::env::temp_dir().join(format!("depot-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    // Counts and Unix times fit in a JavaScript number; bigint would burden every caller.
    let cfg = ts_rs::Config::new()
        .with_out_dir(&scratch)
        .with_large_int("number");
    ApiError::export_all(&cfg).unwrap();
    // Not a command's type: the desktop event the UI listens to.
    crate::dto::ChangeEvent::export_all(&cfg).unwrap();
    for command in COMMANDS {
        (command.export_types)(&cfg).unwrap();
    }
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&scratch).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    std::fs::remove_dir_all(&scratch).unwrap();
    files.insert("commands.ts".into(), commands_ts());
    files
}

fn commands_ts() -> String {
    let mut types: Vec<String> = COMMANDS
        .iter()
        .flat_map(|c| [(c.request_type)(), (c.response_type)()])
        .collect();
    types.sort();
    types.dedup();
    let mut out = String::from(HEADER);
    for ty in &types {
        out.push_str(&format!("import type {{ {ty} }} from \"./{ty}\";\n"));
    }
    out.push_str("\n/** Every command the backend answers: `name(request) -> response`. */\n");
    out.push_str("export type Commands = {\n");
    for c in COMMANDS {
        out.push_str(&format!(
            "  \"{}\": {{ request: {}; response: {} }};\n",
            c.name,
            (c.request_type)(),
            (c.response_type)()
        ));
    }
    out.push_str("};\n\nexport type CommandName = keyof Commands;\n\n");
    let names: Vec<String> = COMMANDS.iter().map(|c| format!("\"{}\"", c.name)).collect();
    out.push_str(&format!(
        "export const COMMAND_NAMES: readonly CommandName[] = [{}];\n",
        names.join(", ")
    ));
    out
}

#[test]
fn bindings_are_current() {
    let dir = bindings_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let wanted = render();
    let mut changed = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !wanted.contains_key(&name) {
            std::fs::remove_file(&path).unwrap();
            changed.push(format!("removed {name}"));
        }
    }
    for (name, text) in &wanted {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).unwrap();
            changed.push(format!("wrote {name}"));
        }
    }
    // Regenerating is the test's job; CI then fails on a git diff in ui/src/bindings.
    if !changed.is_empty() {
        eprintln!("ui/src/bindings updated: {}", changed.join(", "));
    }
    assert!(wanted.contains_key("ApiError.ts") && wanted.contains_key("WorkspaceInfo.ts"));
    assert!(
        wanted["commands.ts"]
            .contains("\"workspace.info\": { request: Empty; response: WorkspaceInfo }")
    );
}
