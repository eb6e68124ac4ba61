//! The web UI as a browser gets it, from a real listener on loopback: files,
//! the app's paths, cache and security headers, and no way out of the folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use depot_core::access::{Actor, Origin};
use depot_core::{Depot, DepotOptions, FixedClock};
use depot_domain::SecretString;
use depot_domain::access::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{ServeOptions, router};

struct Site {
    root: PathBuf,
    ui: PathBuf,
}

impl Site {
    /// A UI folder (`ui/`) next to a file that must never be served (`secret.txt`).
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("depot-web-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let ui = root.join("ui");
        std::fs::create_dir_all(ui.join("assets")).unwrap();
        std::fs::write(ui.join("index.html"), "<!doctype html><title>Depot</title>").unwrap();
        std::fs::write(ui.join("assets/index-1a2b3c.js"), "console.log(1)").unwrap();
        std::fs::write(ui.join("favicon.png"), [0x89, b'P', b'N', b'G']).unwrap();
        std::fs::write(ui.join(".hidden"), "hidden").unwrap();
        std::fs::write(root.join("secret.txt"), "TOP-SECRET").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("secret.txt"), ui.join("escape.txt")).unwrap();
        Self { root, ui }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn start(ui_dir: Option<&Path>) -> SocketAddr {
    let depot = Depot::open_in_memory(DepotOptions::for_tests(Arc::new(FixedClock::at(
        1_800_000_000,
    ))))
    .unwrap();
    let owner = Actor::owner("test", Origin::Cli);
    let password = SecretString::new("a long enough secret".to_owned());
    depot
        .add_user(&owner, "rita", Role::ReadOnly, &[], Some(&password))
        .unwrap();
    let app = router(
        Arc::new(depot),
        ServeOptions {
            plain_http_on_loopback: true,
            ui_dir: ui_dir.map(|d| d.canonicalize().unwrap()),
            oidc: None,
            webhooks: Default::default(),
        },
    )
    .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One request written byte for byte: the path reaches the server exactly as
/// given (an HTTP client library would normalise `..` away).
async fn raw(addr: SocketAddr, method: &str, path: &str) -> Answer {
    raw_with(addr, method, path, "", "").await
}

async fn raw_with(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn the_ui_is_served_with_its_headers_and_app_paths_start_the_app() {
    let site = Site::new("serve");
    let addr = start(Some(&site.ui)).await;

    let index = raw(addr, "GET", "/").await;
    assert_eq!(index.status, 200);
    assert!(index.body.contains("<title>Depot</title>"));
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let csp = index.header("content-security-policy").unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp} lacks {part}");
    }
    assert!(!csp.contains("unsafe-eval"));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("x-frame-options"), Some("DENY"));
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));

    let script = raw(addr, "GET", "/assets/index-1a2b3c.js").await;
    assert_eq!(script.status, 200);
    assert_eq!(script.body, "console.log(1)");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let icon = raw(addr, "GET", "/favicon.png").await;
    assert_eq!(
        (icon.status, icon.header("content-type")),
        (200, Some("image/png"))
    );
    assert_eq!(icon.header("cache-control"), Some("no-cache"));

    // A bookmark or reload of an app path starts the app; a missing file is missing.
    for path in ["/devices", "/tokens/1/profiles", "/devices?serial=X"] {
        let answer = raw(addr, "GET", path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(answer.body.contains("<title>Depot</title>"), "{path}");
    }
    let missing = raw(addr, "GET", "/assets/missing-9z.js").await;
    assert_eq!(missing.status, 404);
    assert!(!missing.body.contains("<title>"));

    // HEAD answers the headers; other methods are not for files.
    let head = raw(addr, "HEAD", "/").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = raw(addr, "POST", "/index.html").await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    // The API keeps its own answers, now with the security headers too.
    let health = raw(addr, "GET", "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    assert_eq!(health.header("x-frame-options"), Some("DENY"));
    assert_eq!(health.header("cache-control"), Some("no-store"));
    let unknown = raw(addr, "GET", "/api/v1/nothing-here").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("\"NOT_FOUND\""), "{}", unknown.body);
    let unauthenticated = raw(addr, "POST", "/api/v1/rpc").await;
    assert_eq!(unauthenticated.status, 401);
}

#[tokio::test]
async fn no_request_path_reaches_a_file_outside_the_ui_folder() {
    let site = Site::new("traversal");
    let addr = start(Some(&site.ui)).await;
    for path in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/.hidden",
        "/%2ehidden",
        "/escape.txt",
        "//../secret.txt",
        "/assets/..%00/secret.txt",
    ] {
        let answer = raw(addr, "GET", path).await;
        assert!(
            !answer.body.contains("TOP-SECRET") && !answer.body.contains("hidden"),
            "{path} leaked a file: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            answer.status == 404 || answer.status == 400,
            "{path}: {}",
            answer.status
        );
    }
}

#[tokio::test]
async fn without_a_ui_folder_the_root_says_how_to_build_it_and_the_api_works() {
    let addr = start(None).await;
    let root = raw(addr, "GET", "/").await;
    assert_eq!(root.status, 404);
    assert_eq!(
        root.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(root.body.contains("npm run build"), "{}", root.body);
    assert!(root.body.contains("--ui-dir"), "{}", root.body);
    assert_eq!(raw(addr, "GET", "/healthz").await.status, 200);
    assert_eq!(raw(addr, "GET", "/api/v1/session").await.status, 401);
}

#[tokio::test]
async fn who_am_i_names_the_actions_the_role_allows() {
    let addr = start(None).await;
    let signed_in = raw_with(
        addr,
        "POST",
        "/api/v1/session",
        "Content-Type: application/json\r\n",
        r#"{"username":"rita","password":"a long enough secret"}"#,
    )
    .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let cookie = signed_in
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let me = raw_with(
        addr,
        "GET",
        "/api/v1/session",
        &format!("Cookie: {cookie}\r\n"),
        "",
    )
    .await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(me["name"], "rita");
    assert_eq!(me["role"], "read-only");
    assert_eq!(me["actions"], serde_json::json!(["read", "export"]));
}
