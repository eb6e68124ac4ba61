//! Apps and Books API v2 under `/mdm/v2`, written from
//! `docs/apps-and-books-wire.md`: tokens, auth errors, client/config and
//! mdmInfo, assets, asynchronous events, limits, paging, switches, portal and
//! control API.

use std::time::Duration;

use depot_sim::{COMPANY_PORTAL_ADAM_ID, RunningSim, VppLimits, VppLocationSpec};
use serde_json::{Value, json};

use crate::support::*;

const LOC: &str = "HQ Apps";
/// A second app: 10 licences, not device-assignable.
const BOOKISH: &str = "361309726";

fn vpp_builder(page_size: usize) -> depot_sim::SimulatorBuilder {
    builder(0)
        .vpp_location(
            VppLocationSpec::new(LOC, "Acme Corp")
                .with_asset(COMPANY_PORTAL_ADAM_ID, 3, true)
                .with_asset(BOOKISH, 10, false),
        )
        .vpp_page_size(page_size)
}

async fn vpp_sim() -> RunningSim {
    vpp_builder(200).start().await.unwrap()
}

/// A minimal Apps and Books client.
struct Vpp {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Vpp {
    fn new(sim: &RunningSim) -> Vpp {
        Vpp {
            http: http(),
            base: format!("{}/mdm/v2", sim.base_url()),
            token: Some(sim.issue_vpp_token(LOC).unwrap()),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        auth: Option<String>,
        body: Option<(&str, String)>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if let Some(a) = auth {
            rb = rb.header("Authorization", a);
        }
        if let Some((content_type, text)) = body {
            if !content_type.is_empty() {
                rb = rb.header("Content-Type", content_type);
            }
            rb = rb.body(text);
        }
        let r = rb.send().await.unwrap();
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }

    fn bearer(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {t}"))
    }

    async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, self.bearer(), None).await
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(
            "POST",
            path,
            self.bearer(),
            Some(("application/json", body.to_string())),
        )
        .await
    }

    /// GET that must answer 200 without an error body.
    async fn ok(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "{r:?}");
        let v = r.json();
        assert!(v.get("errorNumber").is_none(), "{v}");
        v
    }

    async fn associate(&self, adam_id: &str, serials: &[&str]) -> String {
        let r = self
            .post(
                "/assets/associate",
                json!({ "assets": [{ "adamId": adam_id, "pricingParam": "STDQ" }],
                        "serialNumbers": serials }),
            )
            .await;
        assert_eq!(r.status, 200, "{r:?}");
        r.json()["eventId"].as_str().unwrap().to_string()
    }

    async fn status(&self, event_id: &str) -> Value {
        self.ok(&format!("/status?eventId={event_id}")).await
    }

    async fn asset(&self, adam_id: &str) -> Value {
        let v = self.ok(&format!("/assets?adamId={adam_id}")).await;
        assert_eq!(v["assets"].as_array().unwrap().len(), 1, "{v}");
        v["assets"][0].clone()
    }
}

#[track_caller]
fn assert_vpp_error(r: &Resp, status: u16, number: u64) {
    assert_eq!(r.status, status, "{r:?}");
    let v = r.json();
    assert_eq!(v["errorNumber"].as_u64(), Some(number), "{v}");
    assert!(v["errorMessage"].as_str().is_some_and(|m| !m.is_empty()));
}

fn serials(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("C02SIM{i:06}")).collect()
}

