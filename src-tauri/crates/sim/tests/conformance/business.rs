//! The organisation API (Apple School/Business Manager API), written from
//! `docs/business-api-wire.md`: the token endpoint with ES256 client
//! assertions, JSON:API paging and fieldsets, activities and their CSV logs,
//! one world with the ADE side, 401/404/406/409/422/429.

use std::time::Duration;

use depot_sim::{BusinessAccount, BusinessRateLimits, RunningSim};
use openssl::ec::EcKey;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::{MessageDigest, hash};
use serde_json::{Value, json};

use crate::support::*;

const AUD: &str = "https://account.apple.com/auth/oauth2/v2/token";
const CLIENT: &str = "BUSINESSAPI.6f1c2a3b-0000-4000-8000-000000000001";
const DAY: i64 = 86_400;

fn b64url(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// A compact ES256 JWS over `claims` (raw r||s signature).
fn sign(account: &BusinessAccount, kid: &str, claims: &Value) -> String {
    let header = json!({ "alg": "ES256", "kid": kid, "typ": "JWT" });
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let key = EcKey::private_key_from_pem(account.private_key_pem.as_bytes()).unwrap();
    let digest = hash(MessageDigest::sha256(), input.as_bytes()).unwrap();
    let sig = EcdsaSig::sign(&digest, &key).unwrap();
    let mut raw = sig.r().to_vec_padded(32).unwrap();
    raw.extend(sig.s().to_vec_padded(32).unwrap());
    format!("{input}.{}", b64url(&raw))
}

fn claims(sim: &RunningSim, client: &str) -> Value {
    let now = sim.now();
    json!({ "iss": client, "sub": client, "aud": AUD, "iat": now, "exp": now + 180 * DAY,
            "jti": format!("jti-{}", fresh_nonce()) })
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

struct Org {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    accept: Option<&'static str>,
}

impl Org {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut rb = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
        if let Some(a) = self.accept {
            rb = rb.header("Accept", a);
        }
        if let Some(t) = &self.token {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let r = rb.send().await.unwrap();
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }

    async fn ok(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "{r:?}");
        r.json()
    }
}

async fn token_call(sim: &RunningSim, path: &str, body: String, query: Option<String>) -> Resp {
    let url = match query {
        Some(q) => format!("{}{path}?{q}", sim.base_url()),
        None => format!("{}{path}", sim.base_url()),
    };
    let r = http()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    Resp {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        text: r.text().await.unwrap(),
    }
}

async fn request_token(
    sim: &RunningSim,
    account: &BusinessAccount,
    assertion: &str,
    scope: &str,
) -> Resp {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &account.client_id),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
        ("scope", scope),
    ]);
    token_call(sim, "/auth/oauth2/token", body, None).await
}

async fn org_sim(devices: u32) -> (RunningSim, BusinessAccount) {
    let sim = builder(devices)
        .org_unassigned_devices(5)
        .org_released_devices(2)
        .start()
        .await
        .unwrap();
    let account = sim.issue_business_account(CLIENT).unwrap();
    (sim, account)
}

async fn login(sim: &RunningSim, account: &BusinessAccount) -> Org {
    let jwt = sign(account, &account.key_id, &claims(sim, &account.client_id));
    let r = request_token(sim, account, &jwt, "business.api").await;
    assert_eq!(r.status, 200, "{r:?}");
    Org {
        http: http(),
        base: sim.base_url().to_string(),
        token: Some(r.json()["access_token"].as_str().unwrap().to_string()),
        accept: Some("application/json"),
    }
}

#[tokio::test]
async fn token_endpoint_issues_bearer_tokens_for_form_and_query_parameters() {
    let (sim, account) = org_sim(3).await;
    let jwt = sign(&account, &account.key_id, &claims(&sim, CLIENT));
    let r = request_token(&sim, &account, &jwt, "business.api").await;
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["scope"], "business.api");
    assert!(v["access_token"].as_str().unwrap().len() > 20);
    // The same assertion may be reused; Apple's curl sample uses query parameters
    // on the v2 URL.
    let query = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", &jwt),
        ("scope", "business.api"),
    ]);
    let r = token_call(&sim, "/auth/oauth2/v2/token", String::new(), Some(query)).await;
    assert_eq!(r.status, 200, "{r:?}");
    // A school account asks for school.api.
    let school = sim
        .issue_business_account("SCHOOLAPI.00000000-0000-4000-8000-000000000002")
        .unwrap();
    let jwt = sign(&school, &school.key_id, &claims(&sim, &school.client_id));
    assert_eq!(
        request_token(&sim, &school, &jwt, "school.api")
            .await
            .status,
        200
    );
    let r = request_token(&sim, &school, &jwt, "business.api").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("invalid_scope"))
    );
}

