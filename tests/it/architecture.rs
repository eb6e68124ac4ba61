//! Layer rules the code review of issue 13 asked for, checked on the sources
//! so they stay true: run `cargo test -p depot-tests --test it -- architecture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `.rs` file under `dir`, recursively, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The text before the file's `#[cfg(test)]` module (tests may use anything).
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i])
}

/// `core`'s modules use each other in one direction only: no import cycle
/// (the review found assign ↔ profiles ↔ handoff).
#[test]
fn core_modules_form_no_cycle() {
    let dir = root().join("src-tauri/crates/core/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in sources(&dir) {
        let relative = path.strip_prefix(&dir).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let uses = graph.entry(module.clone()).or_default();
        let code = without_tests(&text);
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let is_module = dir.join(format!("{name}.rs")).exists() || dir.join(&name).is_dir();
            if is_module && name != module {
                uses.insert(name);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = path.iter().position(|n| n == node) {
            panic!(
                "core modules form a cycle: {} -> {node}",
                path[at..].join(" -> ")
            );
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
    assert!(graph.len() > 10, "{graph:?}");
}

/// `api` is DTOs and dispatch: no file IO (files are read and written by
/// `core::files` or the shell; the webview never names a path).
#[test]
fn api_does_no_file_io() {
    let files = sources(&root().join("src-tauri/crates/api/src"));
    // Modules declared `#[cfg(test)] mod x;` are tests (the bindings export).
    let test_modules: BTreeSet<String> = files
        .iter()
        .flat_map(|(_, text)| {
            text.match_indices("#[cfg(test)]\nmod ")
                .map(|(i, m)| {
                    text[i + m.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (path, text) in &files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if test_modules.contains(&stem) {
            continue;
        }
        for needle in [
            "std::fs",
            "File::open",
            "File::create",
            "tokio::fs",
            "OpenOptions",
        ] {
            assert!(
                !without_tests(text).contains(needle),
                "{} uses {needle}: file IO belongs in core::files or the shell",
                path.display()
            );
        }
    }
}

/// The shipped core links no test server unless asked: the simulator is an
/// optional dependency behind the `demo` feature (`cargo tree -p depot-core -e
/// normal | grep depot-sim` prints nothing).
#[test]
fn core_links_the_simulator_only_with_the_demo_feature() {
    let manifest =
        std::fs::read_to_string(root().join("src-tauri/crates/core/Cargo.toml")).unwrap();
    let sim_lines: Vec<&str> = manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("depot-sim"))
        .collect();
    assert_eq!(
        sim_lines,
        ["depot-sim = { workspace = true, optional = true }"],
        "{manifest}"
    );
    assert!(
        manifest.contains("demo = [\"dep:depot-sim\"]"),
        "{manifest}"
    );
    for (path, text) in sources(&root().join("src-tauri/crates/core/src")) {
        let is_demo = path.components().any(|c| c.as_os_str() == "demo");
        assert!(
            is_demo || !text.contains("depot_sim"),
            "{} uses depot_sim outside demo/",
            path.display()
        );
    }
}

/// Nothing above the store names a store type: `api`, the server and the CLI do not depend
/// on `depot-store` at all, and `core` re-exports no store item (the records
/// the store answers are `depot_domain::records`, so a second store backend
/// answers the same types). `core`'s public signatures may still name the
/// workspace handle and the key provider: that is the composition root.
#[test]
fn no_store_type_reaches_the_api() {
    for krate in ["api", "cli", "server"] {
        let manifest =
            std::fs::read_to_string(root().join(format!("src-tauri/crates/{krate}/Cargo.toml")))
                .unwrap();
        assert!(
            !manifest.contains("depot-store"),
            "{krate} depends on depot-store"
        );
        for (path, text) in sources(&root().join(format!("src-tauri/crates/{krate}/src"))) {
            assert!(
                !text.contains("depot_store"),
                "{} names depot_store",
                path.display()
            );
        }
    }
    for (path, text) in sources(&root().join("src-tauri/crates/core/src")) {
        let code = without_tests(&text);
        for line in code.lines().map(str::trim_start) {
            assert!(
                !(line.starts_with("pub use depot_store")
                    || line.starts_with("pub type") && line.contains("depot_store")),
                "{} re-exports a store item: {line}",
                path.display()
            );
            if line.starts_with("pub ") && !line.starts_with("pub(") {
                assert!(
                    !line.contains("depot_store::"),
                    "{} names a store type in a public item: {line}",
                    path.display()
                );
            }
        }
    }
}