#[tokio::test]
async fn service_config_needs_no_token_and_names_absolute_urls() {
    let sim = vpp_sim().await;
    let mut api = Vpp::new(&sim);
    api.token = None;
    let r = api.get("/service/config").await;
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let base = sim.vpp_base_url();
    assert_eq!(v["urls"]["getAssets"], format!("{base}/assets"));
    assert_eq!(
        v["urls"]["associateAssets"],
        format!("{base}/assets/associate")
    );
    assert_eq!(v["urls"]["eventStatus"], format!("{base}/status"));
    assert_eq!(v["urls"]["clientConfig"], format!("{base}/client/config"));
    assert_eq!(v["limits"]["maxAssets"], 25);
    assert_eq!(v["limits"]["maxSerialNumbers"], 1000);
    assert!(
        v["errorCodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["errorNumber"] == 9621)
    );
    assert!(
        v["notificationTypes"]
            .as_array()
            .unwrap()
            .contains(&json!("ASSET_MANAGEMENT"))
    );
    // Limits change at runtime and show here.
    sim.vpp_set_limits(VppLimits {
        max_assets: 2,
        ..VppLimits::default()
    });
    assert_eq!(api.ok("/service/config").await["limits"]["maxAssets"], 2);
}

#[tokio::test]
async fn an_issued_token_is_accepted_and_client_config_describes_the_location() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let file = api.token.clone().unwrap();
    let decoded = openssl::base64::decode_block(&file).unwrap();
    let inner: Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(inner["orgName"], "Acme Corp");
    assert_eq!(inner["expDate"], "2027-01-01T00:00:00+0000", "365 days on");
    assert!(inner["token"].as_str().is_some_and(|t| !t.is_empty()));

    let v = api.ok("/client/config").await;
    let summary = sim.vpp_location(LOC).unwrap();
    assert_eq!(v["locationName"], LOC);
    assert_eq!(v["uId"], summary.uid.as_str());
    assert_eq!(v["tokenExpirationDate"], "2027-01-01T00:00:00+0000");
    assert_eq!(v["countryISO2ACode"], "US");
    assert_eq!(v["defaultPlatform"], "volumestore");
    assert!(v.get("mdmInfo").is_none(), "nobody claimed it yet: {v}");

    // uId is stable for a seed; every call issues another valid token.
    let again = vpp_sim().await;
    assert_eq!(again.vpp_location(LOC).unwrap().uid, summary.uid);
    let second = sim.issue_vpp_token(LOC).unwrap();
    assert_ne!(second, file);
    let other = Vpp {
        token: Some(second),
        ..Vpp::new(&sim)
    };
    other.ok("/client/config").await;
    api.ok("/client/config").await;
    assert!(matches!(
        sim.issue_vpp_token("Nowhere"),
        Err(depot_sim::SimError::UnknownVppLocation(_))
    ));
    assert!(sim.vpp_location("Nowhere").is_none());

    // A simulator started again (demo mode after a restart) accepts the
    // tokens the earlier one issued when told them; others stay unknown.
    let restarted = builder(0)
        .vpp_location(VppLocationSpec::new(LOC, "Acme Corp").with_token(file.clone()))
        .start()
        .await
        .unwrap();
    let known = Vpp {
        base: format!("{}/mdm/v2", restarted.base_url()),
        token: Some(file),
        http: http(),
    };
    assert_eq!(known.ok("/client/config").await["locationName"], LOC);
    let stranger = Vpp {
        token: Some(other.token.clone().unwrap()),
        base: known.base.clone(),
        http: http(),
    };
    let r = stranger.get("/client/config").await;
    assert_vpp_error(&r, 401, 9622);
    assert!(
        builder(0)
            .vpp_location(VppLocationSpec::new(LOC, "Acme Corp").with_token("not a token"))
            .start()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn auth_errors_have_their_numbers_and_the_200_switch() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let token = api.token.clone().unwrap();
    let r = api.send("GET", "/client/config", None, None).await;
    assert_vpp_error(&r, 401, 9601);
    for header in [
        format!("Token {token}"),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        format!("Bearer {token} extra"),
        token.clone(),
    ] {
        let r = api.send("GET", "/client/config", Some(header), None).await;
        assert_vpp_error(&r, 401, 9722);
    }
    let unknown = openssl::base64::encode_block(
        br#"{"token":"bm9wZQ==","expDate":"2031-02-03T10:00:00+0000","orgName":"Acme Corp"}"#,
    );
    let r = api
        .send("GET", "/assets", Some(format!("Bearer {unknown}")), None)
        .await;
    assert_vpp_error(&r, 401, 9622);
    // The quirk Fleet saw: auth errors with HTTP 200.
    sim.vpp_auth_errors_with_200(true);
    let r = api
        .send("GET", "/assets", Some(format!("Bearer {unknown}")), None)
        .await;
    assert_vpp_error(&r, 200, 9622);
    let r = api.send("GET", "/assets", None, None).await;
    assert_vpp_error(&r, 401, 9601);
    sim.vpp_auth_errors_with_200(false);
    api.ok("/assets").await;

    // Expiry by the clock: a year later the token answers 9621.
    sim.advance_clock(Duration::from_secs(365 * 86_400));
    assert_vpp_error(&api.get("/client/config").await, 401, 9621);
    let fresh = Vpp {
        token: Some(sim.issue_vpp_token(LOC).unwrap()),
        ..Vpp::new(&sim)
    };
    assert_eq!(
        fresh.ok("/client/config").await["tokenExpirationDate"],
        "2028-01-01T00:00:00+0000"
    );

    // Expiry by the switch, then revocation: both hit every token so far.
    sim.vpp_expire(LOC).unwrap();
    assert_vpp_error(&fresh.get("/client/config").await, 401, 9621);
    let newest = Vpp::new(&sim);
    newest.ok("/client/config").await;
    sim.vpp_revoke(LOC).unwrap();
    assert_vpp_error(&newest.get("/assets").await, 401, 9625);
    sim.vpp_auth_errors_with_200(true);
    assert_vpp_error(&newest.get("/assets").await, 200, 9625);
    assert_vpp_error(&fresh.get("/assets").await, 200, 9625);
    assert!(sim.vpp_expire("Nowhere").is_err());
}

#[tokio::test]
async fn mdm_info_is_set_echoed_and_taken_over_by_another_mdm() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let mine = json!({ "id": "7b0c1d2e-depot", "name": "Depot", "metadata": "depot.acme.test" });
    let r = api.post("/client/config", json!({ "mdmInfo": mine })).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["mdmInfo"], mine);
    assert_eq!(r.json()["locationName"], LOC);
    for path in ["/client/config", "/assets", "/assignments"] {
        assert_eq!(api.ok(path).await["mdmInfo"], mine, "{path}");
    }
    let event = api
        .associate(COMPANY_PORTAL_ADAM_ID, &["C02AAA000001"])
        .await;
    assert_eq!(api.status(&event).await["mdmInfo"], mine);
    assert_eq!(
        sim.vpp_location(LOC).unwrap().mdm_info.unwrap().id,
        mine["id"]
    );

    // Incomplete or too long mdmInfo is refused and changes nothing.
    let r = api
        .post(
            "/client/config",
            json!({ "mdmInfo": { "id": "x", "name": "Other" } }),
        )
        .await;
    assert_vpp_error(&r, 400, 9723);
    let long = "x".repeat(101);
    let r = api
        .post(
            "/client/config",
            json!({ "mdmInfo": { "id": long, "name": "n", "metadata": "m" } }),
        )
        .await;
    assert_vpp_error(&r, 400, 9724);
    let r = api
        .post(
            "/client/config",
            json!({ "notificationUrl": "https://mdm.acme.test/n" }),
        )
        .await;
    assert_vpp_error(&r, 400, 9710);
    let r = api
        .post(
            "/client/config",
            json!({ "notificationUrl": "http://mdm.acme.test/n", "notificationAuthToken": "s" }),
        )
        .await;
    assert_vpp_error(&r, 400, 9712);
    assert_eq!(api.ok("/client/config").await["mdmInfo"], mine);

    // Another MDM claims the location.
    let theirs = sim.vpp_claim_by_other_mdm(LOC, "OtherMDM").unwrap();
    assert_ne!(theirs.id, mine["id"].as_str().unwrap());
    let v = api.ok("/assets").await;
    assert_eq!(v["mdmInfo"]["name"], "OtherMDM");
    assert_eq!(v["mdmInfo"]["id"], theirs.id.as_str());
    assert!(v["mdmInfo"]["metadata"].is_string());
}

