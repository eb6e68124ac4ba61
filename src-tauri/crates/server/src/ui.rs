//! The web UI: the built `ui/dist` folder served to browsers at `/`.
//!
//! - A path names a file under the folder or nothing: it is percent-decoded,
//!   then every segment must be a plain name (no `..`, no `.`-files, no
//!   backslash, colon or NUL), and the file found must still lie inside the
//!   folder once symbolic links are resolved.
//! - The UI routes with `#/…`, but any other path without a file extension
//!   (a bookmark, a reload) answers `index.html` so the app can start; a
//!   missing file with an extension (`/assets/x.js`) is a plain 404, never
//!   HTML pretending to be a script. Unknown `/api/…` paths answer the API's
//!   JSON `NOT_FOUND`.
//! - Vite's `assets/` files carry a content hash in their names: cached for a
//!   year. Everything else (`index.html`, the icon) is revalidated each time,
//!   so a new build is picked up at the next load.
//! - Every response of the server gets the browser security headers
//!   ([`security_headers`]): the desktop window's Content-Security-Policy (the
//!   browser talks only to its own origin), no framing, no MIME sniffing, no
//!   referrer.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use depot_api::{ApiError, ErrorCode};

/// Where `depot serve` looks for the UI when neither `--ui-dir` nor
/// `DEPOT_UI_DIR` names it: the system-wide install (the systemd unit).
pub const INSTALLED_UI_DIR: &str = "/usr/share/depot/ui";

/// This build's own checkout (`<repository>/ui/dist`), for `depot serve` run
/// from a working copy.
fn checkout_ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/dist")
}

/// The same policy as the desktop window's (`src-tauri/tauri.conf.json`),
/// minus Tauri's IPC: scripts, styles, images and calls from this origin only.
/// Fluent UI writes its styles into `<style>` elements, hence `'unsafe-inline'`
/// for styles (never for scripts).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'none'";

/// The folder to serve. `given` is `--ui-dir` or `DEPOT_UI_DIR`: it must hold
/// an `index.html`, or `depot serve` refuses to start. Without it: this
/// build's checkout (`ui/dist`, debug builds first) or [`INSTALLED_UI_DIR`],
/// whichever holds a built UI; `None` when neither does (the API works, `/`
/// says how to build the UI).
pub fn locate(given: Option<&Path>) -> Result<Option<PathBuf>, String> {
    if let Some(dir) = given {
        if !dir.join("index.html").is_file() {
            return Err(format!(
                "the web UI folder {} has no index.html: build the UI (cd ui && npm ci && npm run build) and give its ui/dist folder",
                dir.display()
            ));
        }
        return dir
            .canonicalize()
            .map(Some)
            .map_err(|e| format!("cannot read the web UI folder {}: {e}", dir.display()));
    }
    let installed = PathBuf::from(INSTALLED_UI_DIR);
    let candidates = if cfg!(debug_assertions) {
        [checkout_ui_dir(), installed]
    } else {
        [installed, checkout_ui_dir()]
    };
    Ok(candidates
        .into_iter()
        .filter(|dir| dir.join("index.html").is_file())
        .find_map(|dir| dir.canonicalize().ok()))
}

/// What `/` answers when there is no UI to serve.
pub const NO_UI_MESSAGE: &str = "Depot's web UI is not installed on this server.\n\
\n\
Build it in the Depot repository (cd ui && npm ci && npm run build), then start\n\
depot serve --ui-dir ui/dist (or set DEPOT_UI_DIR, or install it in /usr/share/depot/ui).\n\
The API at /api/v1 works without it.\n";

/// Adds the browser security headers to every response (those a handler set
/// itself stay), and `Cache-Control: no-store` to answers that name no
/// caching (the API's: people's data must not stay in a shared cache).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in fixed {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// The relative file path a request path names, or `None` when it is not a
/// plain path below the folder (`..`, hidden files, backslashes, bad escapes).
pub fn relative_path(request_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(request_path)?;
    let mut path = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        let plain = !segment.starts_with('.')
            && !segment
                .chars()
                .any(|c| matches!(c, '\\' | ':' | '\0') || c.is_control());
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("txt") => "text/plain; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// A regular file inside `root` (symbolic links resolved and checked).
async fn read_inside(root: &Path, relative: &Path) -> Option<(PathBuf, Vec<u8>)> {
    let full = tokio::fs::canonicalize(root.join(relative)).await.ok()?;
    if !full.starts_with(root) || !tokio::fs::metadata(&full).await.ok()?.is_file() {
        return None;
    }
    let bytes = tokio::fs::read(&full).await.ok()?;
    Some((full, bytes))
}

fn file_response(root: &Path, full: &Path, bytes: Vec<u8>) -> Response {
    let immutable = full
        .strip_prefix(root)
        .is_ok_and(|rel| rel.starts_with("assets"));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, content_type(full)),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response()
}

/// Everything the API routes do not answer: the UI's files, `index.html`
/// for app paths, JSON `NOT_FOUND` under `/api`.
pub async fn serve_ui(ui_dir: Option<&Path>, method: &Method, path: &str) -> Response {
    if path == "/api" || path.starts_with("/api/") {
        return (
            StatusCode::NOT_FOUND,
            Json(ApiError::new(
                ErrorCode::NotFound,
                format!("there is no API route {path}"),
            )),
        )
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(root) = ui_dir else {
        return plain(StatusCode::NOT_FOUND, NO_UI_MESSAGE);
    };
    let Some(relative) = relative_path(path) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if !relative.as_os_str().is_empty()
        && let Some((full, bytes)) = read_inside(root, &relative).await
    {
        return file_response(root, &full, bytes);
    }
    // A missing file with an extension is missing; any other path is the app's.
    if relative.extension().is_some() {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    }
    match read_inside(root, Path::new("index.html")).await {
        Some((full, bytes)) => file_response(root, &full, bytes),
        None => plain(StatusCode::NOT_FOUND, NO_UI_MESSAGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_below_the_folder_are_files() {
        for (path, expected) in [
            ("/", Some("")),
            ("/index.html", Some("index.html")),
            ("/assets/index-1a2b.js", Some("assets/index-1a2b.js")),
            ("//assets//x.css", Some("assets/x.css")),
            ("/assets/a%20b.png", Some("assets/a b.png")),
        ] {
            assert_eq!(
                relative_path(path),
                expected.map(PathBuf::from),
                "{path} should be {expected:?}"
            );
        }
        for path in [
            "/../etc/passwd",
            "/assets/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/assets/%2e%2e%2f%2e%2e%2fsecret",
            "/..%5c..%5cwindows",
            "/a\\..\\b",
            "/.git/config",
            "/./index.html",
            "/C:/Windows",
            "/x%00.html",
            "/bad%zzescape",
            "/%ff%fe",
        ] {
            assert_eq!(relative_path(path), None, "{path} must be refused");
        }
    }

    #[test]
    fn a_named_folder_without_index_html_is_refused() {
        let dir = std::env::temp_dir().join(format!("depot-ui-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = locate(Some(&dir)).unwrap_err();
        assert!(err.contains("no index.html"), "{err}");
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        assert_eq!(
            locate(Some(&dir)).unwrap(),
            Some(dir.canonicalize().unwrap())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }
}
