//! Files for the webview, through the native dialogs. The webview never names
//! a path: it asks for a file to be opened (and gets the contents) or hands
//! over contents to be saved (and the admin picks where in the dialog). The
//! reading and writing itself is `depot_core::files` (regular files only,
//! size caps, whole files or none).

use std::path::PathBuf;

use depot_api::dto::TokenFile;
use depot_api::{ApiError, ErrorCode};
use depot_core::CoreError;
use depot_core::files::{self, FileKind};
use serde::Deserialize;
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FilePath};

fn file_error(err: files::FileError) -> ApiError {
    CoreError::from(err).into()
}

/// Waits for a dialog's answer (the dialog plugin calls back on its own thread).
async fn chosen(
    show: impl FnOnce(Box<dyn FnOnce(Option<FilePath>) + Send>),
) -> Result<Option<PathBuf>, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    show(Box::new(move |picked| {
        let _ = tx.send(picked);
    }));
    let picked = rx.await.map_err(|_| {
        ApiError::new(
            ErrorCode::Internal,
            "the file dialog closed without an answer",
        )
    })?;
    picked
        .map(|p| {
            p.into_path().map_err(|e| {
                ApiError::new(
                    ErrorCode::FileUnreadable,
                    format!("the chosen file is not on this machine: {e}"),
                )
            })
        })
        .transpose()
}

/// Lets the admin pick Apple's server token (`.p7m`) and returns its contents;
/// `None` when cancelled.
#[tauri::command]
pub async fn open_token_file(app: AppHandle) -> Result<Option<TokenFile>, ApiError> {
    let picked = chosen(|done| {
        app.dialog()
            .file()
            .set_title("Choose the server token from Apple")
            .add_filter("Apple server token", &["p7m"])
            .pick_file(done);
    })
    .await?;
    let Some(path) = picked else { return Ok(None) };
    let bytes = files::read_file(&path, FileKind::TokenFile).map_err(file_error)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let contents = String::from_utf8(bytes).map_err(|_| {
        ApiError::new(
            ErrorCode::NotATokenFile,
            format!("{file_name} is not a server token from Apple: it is not text"),
        )
    })?;
    Ok(Some(TokenFile::Contents {
        file_name,
        contents,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveFileRequest {
    /// Suggested in the dialog; the admin can change it.
    file_name: String,
    filter_name: String,
    extensions: Vec<String>,
    contents: String,
}

/// Shows the save dialog and writes `contents` where the admin chose. Returns
/// where it was saved (for the message), `None` when cancelled.
#[tauri::command]
pub async fn save_file(
    app: AppHandle,
    request: SaveFileRequest,
) -> Result<Option<String>, ApiError> {
    let suggested = files::plain_file_name(&request.file_name)
        .map(str::to_owned)
        .unwrap_or_else(|_| "depot-export".into());
    let picked = chosen(|done| {
        let extensions: Vec<&str> = request.extensions.iter().map(String::as_str).collect();
        app.dialog()
            .file()
            .set_file_name(suggested)
            .add_filter(request.filter_name.clone(), &extensions)
            .save_file(done);
    })
    .await?;
    let Some(path) = picked else { return Ok(None) };
    files::write_file(&path, request.contents.as_bytes()).map_err(file_error)?;
    Ok(Some(path.display().to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedContents {
    name: String,
    contents: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveFilesRequest {
    title: String,
    files: Vec<NamedContents>,
}

/// Shows the folder dialog and writes each file into the chosen folder (plain
/// names only). Returns the folder, `None` when cancelled.
#[tauri::command]
pub async fn save_files(
    app: AppHandle,
    request: SaveFilesRequest,
) -> Result<Option<String>, ApiError> {
    let named: Vec<(String, Vec<u8>)> = request
        .files
        .into_iter()
        .map(|f| (f.name, f.contents.into_bytes()))
        .collect();
    for (name, _) in &named {
        files::plain_file_name(name).map_err(file_error)?;
    }
    let picked = chosen(|done| {
        app.dialog()
            .file()
            .set_title(request.title)
            .pick_folder(done);
    })
    .await?;
    let Some(dir) = picked else { return Ok(None) };
    files::write_files_into(&dir, &named).map_err(file_error)?;
    Ok(Some(dir.display().to_string()))
}
