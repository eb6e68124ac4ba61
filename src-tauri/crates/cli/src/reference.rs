//! `docs/cli.md`, generated from the clap definitions so the reference cannot
//! drift: the test fails when the file differs from what the commands say.
//! Regenerate with `DEPOT_UPDATE_DOCS=1 cargo test -p depot-cli cli_reference`.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::CommandFactory;

use crate::Cli;

/// Every command's `--help`, depth first, as one Markdown page.
fn reference() -> String {
    let mut root = Cli::command();
    root.build();
    let mut out = String::from(
        "# `depot` command reference\n\
         \n\
         Generated from the CLI's own definitions: every command's `--help`.\n\
         Do not edit by hand; after changing a command run\n\
         `DEPOT_UPDATE_DOCS=1 cargo test -p depot-cli cli_reference`\n\
         (the test fails while this file and the commands differ).\n\
         Examples and exit codes are in the [README](../README.md#command-line).\n",
    );
    section(&mut out, &mut root);
    out
}

fn section(out: &mut String, command: &mut clap::Command) {
    let name = command
        .get_bin_name()
        .unwrap_or(command.get_name())
        .to_owned();
    let help = command.render_long_help().to_string();
    let help: Vec<&str> = help.lines().map(str::trim_end).collect();
    let _ = write!(
        out,
        "\n## {name}\n\n```text\n{}\n```\n",
        help.join("\n").trim()
    );
    for sub in command.get_subcommands_mut() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        section(out, sub);
    }
}

#[test]
fn cli_reference() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../docs/cli.md");
    let generated = reference();
    if std::env::var_os("DEPOT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert!(
        current == generated,
        "docs/cli.md is not what the commands say; regenerate it with \
         `DEPOT_UPDATE_DOCS=1 cargo test -p depot-cli cli_reference`"
    );
}