#[tokio::test]
async fn assets_show_counts_and_filter() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let v = api.ok("/assets").await;
    assert_eq!(v["assets"].as_array().unwrap().len(), 2);
    assert_eq!(v["currentPageIndex"], 0);
    assert_eq!(v["totalPages"], 1);
    assert_eq!(v["size"], 2);
    assert!(v.get("nextPageIndex").is_none());
    assert!(v["versionId"].is_string());
    assert_eq!(v["uId"], sim.vpp_location(LOC).unwrap().uid.as_str());
    let portal = &v["assets"][0];
    assert_eq!(
        portal,
        &json!({
            "adamId": COMPANY_PORTAL_ADAM_ID, "pricingParam": "STDQ", "productType": "App",
            "assignedCount": 0, "availableCount": 3, "retiredCount": 0, "totalCount": 3,
            "deviceAssignable": true, "revocable": true, "supportedPlatforms": ["iOS", "macOS"]
        })
    );
    let only = |q: &str| format!("/assets?{q}");
    let v = api.ok(&only("deviceAssignable=false")).await;
    assert_eq!(v["assets"][0]["adamId"], BOOKISH);
    assert_eq!(v["assets"].as_array().unwrap().len(), 1);
    let v = api.ok(&only("productType=Book")).await;
    assert!(v["assets"].as_array().unwrap().is_empty());
    let v = api.ok(&only("pricingParam=STDQ&minAvailableCount=5")).await;
    assert_eq!(v["assets"][0]["adamId"], BOOKISH);
    assert_eq!(api.asset(COMPANY_PORTAL_ADAM_ID).await["totalCount"], 3);
    assert_vpp_error(&api.get(&only("pricingParam=CHEAP")).await, 400, 9602);
    assert_vpp_error(&api.get(&only("deviceAssignable=maybe")).await, 400, 9602);

    // A location without assets gets the Company Portal, 100 licences.
    let plain = builder(0)
        .vpp_location(VppLocationSpec::new("Plain", "Acme Corp"))
        .start()
        .await
        .unwrap();
    let s = plain.vpp_location("Plain").unwrap();
    assert_eq!(s.assets.len(), 1);
    assert_eq!(s.assets[0].adam_id, COMPANY_PORTAL_ADAM_ID);
    assert_eq!(s.assets[0].total_count, 100);
    assert!(s.assets[0].device_assignable);
}

