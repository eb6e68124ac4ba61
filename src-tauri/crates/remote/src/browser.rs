//! Signing in through the server's identity provider (OpenID Connect), from
//! the desktop app: the pattern RFC 8252 gives native apps. The app listens
//! on a loopback port, opens the server's `/api/v1/oidc/login` in the
//! system browser with that address and a PKCE-style challenge, and waits;
//! after the provider the server sends the browser back to the port with a
//! one-time code, which only this app (holding the verifier) can trade for a
//! session at `/api/v1/oidc/exchange`. The person's password never passes
//! through Depot, and the browser keeps no Depot cookie.

use std::time::Duration;

use depot_api::{ApiError, ErrorCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{Identity, Remote, base_url, client, error, read_answer, unreachable};

/// The most a browser's request to the loopback port may send before the
/// end of its head.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Whether the server offers signing in through an identity provider.
pub async fn oidc_offered(url: &str, fingerprint: Option<&str>) -> Result<bool, ApiError> {
    let url = base_url(url)?;
    let http = client(fingerprint, Default::default())?;
    let response = http
        .get(format!("{url}/api/v1/oidc"))
        .send()
        .await
        .map_err(|e| unreachable(&url, &e))?;
    let answer = read_answer(response, "the sign-in options").await?;
    Ok(answer["enabled"].as_bool() == Some(true))
}

fn b64url(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The value of `name` in a request target's query, if it is plain
/// base64url text (a code never needs anything else).
fn query_value<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 256
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Reads one request head from the browser and answers it; the code it
/// carries, if any.
async fn answer_browser(mut stream: TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .is_err()
    {
        return None;
    }
    let text = String::from_utf8_lossy(&head);
    let target = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("");
    let code = query_value(target, "code").map(str::to_owned);
    let (status, body) = if code.is_some() {
        (
            "200 OK",
            "<h1>Signed in to Depot</h1><p>You can close this tab and go back to the app.</p>",
        )
    } else {
        ("404 Not Found", "<h1>Nothing here</h1>")
    };
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Depot</title></head><body>{body}</body></html>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    code
}

impl Remote {
    /// Signs in through the server's identity provider: `open` is given the
    /// address to show in the system browser; the person then has `wait` to
    /// finish there.
    pub async fn sign_in_with_browser(
        url: &str,
        fingerprint: Option<&str>,
        open: impl FnOnce(&str) -> Result<(), String>,
        wait: Duration,
    ) -> Result<(Self, Identity), ApiError> {
        let url = base_url(url)?;
        let http = client(fingerprint, Default::default())?;
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
            error(
                ErrorCode::Internal,
                format!("no loopback port to receive the sign-in: {e}"),
            )
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| error(ErrorCode::Internal, e.to_string()))?
            .port();
        let mut secret = [0u8; 32];
        openssl::rand::rand_bytes(&mut secret)
            .map_err(|e| error(ErrorCode::Internal, format!("no randomness: {e}")))?;
        let verifier = b64url(&secret);
        let challenge = b64url(&openssl::sha::sha256(verifier.as_bytes()));
        // The redirect is all unreserved characters but ':' and '/', which
        // a query value may carry as they are.
        let login = format!(
            "{url}/api/v1/oidc/login?app_redirect=http://127.0.0.1:{port}/signed-in&app_challenge={challenge}"
        );
        open(&login).map_err(|reason| {
            error(
                ErrorCode::Internal,
                format!("the browser could not be opened ({reason}); open {login} yourself"),
            )
        })?;
        let code = tokio::time::timeout(wait, async {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                if let Some(code) = answer_browser(stream).await {
                    return code;
                }
            }
        })
        .await
        .map_err(|_| {
            error(
                ErrorCode::Unauthenticated,
                format!(
                    "the sign-in in the browser did not finish within {} minutes; try again",
                    wait.as_secs().div_ceil(60)
                ),
            )
        })?;
        let response = http
            .post(format!("{url}/api/v1/oidc/exchange"))
            .json(&json!({"code": code, "verifier": verifier}))
            .send()
            .await
            .map_err(|e| unreachable(&url, &e))?;
        let answer = read_answer(response, "the sign-in").await?;
        Self::from_session_answer(url, fingerprint, http, &answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_code_is_taken_from_the_browser() {
        assert_eq!(query_value("/signed-in?code=Ab-_9", "code"), Some("Ab-_9"));
        assert_eq!(query_value("/signed-in?x=1&code=abc", "code"), Some("abc"));
        assert_eq!(query_value("/signed-in?code=", "code"), None);
        assert_eq!(query_value("/signed-in?code=a%20b", "code"), None);
        assert_eq!(query_value("/favicon.ico", "code"), None);
    }
}
