//! `depot users …`: the people who sign in to this workspace when it is
//! served with `depot serve` (issue 14). Run on the workspace itself, so the
//! first administrator is created on the server machine; the CLI acts as the
//! workspace's owner.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use depot_core::Depot;
use depot_core::access::{Actor, Origin, Role};
use depot_domain::SecretString;
use depot_domain::records::UserRow;
use serde::Serialize;

use crate::print_json;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a person. With --password-stdin the first line of standard input is
    /// their password (at least 12 characters); without it they cannot sign in
    /// until `reset-password`.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role, value_name = "administrator|help-desk|read-only")]
        role: Role,
        /// Limit them to tokens carrying this tag (repeatable; none: every token).
        #[arg(long = "scope-tag", value_name = "T")]
        scope_tags: Vec<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Everyone, with role, scope and state.
    List,
    /// One person.
    Show { name: String },
    /// Change a person's role.
    SetRole {
        name: String,
        #[arg(value_parser = parse_role, value_name = "administrator|help-desk|read-only")]
        role: Role,
    },
    /// Replace a person's scope tags (none: every token).
    SetScope {
        name: String,
        #[arg(long = "scope-tag", value_name = "T")]
        scope_tags: Vec<String>,
    },
    /// Stop a person from signing in; their sessions end at once.
    Disable { name: String },
    /// Let a disabled person sign in again.
    Enable { name: String },
    /// Set a new password (from standard input with --password-stdin, else a
    /// generated one printed once); every session of the person ends.
    ResetPassword {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// End every session of a person now ("sign out everywhere").
    SignOut { name: String },
    /// Remove a person (the audit log keeps what they did).
    Delete { name: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .ok_or_else(|| format!("'{text}' is not a role; use administrator, help-desk or read-only"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserView<'a> {
    name: &'a str,
    role: &'a str,
    scope_tags: &'a [String],
    disabled: bool,
    has_password: bool,
    created_at: String,
    updated_at: String,
}

fn view(user: &UserRow) -> UserView<'_> {
    UserView {
        name: &user.name,
        role: user.role.as_str(),
        scope_tags: &user.scope_tags,
        disabled: user.disabled,
        has_password: user.has_password,
        created_at: user.created_at.rfc3339(),
        updated_at: user.updated_at.rfc3339(),
    }
}

fn print_user(user: &UserRow, json: bool) -> Result<()> {
    if json {
        return print_json(&view(user));
    }
    let scope = if user.scope_tags.is_empty() {
        "every token".to_owned()
    } else {
        format!("tokens tagged {}", user.scope_tags.join(", "))
    };
    println!("{}", user.name);
    println!("  role:     {}", user.role);
    println!("  scope:    {scope}");
    println!(
        "  state:    {}{}",
        if user.disabled { "disabled" } else { "enabled" },
        if user.has_password {
            ""
        } else {
            " (no password yet: cannot sign in)"
        }
    );
    println!("  added:    {}", user.created_at);
    Ok(())
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("standard input held no password (give it on the first line)");
    }
    Ok(SecretString::new(password))
}

/// 20 characters from an alphabet without look-alikes.
fn generated_password() -> Result<SecretString> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    openssl::rand::rand_bytes(&mut bytes).context("no random bytes for a password")?;
    Ok(SecretString::new(
        bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect::<String>(),
    ))
}

pub fn run(depot: &Depot, command: UsersCommand, json: bool) -> Result<()> {
    let me = Actor::owner(depot.operator().to_owned(), Origin::Cli);
    match command {
        UsersCommand::Add {
            name,
            role,
            scope_tags,
            password_stdin,
        } => {
            let password = password_stdin.then(password_from_stdin).transpose()?;
            let user = depot.add_user(&me, &name, role, &scope_tags, password.as_ref())?;
            if !json {
                println!("Added {} ({}).", user.name, user.role);
            }
            print_user(&user, json)
        }
        UsersCommand::List => {
            let users = depot.users(&me)?;
            if json {
                return print_json(&users.iter().map(view).collect::<Vec<_>>());
            }
            if users.is_empty() {
                println!(
                    "No users yet. Add the first administrator with: depot users add NAME --role administrator --password-stdin"
                );
            }
            for user in &users {
                println!(
                    "{:<32} {:<14} {:<9} {}",
                    user.name,
                    user.role.as_str(),
                    if user.disabled { "disabled" } else { "enabled" },
                    if user.scope_tags.is_empty() {
                        "(all tokens)".to_owned()
                    } else {
                        user.scope_tags.join(", ")
                    }
                );
            }
            Ok(())
        }
        UsersCommand::Show { name } => print_user(&depot.user(&me, &name)?, json),
        UsersCommand::SetRole { name, role } => {
            print_user(&depot.set_user_role(&me, &name, role)?, json)
        }
        UsersCommand::SetScope { name, scope_tags } => {
            print_user(&depot.set_user_scope(&me, &name, &scope_tags)?, json)
        }
        UsersCommand::Disable { name } => {
            print_user(&depot.set_user_disabled(&me, &name, true)?, json)
        }
        UsersCommand::Enable { name } => {
            print_user(&depot.set_user_disabled(&me, &name, false)?, json)
        }
        UsersCommand::ResetPassword {
            name,
            password_stdin,
        } => {
            let (password, generated) = if password_stdin {
                (password_from_stdin()?, false)
            } else {
                (generated_password()?, true)
            };
            let user = depot.reset_user_password(&me, &name, &password)?;
            if generated {
                // Shown once; Depot keeps only its hash.
                println!(
                    "New password for {}: {}\nGive it to them safely; it is not shown again.",
                    user.name,
                    password.expose()
                );
            } else if !json {
                println!("Password of {} changed; their sessions ended.", user.name);
            }
            Ok(())
        }
        UsersCommand::SignOut { name } => {
            let user = depot.end_user_sessions(&me, &name)?;
            if !json {
                println!("Every session of {} ended.", user.name);
            }
            Ok(())
        }
        UsersCommand::Delete { name } => {
            depot.delete_user(&me, &name)?;
            if !json {
                println!("Removed {}.", name.trim());
            }
            Ok(())
        }
    }
}
