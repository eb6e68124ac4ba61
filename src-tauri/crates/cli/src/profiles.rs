//! `depot profile …` (PRO-13..19) and `depot settings enrollment` (PRO-18).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::Subcommand;
use depot_api::dto::{AssignmentRun, EnrollmentSettings, ProfileDetail, ProfileSummary};
use depot_core::files::{self, FileKind};
use depot_core::{CoreError, Depot};
use depot_domain::ProfileId;
use depot_domain::profile::{ApplePlatform, ProfileSpec};

use crate::{print_json, tokens};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Create a profile from a depot.profile/v1 file and upload it to Apple.
    Create {
        /// The token (id, server name or server UUID).
        #[arg(long, value_name = "T")]
        token: String,
        #[arg(long, value_name = "SPEC.json")]
        from: PathBuf,
    },
    /// Save a new version of a profile from a file, upload it, and move every
    /// device on an older version to it.
    Edit {
        /// The profile (id or name).
        profile: String,
        #[arg(long, value_name = "SPEC.json")]
        from: PathBuf,
        /// The token, when the name is used on several tokens.
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// List profiles with version, devices, default marker and upload state.
    List {
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Show a profile; `--apple-json` prints only the JSON sent to Apple.
    Show {
        profile: String,
        #[arg(long)]
        apple_json: bool,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Write the profile as a depot.profile/v1 file (`--apple` for Apple's JSON).
    Export {
        profile: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long)]
        apple: bool,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Create a profile on a token from a depot.profile/v1 file.
    Import {
        #[arg(long, value_name = "T")]
        token: String,
        file: PathBuf,
    },
    /// Make a profile its token's default for the profile's platform: new
    /// devices of that platform get it after each sync (other platforms keep
    /// their own default).
    SetDefault {
        profile: String,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Clear a token's default profile for one platform (without --platform:
    /// every platform's default).
    ClearDefault {
        #[arg(long, value_name = "T")]
        token: String,
        /// iOS, macOS, tvOS or visionOS.
        #[arg(long, value_name = "PLATFORM", value_parser = parse_platform)]
        platform: Option<ApplePlatform>,
    },
    /// Delete a profile (refused while devices hold it or it is a default).
    Delete {
        profile: String,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Send the current version to Apple again after a failed upload.
    RetryUpload {
        profile: String,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Write the MDM handoff files (property lists) into a folder.
    Handoff {
        profile: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show or set the MDM server's enrollment URLs new profiles use (PRO-18).
    /// Without flags it shows them; `--clear` removes the values.
    Enrollment {
        /// Set one token's override instead of the workspace's values.
        #[arg(long, value_name = "T")]
        token: Option<String>,
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        #[arg(long, value_name = "URL")]
        configuration_web_url: Option<String>,
        #[arg(long, conflicts_with_all = ["url", "configuration_web_url"])]
        clear: bool,
    },
}

fn read_spec(path: &std::path::Path) -> Result<ProfileSpec> {
    let text = files::read_text_file(path, FileKind::ProfileFile)?;
    ProfileSpec::from_profile_file(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn profile_id(depot: &Depot, profile: &str, token: Option<&str>) -> Result<ProfileId> {
    let token = token.map(|t| tokens::resolve(depot, t)).transpose()?;
    Ok(depot.resolve_profile(profile, token)?)
}

/// Problems one per line, at their field, like the wizard shows them.
fn explain(err: CoreError) -> anyhow::Error {
    match err {
        CoreError::ProfileInvalid(problems) => {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            anyhow::anyhow!("the profile is not valid:\n{}", lines.join("\n"))
        }
        other => other.into(),
    }
}

pub async fn run(depot: &Arc<Depot>, command: ProfileCommand, json: bool) -> Result<()> {
    match command {
        ProfileCommand::Create { token, from } => {
            let token = tokens::resolve(depot, &token)?;
            let spec = read_spec(&from)?;
            let detail = depot.create_profile(token, &spec).await.map_err(explain)?;
            report_saved(&detail.try_into()?, None, json)
        }
        ProfileCommand::Edit {
            profile,
            from,
            token,
        } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let spec = read_spec(&from)?;
            let outcome = depot.edit_profile(id, &spec).await.map_err(explain)?;
            let reassignment = outcome.reassignment.map(AssignmentRun::from);
            report_saved(&outcome.detail.try_into()?, reassignment.as_ref(), json)
        }
        ProfileCommand::RetryUpload { profile, token } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let outcome = depot.retry_profile_upload(id).await?;
            let reassignment = outcome.reassignment.map(AssignmentRun::from);
            report_saved(&outcome.detail.try_into()?, reassignment.as_ref(), json)
        }
        ProfileCommand::List { token } => {
            let token = token.map(|t| tokens::resolve(depot, &t)).transpose()?;
            let list: Vec<ProfileSummary> = depot
                .list_profiles(token)?
                .into_iter()
                .map(Into::into)
                .collect();
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!(
                    "No profiles. Create one with `depot profile create --token T --from SPEC.json`."
                );
            }
            for p in &list {
                println!(
                    "{:>4}  {:<28} {:<9} v{:<3} {:>7} devices  {:<8} {:<12} {}",
                    p.id,
                    p.name,
                    p.platform,
                    p.version,
                    p.device_count,
                    if p.is_default { "default" } else { "" },
                    upload_label(p),
                    p.token_name
                );
            }
            Ok(())
        }
        ProfileCommand::Show {
            profile,
            apple_json,
            token,
        } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let detail: ProfileDetail = depot.profile_detail(id)?.try_into()?;
            if apple_json {
                println!("{}", detail.apple_json);
                return Ok(());
            }
            if json {
                return print_json(&detail);
            }
            print_detail(&detail);
            Ok(())
        }
        ProfileCommand::Export {
            profile,
            out,
            apple,
            token,
        } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let (_, text) = if apple {
                depot.export_apple_json(id)?
            } else {
                depot.export_profile(id)?
            };
            files::write_file(&out, text.as_bytes())?;
            println!("Wrote {}", out.display());
            Ok(())
        }
        ProfileCommand::Import { token, file } => {
            let text = files::read_text_file(&file, FileKind::ProfileFile)?;
            let token = tokens::resolve(depot, &token)?;
            let detail = depot.import_profile(token, &text).await.map_err(explain)?;
            report_saved(&detail.try_into()?, None, json)
        }
        ProfileCommand::SetDefault { profile, token } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let summary: ProfileSummary = depot.set_default_profile(id)?.into();
            if json {
                return print_json(&summary);
            }
            println!(
                "'{}' is now the default {} profile of {}: new {} devices get it after each sync.",
                summary.name,
                platform_label(&summary.platform),
                summary.token_name,
                platform_label(&summary.platform)
            );
            Ok(())
        }
        ProfileCommand::ClearDefault { token, platform } => {
            let token = tokens::resolve(depot, &token)?;
            let platforms: Vec<ApplePlatform> = match platform {
                Some(one) => vec![one],
                None => ApplePlatform::ALL.iter().map(|(p, _)| *p).collect(),
            };
            for platform in &platforms {
                depot.clear_default_profile(token, *platform)?;
            }
            match platform {
                Some(one) => println!(
                    "The token has no {} default profile now: new {} devices stay without a profile.",
                    one.label(),
                    one.label()
                ),
                None => println!("The token has no default profile now, for any platform."),
            }
            Ok(())
        }
        ProfileCommand::Delete { profile, token } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            depot.delete_profile(id)?;
            println!("Deleted profile {id}.");
            Ok(())
        }
        ProfileCommand::Handoff {
            profile,
            out,
            token,
        } => {
            let id = profile_id(depot, &profile, token.as_deref())?;
            let files = depot.profile_handoff(id)?;
            let named: Vec<(String, Vec<u8>)> =
                files.into_iter().map(|f| (f.name, f.contents)).collect();
            files::write_files_into(&out, &named)?;
            for (name, _) in &named {
                println!("Wrote {}", out.join(name).display());
            }
            Ok(())
        }
    }
}

pub fn settings(depot: &Depot, command: SettingsCommand, json: bool) -> Result<()> {
    let SettingsCommand::Enrollment {
        token,
        url,
        configuration_web_url,
        clear,
    } = command;
    let token = token.map(|t| tokens::resolve(depot, &t)).transpose()?;
    let current = depot.enrollment_settings()?;
    let settings: EnrollmentSettings = if clear {
        depot.set_enrollment_urls(token, None, None)?.into()
    } else if url.is_some() || configuration_web_url.is_some() {
        // A flag not given keeps its current value.
        let (old_url, old_web) = match token {
            None => (current.enrollment_url, current.configuration_web_url),
            Some(id) => current
                .tokens
                .into_iter()
                .find(|t| t.token_id == id)
                .map(|t| (t.enrollment_url, t.configuration_web_url))
                .unwrap_or_default(),
        };
        let url = url.or(old_url);
        let web = configuration_web_url.or(old_web);
        depot
            .set_enrollment_urls(token, url.as_deref(), web.as_deref())?
            .into()
    } else {
        current.into()
    };
    if json {
        return print_json(&settings);
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    println!(
        "Workspace enrollment URL:        {}",
        show(&settings.enrollment_url)
    );
    println!(
        "Workspace configuration web URL: {}",
        show(&settings.configuration_web_url)
    );
    for t in &settings.tokens {
        println!(
            "  {}: {} ({})",
            t.token_name,
            show(&t.effective_enrollment_url),
            if t.enrollment_url.is_some() {
                "token override"
            } else if t.is_simulator && settings.enrollment_url.is_none() {
                "simulator default"
            } else {
                "workspace"
            }
        );
    }
    Ok(())
}

fn upload_label(p: &ProfileSummary) -> &'static str {
    use depot_api::dto::UploadState;
    match p.upload.state {
        UploadState::Uploaded => "uploaded",
        UploadState::Pending => "not uploaded",
        UploadState::Failed => "upload failed",
    }
}

fn report_saved(
    detail: &ProfileDetail,
    reassignment: Option<&AssignmentRun>,
    json: bool,
) -> Result<()> {
    if json {
        print_json(&serde_json::json!({ "profile": detail, "reassignment": reassignment }))?;
    } else {
        let s = &detail.summary;
        println!(
            "Profile {} '{}' version {} on {}.",
            s.id, s.name, s.version, s.token_name
        );
        match &s.upload.apple_uuid {
            Some(uuid) if s.upload.error.is_none() => println!("Uploaded to Apple: {uuid}"),
            _ => {}
        }
        for w in &detail.warnings {
            println!("warning: {}: {}", w.field, w.message);
        }
        if let Some(run) = reassignment {
            println!(
                "Re-assigned {} device(s) to the new version: {} succeeded, {} failed, {} not accessible, {} throttled.",
                run.total, run.succeeded, run.failed, run.not_accessible, run.throttled
            );
        }
    }
    if let Some(error) = &detail.summary.upload.error {
        bail!("{error}");
    }
    Ok(())
}

fn print_detail(d: &ProfileDetail) {
    let s = &d.summary;
    println!("Profile:        {} (id {})", s.name, s.id);
    println!("Token:          {}", s.token_name);
    println!("Platform:       {}", platform_label(&s.platform));
    println!("Version:        {}", s.version);
    println!("Devices:        {}", s.device_count);
    println!(
        "Default:        {}",
        if s.is_default {
            format!("yes, for new {} devices", platform_label(&s.platform))
        } else {
            "no".to_owned()
        }
    );
    println!("Upload:         {}", upload_label(s));
    if let Some(uuid) = &s.upload.apple_uuid {
        println!("Apple profile:  {uuid}");
    }
    if let Some(error) = &s.upload.error {
        println!("Upload error:   {error}");
    }
    println!("Group rule:     {}", d.group_rule);
    println!("Licensing:      {}", d.licensing_note);
    for w in &d.warnings {
        println!("warning: {}: {}", w.field, w.message);
    }
    println!("Versions:");
    for v in &d.versions {
        println!(
            "  v{:<3} {}  by {}  {}",
            v.version,
            v.created_at,
            v.created_by,
            v.upload.apple_uuid.as_deref().unwrap_or("not uploaded")
        );
    }
}

/// `--platform`: iOS, macOS, tvOS or visionOS (any case).
fn parse_platform(text: &str) -> Result<ApplePlatform, String> {
    ApplePlatform::ALL
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(p, _)| *p)
        .ok_or_else(|| format!("'{text}' is not a platform; use iOS, macOS, tvOS or visionOS"))
}

/// `iOS/iPadOS` for `iOS`, else the name as it is.
fn platform_label(name: &str) -> String {
    ApplePlatform::from_name(name).map_or_else(|| name.to_owned(), |p| p.label().to_owned())
}