#[tokio::test]
async fn associate_is_pending_then_complete_and_moves_counts() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let before = api.ok("/assets").await["versionId"].clone();
    let r = api
        .post(
            "/assets/associate",
            json!({ "assets": [{ "adamId": COMPANY_PORTAL_ADAM_ID, "pricingParam": "STDQ" }],
                    "serialNumbers": ["C02AAA000001", "C02AAA000002"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let accepted = r.json();
    let event = accepted["eventId"].as_str().unwrap().to_string();
    assert_eq!(event.len(), 36);
    assert_eq!(accepted["uId"], sim.vpp_location(LOC).unwrap().uid.as_str());

    let s = api.status(&event).await;
    assert_eq!(s["eventStatus"], "PENDING");
    assert_eq!(s["eventType"], "ASSOCIATE");
    assert_eq!(s["numRequested"], 2);
    assert_eq!(api.asset(COMPANY_PORTAL_ADAM_ID).await["assignedCount"], 0);
    sim.advance_clock(Duration::from_millis(1_999));
    assert_eq!(api.status(&event).await["eventStatus"], "PENDING");

    sim.advance_clock(Duration::from_millis(1));
    let s = api.status(&event).await;
    assert_eq!(s["eventStatus"], "COMPLETE", "{s}");
    assert_eq!(s["numCompleted"], 2);
    assert!(s.get("failures").is_none());
    let a = api.asset(COMPANY_PORTAL_ADAM_ID).await;
    assert_eq!(
        (a["assignedCount"].clone(), a["availableCount"].clone()),
        (json!(2), json!(1))
    );
    let v = api.ok("/assignments").await;
    assert_ne!(v["versionId"], before);
    assert_eq!(v["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["assignments"][0],
        json!({ "adamId": COMPANY_PORTAL_ADAM_ID, "pricingParam": "STDQ", "serialNumber": "C02AAA000001" })
    );
    let v = api.ok("/assignments?serialNumber=C02AAA000002").await;
    assert_eq!(v["assignments"].as_array().unwrap().len(), 1);

    // Disassociate: one assigned serial, one never assigned (nothing to do).
    let r = api
        .post(
            "/assets/disassociate",
            json!({ "assets": [{ "adamId": COMPANY_PORTAL_ADAM_ID, "pricingParam": "STDQ" }],
                    "serialNumbers": ["C02AAA000001", "C02NEVER0001"] }),
        )
        .await;
    let event = r.json()["eventId"].as_str().unwrap().to_string();
    // Any request of the location completes a due event, not only /status.
    sim.advance_clock(Duration::from_secs(2));
    assert_eq!(api.asset(COMPANY_PORTAL_ADAM_ID).await["assignedCount"], 1);
    let s = api.status(&event).await;
    assert_eq!(
        (
            s["eventStatus"].clone(),
            s["eventType"].clone(),
            s["numCompleted"].clone()
        ),
        (json!("COMPLETE"), json!("DISASSOCIATE"), json!(2))
    );

    // Revoke removes every revocable assignment of the serial.
    let r = api
        .post(
            "/assets/revoke",
            json!({ "serialNumbers": ["C02AAA000002"] }),
        )
        .await;
    let event = r.json()["eventId"].as_str().unwrap().to_string();
    sim.advance_clock(Duration::from_secs(2));
    let s = api.status(&event).await;
    assert_eq!(
        (s["eventStatus"].clone(), s["eventType"].clone()),
        (json!("COMPLETE"), json!("REVOKE"))
    );
    assert_eq!(sim.vpp_location(LOC).unwrap().assignments, 0);
    assert_vpp_error(&api.get("/status?eventId=nope").await, 400, 9708);
    assert_vpp_error(&api.get("/status").await, 400, 9708);
}

#[tokio::test]
async fn running_out_of_licences_fails_part_of_the_event() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let list = serials(5);
    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
    let event = api.associate(COMPANY_PORTAL_ADAM_ID, &refs).await;
    sim.advance_clock(Duration::from_secs(3));
    let s = api.status(&event).await;
    assert_eq!(s["eventStatus"], "FAILED", "{s}");
    assert_eq!(s["numRequested"], 5);
    assert_eq!(s["numCompleted"], 3);
    let failures = s["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["errorNumber"], 9709);
    assert_eq!(
        failures[0]["errorInfo"]["serialNumbers"],
        json!([list[3], list[4]])
    );
    let a = api.asset(COMPANY_PORTAL_ADAM_ID).await;
    assert_eq!(
        (a["assignedCount"].clone(), a["availableCount"].clone()),
        (json!(3), json!(0))
    );

    // Licences taken away: available never goes below 0.
    let summary = sim
        .vpp_set_licences(LOC, COMPANY_PORTAL_ADAM_ID, 1)
        .unwrap();
    assert_eq!(
        (
            summary.total_count,
            summary.assigned_count,
            summary.available_count
        ),
        (1, 3, 0)
    );
    let a = api.asset(COMPANY_PORTAL_ADAM_ID).await;
    assert_eq!(
        (a["totalCount"].clone(), a["availableCount"].clone()),
        (json!(1), json!(0))
    );
    // More licences: the missing serials can be served.
    sim.vpp_set_licences(LOC, COMPANY_PORTAL_ADAM_ID, 10)
        .unwrap();
    let event = api.associate(COMPANY_PORTAL_ADAM_ID, &refs).await;
    sim.advance_clock(Duration::from_secs(2));
    let s = api.status(&event).await;
    assert_eq!(
        (s["eventStatus"].clone(), s["numCompleted"].clone()),
        (json!("COMPLETE"), json!(5))
    );
    assert_eq!(sim.vpp_location(LOC).unwrap().assets[0].available_count, 5);

    // A non-device-assignable asset refuses serials at once, users are fine.
    let r = api
        .post(
            "/assets/associate",
            json!({ "assets": [{ "adamId": BOOKISH, "pricingParam": "STDQ" }],
                    "serialNumbers": ["C02AAA000001"] }),
        )
        .await;
    assert_vpp_error(&r, 400, 9707);
    assert_eq!(r.json()["errorInfo"]["assets"][0]["adamId"], BOOKISH);
    let r = api
        .post(
            "/assets/associate",
            json!({ "assets": [{ "adamId": BOOKISH, "pricingParam": "STDQ" }],
                    "clientUserIds": ["user-42"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
}

#[tokio::test]
async fn limits_duplicates_and_missing_parts_are_refused() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let portal = json!({ "adamId": COMPANY_PORTAL_ADAM_ID, "pricingParam": "STDQ" });
    let book = json!({ "adamId": BOOKISH, "pricingParam": "STDQ" });
    let cases = [
        (json!({ "serialNumbers": ["A"] }), 9718),
        (json!({ "assets": [], "serialNumbers": ["A"] }), 9718),
        (json!({ "assets": [portal] }), 9719),
        (json!({ "assets": [portal], "serialNumbers": [] }), 9719),
        (
            json!({ "assets": [portal, portal], "serialNumbers": ["A"] }),
            9703,
        ),
        (
            json!({ "assets": [portal], "clientUserIds": ["u", "u"] }),
            9704,
        ),
        (
            json!({ "assets": [portal], "serialNumbers": ["A", "B", "A"] }),
            9705,
        ),
        (
            json!({ "assets": [{ "pricingParam": "STDQ" }], "serialNumbers": ["A"] }),
            9602,
        ),
        (
            json!({ "assets": [{ "adamId": "1", "pricingParam": "STDQ" }], "serialNumbers": ["A"] }),
            9602,
        ),
        (json!({ "assets": "x", "serialNumbers": ["A"] }), 9602),
        (json!({ "assets": [portal], "serialNumbers": [1] }), 9602),
    ];
    for (body, number) in cases {
        let r = api.post("/assets/associate", body.clone()).await;
        assert_vpp_error(&r, 400, number);
    }
    let r = api
        .send(
            "POST",
            "/assets/associate",
            api.bearer(),
            Some(("application/json", "{not json".to_string())),
        )
        .await;
    assert_vpp_error(&r, 400, 9602);
    assert_eq!(
        api.post(
            "/assets/associate",
            json!({ "assets": [portal, portal], "serialNumbers": ["A"] })
        )
        .await
        .json()["errorInfo"]["assets"],
        json!([portal])
    );

    sim.vpp_set_limits(VppLimits {
        max_assets: 1,
        max_serial_numbers: 2,
        max_client_user_ids: 1,
        max_revoke_serial_numbers: 1,
        ..VppLimits::default()
    });
    let too_many = [
        (
            "/assets/associate",
            json!({ "assets": [portal, book], "clientUserIds": ["u"] }),
            9700,
        ),
        (
            "/assets/associate",
            json!({ "assets": [portal], "clientUserIds": ["u", "v"] }),
            9701,
        ),
        (
            "/assets/associate",
            json!({ "assets": [portal], "serialNumbers": ["A", "B", "C"] }),
            9702,
        ),
        (
            "/assets/disassociate",
            json!({ "assets": [portal], "serialNumbers": ["A", "B", "C"] }),
            9702,
        ),
        (
            "/assets/revoke",
            json!({ "serialNumbers": ["A", "B"] }),
            9702,
        ),
    ];
    for (path, body, number) in too_many {
        assert_vpp_error(&api.post(path, body).await, 400, number);
    }
    let r = api
        .post(
            "/assets/associate",
            json!({ "assets": [portal], "serialNumbers": ["A", "B"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(sim.vpp_location(LOC).unwrap().pending_events, 1);
}

#[tokio::test]
async fn too_many_requests_answers_429_with_retry_after() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    sim.vpp_too_many_requests(2, 30);
    for _ in 0..2 {
        let r = api.get("/assets").await;
        assert_vpp_error(&r, 429, 9646);
        assert_eq!(r.header("retry-after").as_deref(), Some("30"));
    }
    api.ok("/assets").await;
    sim.vpp_server_errors(1, 5);
    let r = api.get("/client/config").await;
    assert_vpp_error(&r, 500, 9603);
    assert_eq!(r.header("retry-after").as_deref(), Some("5"));
    api.ok("/client/config").await;
}

#[tokio::test]
async fn wrong_method_and_content_type_are_refused() {
    let sim = vpp_sim().await;
    let api = Vpp::new(&sim);
    let body = json!({ "assets": [{ "adamId": COMPANY_PORTAL_ADAM_ID }], "serialNumbers": ["A"] })
        .to_string();
    for content_type in ["", "text/plain", "application/x-www-form-urlencoded"] {
        let r = api
            .send(
                "POST",
                "/assets/associate",
                api.bearer(),
                Some((content_type, body.clone())),
            )
            .await;
        assert_vpp_error(&r, 415, 9727);
    }
    let r = api
        .send(
            "POST",
            "/assets/associate",
            api.bearer(),
            Some(("application/json; charset=utf-8", body.clone())),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    for (method, path) in [
        ("DELETE", "/assets"),
        ("GET", "/assets/associate"),
        ("PUT", "/client/config"),
        ("POST", "/service/config"),
    ] {
        let r = api.send(method, path, api.bearer(), None).await;
        assert_vpp_error(&r, 405, 9726);
    }
    assert_eq!(api.get("/nothing-here").await.status, 404);
}

#[tokio::test]
async fn assignments_page_and_deliver_deltas_since_a_version() {
    let sim = vpp_builder(2).start().await.unwrap();
    sim.vpp_set_licences(LOC, COMPANY_PORTAL_ADAM_ID, 50)
        .unwrap();
    let api = Vpp::new(&sim);
    let list = serials(5);
    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
    api.associate(COMPANY_PORTAL_ADAM_ID, &refs).await;
    sim.advance_clock(Duration::from_secs(2));

    let first = api.ok("/assignments").await;
    assert_eq!(
        (
            first["currentPageIndex"].clone(),
            first["nextPageIndex"].clone(),
            first["totalPages"].clone(),
            first["size"].clone()
        ),
        (json!(0), json!(1), json!(3), json!(2))
    );
    let mut seen = Vec::new();
    let mut page = first.clone();
    loop {
        for a in page["assignments"].as_array().unwrap() {
            seen.push(a["serialNumber"].as_str().unwrap().to_string());
        }
        let Some(next) = page["nextPageIndex"].as_u64() else {
            break;
        };
        page = api.ok(&format!("/assignments?pageIndex={next}")).await;
        assert_eq!(page["currentPageIndex"], next);
    }
    assert_eq!(seen, list);
    assert_eq!(page["size"], 1, "last page");
    assert_vpp_error(&api.get("/assignments?pageIndex=3").await, 400, 9650);
    assert_vpp_error(&api.get("/assignments?pageIndex=-1").await, 400, 9650);
    assert_vpp_error(&api.get("/assets?pageIndex=1").await, 400, 9650);
    assert_eq!(api.ok("/assets?pageIndex=0").await["totalPages"], 1);

    // Deltas: only what changed after the version given; none is fine.
    let version = first["versionId"].as_str().unwrap().to_string();
    let v = api
        .ok(&format!("/assignments?sinceVersionId={version}"))
        .await;
    assert!(v["assignments"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["versionId"], version.as_str());
    api.associate(COMPANY_PORTAL_ADAM_ID, &["C02LATE00001"])
        .await;
    sim.advance_clock(Duration::from_secs(2));
    let v = api
        .ok(&format!("/assignments?sinceVersionId={version}"))
        .await;
    assert_eq!(v["assignments"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["assignments"][0]["serialNumber"], "C02LATE00001");
    assert_ne!(v["versionId"], version.as_str());
    assert_vpp_error(
        &api.get("/assignments?sinceVersionId=not-a-version").await,
        400,
        9721,
    );
}

#[tokio::test]
async fn the_portal_hands_out_vpptoken_files() {
    let sim = vpp_sim().await;
    let r = http()
        .get(sim.portal_vpp_token_url(LOC))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(
        r.headers()["content-disposition"].to_str().unwrap(),
        format!("attachment; filename=\"{LOC}.vpptoken\"")
    );
    let file = r.text().await.unwrap();
    let api = Vpp {
        token: Some(file),
        ..Vpp::new(&sim)
    };
    assert_eq!(api.ok("/client/config").await["locationName"], LOC);
    let r = http()
        .get(format!(
            "{}/portal/vpp-token?location=Nowhere",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Requests to /mdm/v2 land in the request log, attributed to the location.
    let log = sim.request_log();
    let entry = log
        .iter()
        .find(|e| e.path == "/mdm/v2/client/config")
        .unwrap();
    assert_eq!(entry.server.as_deref(), Some(LOC));
    assert_eq!(entry.status, 200);
    assert!(log.iter().any(|e| e.path == "/portal/vpp-token"));
}

/// One control call with the run's token.
async fn control(sim: &RunningSim, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http()
        .request(method, format!("{}/control/vpp{path}", sim.base_url()))
        .bearer_auth(sim.control_token());
    if let Some(b) = body {
        rb = rb.body(b.to_string());
    }
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_control_api_drives_every_vpp_switch() {
    let sim = vpp_sim().await;
    let loc = "/locations/HQ%20Apps";
    let (status, v) = control(&sim, "POST", &format!("{loc}/token"), None).await;
    assert_eq!(status, 200, "{v}");
    let api = Vpp {
        token: Some(v["vpptoken"].as_str().unwrap().to_string()),
        ..Vpp::new(&sim)
    };
    api.ok("/client/config").await;

    let (status, v) = control(&sim, "GET", "/locations", None).await;
    assert_eq!(status, 200);
    assert_eq!(v[0]["name"], LOC);
    assert_eq!(v[0]["assets"][0]["adam_id"], COMPANY_PORTAL_ADAM_ID);
    let (_, v) = control(&sim, "GET", loc, None).await;
    assert_eq!(v["tokens_issued"], 2);

    let (status, v) = control(
        &sim,
        "PUT",
        &format!("{loc}/assets/{COMPANY_PORTAL_ADAM_ID}/licences"),
        Some(json!({ "total": 7 })),
    )
    .await;
    assert_eq!((status, v["total_count"].clone()), (200, json!(7)));
    assert_eq!(api.asset(COMPANY_PORTAL_ADAM_ID).await["availableCount"], 7);

    let (status, v) = control(
        &sim,
        "POST",
        &format!("{loc}/claim"),
        Some(json!({ "mdm_name": "Rival" })),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(api.ok("/assets").await["mdmInfo"]["name"], "Rival");

    let (status, _) = control(
        &sim,
        "POST",
        "/too-many-requests",
        Some(json!({ "count": 1, "retry_after_seconds": 9 })),
    )
    .await;
    assert_eq!(status, 200);
    let r = api.get("/assets").await;
    assert_vpp_error(&r, 429, 9646);
    assert_eq!(r.header("retry-after").as_deref(), Some("9"));

    let (status, v) = control(
        &sim,
        "PUT",
        "/limits",
        Some(json!({ "maxSerialNumbers": 1 })),
    )
    .await;
    assert_eq!(
        (
            status,
            v["maxSerialNumbers"].clone(),
            v["maxAssets"].clone()
        ),
        (200, json!(1), json!(25))
    );
    let (_, v) = control(&sim, "GET", "/limits", None).await;
    assert_eq!(v["maxSerialNumbers"], 1);

    let (status, _) = control(
        &sim,
        "PUT",
        "/auth-errors-with-200",
        Some(json!({ "enabled": true })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = control(&sim, "POST", &format!("{loc}/expire"), None).await;
    assert_eq!(status, 200);
    assert_vpp_error(&api.get("/assets").await, 200, 9621);
    let (status, _) = control(&sim, "POST", &format!("{loc}/revoke"), None).await;
    assert_eq!(status, 200);
    assert_vpp_error(&api.get("/assets").await, 200, 9625);

    let (status, _) = control(&sim, "POST", "/locations/Nowhere/token", None).await;
    assert_eq!(status, 404);
    let (status, _) = control(&sim, "GET", "/locations/Nowhere", None).await;
    assert_eq!(status, 404);
    let (status, _) = control(&sim, "PUT", "/limits", Some(json!({ "maxBananas": 1 }))).await;
    assert_eq!(status, 400);
    // Without the control token: refused.
    let r = http()
        .post(format!("{}/control/vpp{loc}/expire", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
