//! Test-side helpers written from the spec, independent of the simulator's code:
//! an OAuth 1.0a HMAC-SHA1 signer and a tiny Apple-style client.

use std::sync::atomic::{AtomicU64, Ordering};

use depot_sim::{Credentials, RunningSim, ServerSpec, Simulator, SimulatorBuilder};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use serde_json::Value;

/// 2026-01-01T00:00:00Z: every test runs on a frozen simulated clock from here.
pub const T0_MS: i64 = 1_767_225_600_000;
pub const UA: &str = "DepotConformance/1.0";
pub const SERVER: &str = "Sales-East";

static NONCE: AtomicU64 = AtomicU64::new(1);

pub fn fresh_nonce() -> String {
    format!("n{:016x}", NONCE.fetch_add(1, Ordering::Relaxed))
}

/// RFC 3986 percent-encoding as RFC 5849 §3.6 requires.
pub fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `Authorization` header for `GET <url>` (spec §2.2).
pub fn oauth_header(
    c: &Credentials,
    url: &str,
    timestamp: i64,
    nonce: &str,
    realm: bool,
) -> String {
    let ts = timestamp.to_string();
    let mut params = [
        ("oauth_consumer_key", c.consumer_key.as_str()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", ts.as_str()),
        ("oauth_token", c.access_token.as_str()),
        ("oauth_version", "1.0"),
    ];
    params.sort();
    let normalized = params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    let base = format!("GET&{}&{}", pct(url), pct(&normalized));
    let key = format!("{}&{}", pct(&c.consumer_secret), pct(&c.access_secret));
    let pkey = PKey::hmac(key.as_bytes()).unwrap();
    let mut signer = Signer::new(MessageDigest::sha1(), &pkey).unwrap();
    signer.update(base.as_bytes()).unwrap();
    let signature = openssl::base64::encode_block(&signer.sign_to_vec().unwrap());
    let mut header = String::from("OAuth ");
    if realm {
        header.push_str("realm=\"ADM\", ");
    }
    header.push_str(&format!(
        "oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature_method=\"HMAC-SHA1\", \
         oauth_signature=\"{}\", oauth_timestamp=\"{}\", oauth_nonce=\"{}\", oauth_version=\"1.0\"",
        pct(&c.consumer_key),
        pct(&c.access_token),
        pct(&signature),
        ts,
        pct(nonce)
    ));
    header
}

/// A builder with the defaults every test shares: frozen clock at T0, seed 7,
/// one server with `devices` devices.
pub fn builder(devices: u32) -> SimulatorBuilder {
    Simulator::builder()
        .seed(7)
        .clock_start(T0_MS / 1000)
        .frozen_clock(true)
        .server(ServerSpec::new(SERVER, "Acme Corp", devices))
}

pub async fn start(devices: u32) -> RunningSim {
    builder(devices).start().await.unwrap()
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// Error code with surrounding whitespace and quotes removed (spec §2.4).
    pub fn code(&self) -> String {
        self.text.trim().trim_matches('"').to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code().as_str()),
            (status, code),
            "{self:?}"
        );
    }
}

/// Minimal Apple client: keeps the session token and follows rotation.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub session: Option<String>,
    pub protocol_version: Option<u32>,
    pub user_agent: Option<String>,
}

impl Api {
    pub fn new(sim: &RunningSim) -> Api {
        Api {
            http: http(),
            base: sim.base_url().to_string(),
            session: None,
            protocol_version: Some(10),
            user_agent: Some(UA.to_string()),
        }
    }

    /// Authenticates through `GET /session` with the test signer.
    pub async fn login(sim: &RunningSim, server: &str) -> Api {
        let mut api = Api::new(sim);
        let creds = sim.credentials(server).unwrap();
        let r = api.session_call(&creds, sim.now(), &fresh_nonce()).await;
        assert_eq!(r.status, 200, "{r:?}");
        api.session = Some(r.json()["auth_session_token"].as_str().unwrap().to_string());
        api
    }

    pub async fn session_call(&self, creds: &Credentials, ts: i64, nonce: &str) -> Resp {
        let url = format!("{}/session", self.base);
        let header = oauth_header(creds, &url, ts, nonce, true);
        self.raw("GET", "/session", Some(header), None).await
    }

    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        authorization: Option<String>,
        body: Option<&str>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .http
            .request(method, format!("{}{}", self.base, path_and_query));
        if let Some(ua) = &self.user_agent {
            rb = rb.header("User-Agent", ua);
        }
        if let Some(v) = self.protocol_version {
            rb = rb.header("X-Server-Protocol-Version", v.to_string());
        }
        if let Some(a) = authorization {
            rb = rb.header("Authorization", a);
        }
        if let Some(s) = &self.session {
            rb = rb.header("X-ADM-Auth-Session", s);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json;charset=UTF8")
                .body(b.to_string());
        }
        let r = rb.send().await.unwrap();
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }

    /// An authenticated call; adopts a rotated session token.
    pub async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let text = body.map(|b| b.to_string());
        let r = self.raw(method, path, None, text.as_deref()).await;
        if let Some(token) = r.header("x-adm-auth-session") {
            self.session = Some(token);
        }
        r
    }

    /// Fetches every page; returns (all devices, final cursor, pages).
    pub async fn fetch_all(&mut self, limit: u32) -> (Vec<Value>, String, usize) {
        let mut devices = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut body = serde_json::json!({ "limit": limit });
            if let Some(c) = &cursor {
                body["cursor"] = c.clone().into();
            }
            let r = self.call("POST", "/server/devices", Some(body)).await;
            assert_eq!(r.status, 200, "{r:?}");
            let page = r.json();
            pages += 1;
            devices.extend(page["devices"].as_array().cloned().unwrap_or_default());
            cursor = Some(page["cursor"].as_str().unwrap().to_string());
            if !page["more_to_follow"].as_bool().unwrap() {
                return (devices, cursor.unwrap(), pages);
            }
        }
    }

    pub async fn sync(&mut self, cursor: &str, limit: u32) -> Resp {
        self.call(
            "POST",
            "/devices/sync",
            Some(serde_json::json!({ "cursor": cursor, "limit": limit })),
        )
        .await
    }
}

pub fn serials_of(devices: &[Value]) -> Vec<String> {
    devices
        .iter()
        .map(|d| d["serial_number"].as_str().unwrap().to_string())
        .collect()
}