#[tokio::test]
async fn token_endpoint_refuses_bad_assertions() {
    let (sim, account) = org_sim(1).await;
    let other = sim.issue_business_account("").unwrap();
    assert!(other.client_id.starts_with("BUSINESSAPI."));
    let now = sim.now();
    let good = claims(&sim, CLIENT);
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let cases: Vec<(&str, String)> = vec![
        ("wrong kid", sign(&account, "not-the-key-id", &good)),
        (
            "wrong aud",
            sign(
                &account,
                &account.key_id,
                &with("aud", json!("https://account.apple.com/auth/oauth2/token")),
            ),
        ),
        (
            "iss != sub",
            sign(
                &account,
                &account.key_id,
                &with("iss", json!("BUSINESSAPI.someone-else")),
            ),
        ),
        (
            "exp > 180 days",
            sign(
                &account,
                &account.key_id,
                &with("exp", json!(now + 180 * DAY + 1)),
            ),
        ),
        (
            "expired",
            sign(
                &account,
                &account.key_id,
                &json!({"iss": CLIENT, "sub": CLIENT, "aud": AUD,
            "iat": now - 600, "exp": now - 1, "jti": "x"}),
            ),
        ),
        ("no jti", {
            let mut c = good.clone();
            c.as_object_mut().unwrap().remove("jti");
            sign(&account, &account.key_id, &c)
        }),
        (
            "signed by another key",
            sign(&other, &account.key_id, &good),
        ),
        ("tampered payload", {
            let jwt = sign(&account, &account.key_id, &good);
            let parts: Vec<&str> = jwt.split('.').collect();
            let forged = b64url(
                with("sub", json!(CLIENT))
                    .to_string()
                    .replace("jti-", "jtj-")
                    .as_bytes(),
            );
            format!("{}.{}.{}", parts[0], forged, parts[2])
        }),
        ("not a JWT", "abc".to_string()),
    ];
    for (name, jwt) in cases {
        let r = request_token(&sim, &account, &jwt, "business.api").await;
        assert_eq!(r.status, 400, "{name}: {r:?}");
        assert_eq!(r.json()["error"], "invalid_client", "{name}: {r:?}");
        assert!(r.json()["error_description"].as_str().is_some(), "{name}");
    }
    let jwt = sign(&account, &account.key_id, &good);
    let r = request_token(&sim, &account, &jwt, "school.api").await;
    assert_eq!(r.json()["error"], "invalid_scope", "{r:?}");
    // A DER signature (a common client bug) is refused with a hint.
    let r = token_call(
        &sim,
        "/auth/oauth2/token",
        form(&[("grant_type", "client_credentials"), ("client_id", CLIENT)]),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("invalid_request"))
    );
    let r = token_call(
        &sim,
        "/auth/oauth2/token",
        form(&[("grant_type", "password")]),
        None,
    )
    .await;
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    // An expired assertion is judged by the simulator's clock.
    let short = with("exp", json!(now + 60));
    let jwt = sign(&account, &account.key_id, &short);
    assert_eq!(
        request_token(&sim, &account, &jwt, "business.api")
            .await
            .status,
        200
    );
    sim.advance_clock(Duration::from_secs(61));
    assert_eq!(
        request_token(&sim, &account, &jwt, "business.api")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn access_tokens_expire_and_the_api_wants_json() {
    let (sim, account) = org_sim(2).await;
    let mut org = login(&sim, &account).await;
    assert_eq!(org.get("/v1/mdmServers").await.status, 200);
    org.accept = None;
    let r = org.get("/v1/mdmServers").await;
    assert_eq!(r.status, 406, "{r:?}");
    assert_eq!(r.json()["errors"][0]["status"], "406");
    org.accept = Some("text/html");
    assert_eq!(org.get("/v1/orgDevices").await.status, 406);
    org.accept = Some("application/json");
    // After the token's 3600 s: 401 JSON:API.
    sim.advance_clock(Duration::from_secs(3600));
    let r = org.get("/v1/mdmServers").await;
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(r.json()["errors"][0]["code"], "NOT_AUTHORIZED");
    // A fresh token works; the switch expires it at once.
    let org = login(&sim, &account).await;
    assert_eq!(org.get("/v1/mdmServers").await.status, 200);
    sim.expire_business_tokens();
    assert_eq!(org.get("/v1/mdmServers").await.status, 401);
    // A shorter lifetime is announced in expires_in.
    sim.set_business_token_lifetime(Duration::from_secs(60));
    let jwt = sign(&account, &account.key_id, &claims(&sim, CLIENT));
    let r = request_token(&sim, &account, &jwt, "business.api").await;
    assert_eq!(r.json()["expires_in"], 60);
    let mut anonymous = login(&sim, &account).await;
    anonymous.token = None;
    assert_eq!(anonymous.get("/v1/orgDevices").await.status, 401);
    anonymous.token = Some("made-up".into());
    assert_eq!(anonymous.get("/v1/orgDevices").await.status, 401);
}

#[tokio::test]
async fn org_devices_page_with_opaque_cursors_and_fieldsets() {
    let (sim, account) = org_sim(1203).await;
    let org = login(&sim, &account).await;
    let first = org.ok("/v1/orgDevices").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 100);
    assert_eq!(first["meta"]["paging"]["limit"], 100);
    assert_eq!(first["meta"]["paging"]["total"], 1210);
    let d = &first["data"][0];
    assert_eq!(d["type"], "orgDevices");
    assert_eq!(d["id"], d["attributes"]["serialNumber"]);
    assert_eq!(d["attributes"]["status"], "ASSIGNED");
    assert!(d["attributes"]["imei"].is_array());
    assert!(
        d["relationships"]["assignedServer"]["links"]["related"]
            .as_str()
            .unwrap()
            .ends_with("/assignedServer")
    );
    // limit above 1000 is clamped to 1000.
    let mut seen = Vec::new();
    let mut next = Some("/v1/orgDevices?limit=5000".to_string());
    let mut pages = 0;
    while let Some(url) = next {
        let page = org.ok(&url).await;
        pages += 1;
        assert_eq!(page["meta"]["paging"]["limit"], 1000);
        for d in page["data"].as_array().unwrap() {
            seen.push(d["id"].as_str().unwrap().to_string());
        }
        next = page["links"]["next"].as_str().map(str::to_string);
        assert_eq!(
            next.is_some(),
            page["meta"]["paging"]["nextCursor"].is_string()
        );
    }
    assert_eq!((pages, seen.len()), (2, 1210));
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 1210);
    // Serials match the ADE side, and the pool is at the end.
    let ade = sim.serials(SERVER, 0, 2000).unwrap();
    assert_eq!(&seen[..1203], &ade[..]);
    assert_eq!(&seen[1203..], &sim.org_pool_serials()[..]);
    // Released devices: UNASSIGNED with releasedFromOrgDateTime.
    let released = org.ok(&format!("/v1/orgDevices/{}", seen[1209])).await;
    assert_eq!(released["data"]["attributes"]["status"], "UNASSIGNED");
    assert!(released["data"]["attributes"]["releasedFromOrgDateTime"].is_string());
    let unassigned = org.ok(&format!("/v1/orgDevices/{}", seen[1203])).await;
    assert!(unassigned["data"]["attributes"]["releasedFromOrgDateTime"].is_null());
    // Fieldsets keep only what was asked for.
    let page = org
        .ok("/v1/orgDevices?limit=3&fields%5BorgDevices%5D=serialNumber,status,productFamily")
        .await;
    let attrs = page["data"][0]["attributes"].as_object().unwrap();
    let mut keys: Vec<&str> = attrs.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["productFamily", "serialNumber", "status"]);
    assert!(
        page["links"]["next"]
            .as_str()
            .unwrap()
            .contains("fields%5BorgDevices%5D=")
    );
    // A model consistent with the ADE device of the same serial.
    let serial = ade[7].clone();
    let ade_dev = sim.device(SERVER, &serial, 10).unwrap().unwrap();
    let one = org.ok(&format!("/v1/orgDevices/{serial}")).await;
    assert_eq!(one["data"]["attributes"]["deviceModel"], ade_dev["model"]);
    assert_eq!(one["data"]["attributes"]["color"], ade_dev["color"]);
    assert_eq!(
        one["data"]["attributes"]["productFamily"],
        ade_dev["device_family"]
    );
    // Bad parameters.
    assert_eq!(org.get("/v1/orgDevices?limit=0").await.status, 400);
    assert_eq!(
        org.get("/v1/orgDevices?cursor=bm90LWEtY3Vyc29y")
            .await
            .status,
        400
    );
    assert_eq!(
        org.get("/v1/orgDevices?fields%5BorgDevices%5D=nope")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn servers_relationships_and_not_found() {
    let (sim, account) = org_sim(5).await;
    let org = login(&sim, &account).await;
    let id = sim.business_server_id(SERVER).unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let list = org.ok("/v1/mdmServers").await;
    let s = &list["data"][0];
    assert_eq!(
        (s["id"].as_str(), s["attributes"]["serverName"].as_str()),
        (Some(id.as_str()), Some(SERVER))
    );
    assert_eq!(s["attributes"]["serverType"], "MDM");
    assert!(
        s["attributes"].get("deviceCount").is_none(),
        "default subset"
    );
    let full = org
        .ok("/v1/mdmServers?fields%5BmdmServers%5D=serverName,deviceCount")
        .await;
    assert_eq!(
        full["data"][0]["attributes"],
        json!({ "serverName": SERVER, "deviceCount": 5 })
    );
    let one = org.ok(&format!("/v1/mdmServers/{id}")).await;
    assert_eq!(one["data"]["id"], id);
    let linkages = org
        .ok(&format!(
            "/v1/mdmServers/{id}/relationships/devices?limit=2"
        ))
        .await;
    assert_eq!(linkages["data"].as_array().unwrap().len(), 2);
    assert_eq!(linkages["data"][0]["type"], "orgDevices");
    let next = linkages["links"]["next"].as_str().unwrap().to_string();
    let rest = org.ok(&next).await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 2);
    let last = org.ok(rest["links"]["next"].as_str().unwrap()).await;
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert!(
        last["links"].get("next").is_none() && last["meta"]["paging"].get("nextCursor").is_none()
    );
    let serial = sim.serials(SERVER, 0, 1).unwrap()[0].clone();
    let link = org
        .ok(&format!(
            "/v1/orgDevices/{serial}/relationships/assignedServer"
        ))
        .await;
    assert_eq!(link["data"], json!({ "type": "mdmServers", "id": id }));
    let related = org
        .ok(&format!("/v1/orgDevices/{serial}/assignedServer"))
        .await;
    assert_eq!(related["data"]["attributes"]["serverName"], SERVER);
    let pool = sim.org_pool_serials();
    let link = org
        .ok(&format!(
            "/v1/orgDevices/{}/relationships/assignedServer",
            pool[0]
        ))
        .await;
    assert!(link["data"].is_null());
    let care = org
        .ok(&format!("/v1/orgDevices/{serial}/appleCareCoverage"))
        .await;
    assert_eq!(care["data"][0]["type"], "appleCareCoverage");
    assert_eq!(
        care["data"][0]["attributes"]["description"],
        "Limited Warranty"
    );
    for path in [
        "/v1/orgDevices/F9FXK0ZZZZZZ".to_string(),
        "/v1/orgDevices/F9FXK0ZZZZZZ/relationships/assignedServer".to_string(),
        "/v1/mdmServers/00000000000000000000000000000000".to_string(),
        "/v1/orgDeviceActivities/b1f0c3d2-1111-4222-8333-944455556666".to_string(),
        "/v1/nothing".to_string(),
    ] {
        let r = org.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {r:?}");
        assert_eq!(r.json()["errors"][0]["code"], "NOT_FOUND", "{path}");
    }
}

fn activity(kind: &str, server: &str, serials: &[&str]) -> Value {
    json!({ "data": { "type": "orgDeviceActivities",
        "attributes": { "activityType": kind },
        "relationships": {
            "mdmServer": { "data": { "type": "mdmServers", "id": server } },
            "devices": { "data": serials.iter().map(|s| json!({ "type": "orgDevices", "id": s })).collect::<Vec<_>>() },
        } } })
}

/// Polls until the activity is no longer IN_PROGRESS; returns it and the sub-states seen.
async fn settle(org: &Org, id: &str) -> (Value, Vec<String>) {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let v = org
            .ok(&format!("/v1/orgDeviceActivities/{id}?fields%5BorgDeviceActivities%5D=status,subStatus,completedDateTime,downloadUrl"))
            .await;
        seen.push(
            v["data"]["attributes"]["subStatus"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        if v["data"]["attributes"]["status"] != "IN_PROGRESS" {
            return (v, seen);
        }
    }
    panic!("activity never finished: {seen:?}");
}

#[tokio::test]
async fn assign_and_unassign_reach_the_ade_side() {
    let sim = builder(4)
        .server(depot_sim::ServerSpec::new("Sales-West", "Acme Corp", 2))
        .org_unassigned_devices(3)
        .start()
        .await
        .unwrap();
    let account = sim.issue_business_account(CLIENT).unwrap();
    let org = login(&sim, &account).await;
    let east = sim.business_server_id(SERVER).unwrap();
    let west = sim.business_server_id("Sales-West").unwrap();
    assert_ne!(east, west);
    let pool = sim.org_pool_serials();
    let moving = sim.serials("Sales-West", 0, 1).unwrap()[0].clone();
    // ADE clients of both servers hold a sync cursor from before.
    let mut ade = Api::login(&sim, SERVER).await;
    let (_, east_cursor, _) = ade.fetch_all(100).await;
    let mut ade_west = Api::login(&sim, "Sales-West").await;
    let (_, west_cursor, _) = ade_west.fetch_all(100).await;

    let r = org
        .send(
            "POST",
            "/v1/orgDeviceActivities",
            Some(activity(
                "ASSIGN_DEVICES",
                &east,
                &[&pool[0], &moving, "F9FXK0ZZZZZZ"],
            )),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let created = r.json();
    assert_eq!(created["data"]["attributes"]["status"], "IN_PROGRESS");
    assert_eq!(created["data"]["attributes"]["subStatus"], "SUBMITTED");
    let id = created["data"]["id"].as_str().unwrap().to_string();
    // Nothing changes before completion.
    assert_eq!(sim.business_device(&pool[0]).unwrap().status, "UNASSIGNED");
    let r = ade.sync(&east_cursor, 100).await;
    assert!(r.json()["devices"].as_array().unwrap().is_empty(), "{r:?}");
    // The simulator's clock completes it (2 s per sub-state).
    sim.advance_clock(Duration::from_secs(4));
    let v = org.ok(&format!("/v1/orgDeviceActivities/{id}")).await;
    assert_eq!(v["data"]["attributes"]["status"], "IN_PROGRESS");
    assert_ne!(v["data"]["attributes"]["subStatus"], "SUBMITTED");
    assert!(v["data"]["attributes"].get("downloadUrl").is_none());
    sim.advance_clock(Duration::from_secs(10));
    let (done, _) = settle(&org, &id).await;
    let attrs = &done["data"]["attributes"];
    assert_eq!(attrs["status"], "COMPLETED");
    assert_eq!(attrs["subStatus"], "COMPLETED_WITH_ERROR");
    assert!(attrs["completedDateTime"].is_string());
    // The CSV log: a header and one row per device; no bearer token needed.
    let csv = http()
        .get(attrs["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "serialNumber,result,message");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[1].starts_with(&format!("{},SUCCESS,", pool[0])),
        "{text}"
    );
    assert!(
        lines[2].starts_with(&format!("{moving},SUCCESS,")),
        "{text}"
    );
    assert!(lines[3].starts_with("F9FXK0ZZZZZZ,FAILED,"), "{text}");
    // Org view and ADE view agree.
    assert_eq!(
        sim.business_device(&pool[0]).unwrap().server.as_deref(),
        Some(SERVER)
    );
    let link = org
        .ok(&format!(
            "/v1/orgDevices/{moving}/relationships/assignedServer"
        ))
        .await;
    assert_eq!(link["data"]["id"], east);
    let r = ade.sync(&east_cursor, 100).await;
    let devices = r.json()["devices"].as_array().unwrap().clone();
    let added: Vec<(&str, &str)> = devices
        .iter()
        .map(|d| {
            (
                d["serial_number"].as_str().unwrap(),
                d["op_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        added,
        [(pool[0].as_str(), "added"), (moving.as_str(), "added")]
    );
    let r = ade_west.sync(&west_cursor, 100).await;
    let gone = &r.json()["devices"][0];
    assert_eq!(
        (gone["serial_number"].as_str(), gone["op_type"].as_str()),
        (Some(moving.as_str()), Some("deleted"))
    );
    let (all, _, _) = ade.fetch_all(100).await;
    assert!(serials_of(&all).contains(&pool[0]));
    assert_eq!(
        sim.device(SERVER, &pool[0], 10).unwrap().unwrap()["serial_number"],
        pool[0]
    );
    // The org list still has each device once.
    let list = org.ok("/v1/orgDevices?limit=1000").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 9);

    // Unassign: polled to completion without moving the clock.
    let r = org
        .send(
            "POST",
            "/v1/orgDeviceActivities",
            Some(activity("UNASSIGN_DEVICES", &east, &[&pool[0], &pool[1]])),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.json()["data"]["id"].as_str().unwrap().to_string();
    let (done, seen) = settle(&org, &id).await;
    assert_eq!(
        seen,
        [
            "PRE_PROCESSING",
            "PENDING",
            "PROCESSING",
            "POST_PROCESSING",
            "COMPLETED_WITH_ERROR"
        ]
    );
    assert_eq!(done["data"]["attributes"]["status"], "COMPLETED");
    let d = org.ok(&format!("/v1/orgDevices/{}", pool[0])).await;
    assert_eq!(d["data"]["attributes"]["status"], "UNASSIGNED");
    let (after, cursor, _) = ade.fetch_all(100).await;
    assert!(!serials_of(&after).contains(&pool[0]));
    let _ = cursor;
    let r = ade.sync(&east_cursor, 100).await;
    let last = r.json()["devices"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["serial_number"].as_str(), last["op_type"].as_str()),
        (Some(pool[0].as_str()), Some("deleted"))
    );
    // Activities are gone after 30 days, logs with them.
    let url = done["data"]["attributes"]["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    sim.advance_clock(Duration::from_secs(30 * 86_400));
    let org = login(&sim, &account).await;
    assert_eq!(
        org.get(&format!("/v1/orgDeviceActivities/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(http().get(url).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn bad_activity_bodies_and_failed_activities() {
    let (sim, account) = org_sim(3).await;
    let org = login(&sim, &account).await;
    let id = sim.business_server_id(SERVER).unwrap();
    let serial = sim.org_pool_serials()[0].clone();
    let post = |body: Value| org.send("POST", "/v1/orgDeviceActivities", Some(body));
    let r = post(activity(
        "ASSIGN_DEVICES",
        "00000000000000000000000000000000",
        &[&serial],
    ))
    .await;
    assert_eq!(r.status, 404, "{r:?}");
    let r = post(activity("ERASE_EVERYTHING", &id, &[&serial])).await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["code"].clone()),
        (409, json!("ENTITY_ERROR.ATTRIBUTE.INVALID"))
    );
    let mut wrong_type = activity("ASSIGN_DEVICES", &id, &[&serial]);
    wrong_type["data"]["type"] = json!("orgDevices");
    assert_eq!(post(wrong_type).await.status, 409);
    let mut no_server = activity("ASSIGN_DEVICES", &id, &[&serial]);
    no_server["data"]["relationships"]
        .as_object_mut()
        .unwrap()
        .remove("mdmServer");
    assert_eq!(post(no_server).await.status, 409);
    let r = post(activity("ASSIGN_DEVICES", &id, &[])).await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["code"].clone()),
        (422, json!("ENTITY_UNPROCESSABLE"))
    );
    assert_eq!(post(json!({ "nothing": true })).await.status, 422);
    let many: Vec<String> = (0..1001).map(|i| format!("SERIAL{i:06}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        post(activity("ASSIGN_DEVICES", &id, &many)).await.status,
        422
    );
    let r = org.send("GET", "/v1/orgDeviceActivities", None).await;
    assert_eq!(r.status, 405);
    // A released device cannot be assigned.
    let released = sim.org_pool_serials()[5].clone();
    let r = post(activity("ASSIGN_DEVICES", &id, &[&released])).await;
    let aid = r.json()["data"]["id"].as_str().unwrap().to_string();
    let (done, _) = settle(&org, &aid).await;
    assert_eq!(
        done["data"]["attributes"]["subStatus"],
        "COMPLETED_WITH_FAILURE"
    );
    // The switch: the next activity FAILS and changes nothing.
    sim.fail_next_business_activity();
    let r = post(activity("ASSIGN_DEVICES", &id, &[&serial])).await;
    let aid = r.json()["data"]["id"].as_str().unwrap().to_string();
    let (done, _) = settle(&org, &aid).await;
    assert_eq!(done["data"]["attributes"]["status"], "FAILED");
    assert!(done["data"]["attributes"].get("downloadUrl").is_none());
    assert_eq!(sim.business_device(&serial).unwrap().status, "UNASSIGNED");
    // The one after works.
    let r = post(activity("ASSIGN_DEVICES", &id, &[&serial])).await;
    let aid = r.json()["data"]["id"].as_str().unwrap().to_string();
    let (done, _) = settle(&org, &aid).await;
    assert_eq!(
        done["data"]["attributes"]["subStatus"],
        "COMPLETED_WITH_SUCCESS"
    );
    assert_eq!(sim.business_device(&serial).unwrap().status, "ASSIGNED");
}

#[tokio::test]
async fn budgets_answer_429_with_and_without_retry_after() {
    let (sim, account) = org_sim(2).await;
    let org = login(&sim, &account).await;
    sim.set_business_rate_limits(BusinessRateLimits::apple_observed());
    for _ in 0..20 {
        assert_eq!(org.get("/v1/mdmServers").await.status, 200);
    }
    let r = org.get("/v1/orgDevices").await;
    assert_eq!(r.status, 429, "{r:?}");
    assert_eq!(r.json()["errors"][0]["status"], "429");
    assert_eq!(r.header("retry-after").as_deref(), Some("60"));
    sim.advance_clock(Duration::from_secs(60));
    assert_eq!(org.get("/v1/orgDevices").await.status, 200);
    // POST budget: 10 per hour.
    let id = sim.business_server_id(SERVER).unwrap();
    let serial = sim.org_pool_serials()[0].clone();
    for _ in 0..10 {
        let r = org
            .send(
                "POST",
                "/v1/orgDeviceActivities",
                Some(activity("ASSIGN_DEVICES", &id, &[&serial])),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
    }
    let r = org
        .send(
            "POST",
            "/v1/orgDeviceActivities",
            Some(activity("ASSIGN_DEVICES", &id, &[&serial])),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("3600"));
    // Without Retry-After.
    sim.set_business_rate_limits(BusinessRateLimits {
        get_per_minute: Some(1),
        post_per_hour: None,
        retry_after: false,
    });
    assert_eq!(org.get("/v1/mdmServers").await.status, 200);
    let r = org.get("/v1/mdmServers").await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_none());
}

#[tokio::test]
async fn control_api_drives_the_organisation_api() {
    let (sim, _) = org_sim(1).await;
    let control = |method: &str, path: &str, body: Option<Value>| {
        let rb = http()
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}/control/business{path}", sim.base_url()),
            )
            .header("Authorization", format!("Bearer {}", sim.control_token()));
        let rb = match body {
            Some(b) => rb.body(b.to_string()),
            None => rb,
        };
        async move {
            let r = rb.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, account) = control("POST", "/accounts", Some(json!({}))).await;
    assert_eq!(status, 200, "{account}");
    let account: BusinessAccount = serde_json::from_value(account).unwrap();
    assert!(account.private_key_pem.contains("BEGIN EC PRIVATE KEY"));
    let org = login(&sim, &account).await;
    assert_eq!(org.get("/v1/orgDevices").await.status, 200);
    assert_eq!(control("POST", "/tokens/expire", None).await.0, 200);
    assert_eq!(org.get("/v1/orgDevices").await.status, 401);
    let (status, limits) =
        control("PUT", "/rate-limits", Some(json!({ "get_per_minute": 20 }))).await;
    assert_eq!((status, limits["get_per_minute"].clone()), (200, json!(20)));
    let (_, state) = control("GET", "", None).await;
    assert_eq!(state["servers"][0]["name"], SERVER);
    assert_eq!(state["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(control("POST", "/activities/fail-next", None).await.0, 200);
    assert_eq!(
        control("PUT", "/token-lifetime", Some(json!({ "seconds": 120 })))
            .await
            .0,
        200
    );
    let pool = sim.org_pool_serials();
    let (status, dev) = control("GET", &format!("/devices/{}", pool[0]), None).await;
    assert_eq!((status, dev["status"].clone()), (200, json!("UNASSIGNED")));
    // Registering a known public key under another client id.
    let (status, _) = control(
        "PUT",
        "/accounts",
        Some(json!({ "client_id": "SCHOOLAPI.abc", "key_id": "k1", "public_key_pem": account.public_key_pem })),
    )
    .await;
    assert_eq!(status, 200);
}
