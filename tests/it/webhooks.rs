//! Alerts delivered to webhooks (issue 16, ALR-4): news only (raised, worse,
//! better, cleared), retried with backoff, each delivery audited; the three
//! formats; the URL kept secret; and a real `depot serve` delivering to a
//! receiver on loopback.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use depot_core::webhooks::{AddWebhook, WebhookFormat};
use depot_domain::SecretString;
use depot_domain::alerts::Severity;
use depot_domain::profile::ProfileSpec;
use depot_server::webhooks::{PassReport, Rests, WebhookPolicy, client, deliver_once};
use serde_json::Value;

use crate::support::{CliHome, stderr, stdout};

/// A webhook receiver on loopback: answers with the scripted statuses, then
/// 200, and keeps every body it got.
#[derive(Clone, Default)]
struct Receiver {
    statuses: Arc<Mutex<VecDeque<u16>>>,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> (Self, String) {
        let receiver = Self {
            statuses: Arc::new(Mutex::new(statuses.iter().copied().collect())),
            ..Self::default()
        };
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }

    fn always(&self, status: u16) {
        *self.statuses.lock().unwrap() = std::iter::repeat_n(status, 1_000).collect();
    }
}

async fn receive(State(r): State<Receiver>, body: axum::body::Bytes) -> StatusCode {
    r.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
    let status = r.statuses.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

fn fast() -> WebhookPolicy {
    WebhookPolicy {
        interval: Duration::from_secs(3_600),
        attempts: 3,
        first_wait: Duration::from_millis(10),
        max_rest: Duration::from_secs(3_600),
        timeout: Duration::from_secs(10),
    }
}

fn audit_actions(depot: &depot_core::Depot) -> Vec<(String, String)> {
    depot
        .audit_page(&depot_core::AuditFilter::default(), None, 50)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| (e.action, e.after.unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_hear_news_once_with_retries_and_every_delivery_audited() {
    let s = crate::profiles::setup(4).await;
    s.sync().await;
    let (json_hook, json_url) = Receiver::start(&[500]).await;
    let (slack_hook, slack_url) = Receiver::start(&[]).await;
    let (teams_hook, teams_url) = Receiver::start(&[]).await;
    for (name, url, format) in [
        ("ops", &json_url, WebhookFormat::Json),
        ("slack", &slack_url, WebhookFormat::Slack),
        ("teams", &teams_url, WebhookFormat::Teams),
    ] {
        s.depot
            .add_webhook(&AddWebhook {
                name,
                url: &SecretString::new(url.clone()),
                format,
                min_severity: Severity::Warning,
            })
            .unwrap();
    }
    // The URL is a secret: shown as scheme and host only.
    let listed = s.depot.webhooks().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.iter().all(|w| !w.url_hint.contains("/hook")),
        "{listed:?}"
    );
    assert!(
        !audit_actions(&s.depot)
            .iter()
            .any(|(_, after)| after.contains("/hook")),
        "the audit log never holds the URL"
    );

    let depot = Arc::clone(&s.depot);
    let http = client(&fast());
    let mut rests = Rests::default();
    let report = deliver_once(&depot, &http, &fast(), &mut rests)
        .await
        .unwrap();
    assert_eq!(
        report,
        PassReport {
            delivered: 3,
            failed: 0,
            resting: 0
        }
    );
    // The generic hook answered 500 first: tried again, delivered.
    let bodies = json_hook.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[1]["event"], "raised");
    assert_eq!(bodies[1]["source"], "depot");
    assert_eq!(bodies[1]["alert"]["kind"], "noDefaultProfile");
    assert_eq!(bodies[1]["alert"]["severity"], "warning");
    assert_eq!(
        bodies[1]["alert"]["subject"]["name"],
        crate::profiles::SERVER
    );
    let slack = &slack_hook.bodies()[0];
    assert!(
        slack["text"]
            .as_str()
            .unwrap()
            .starts_with("Depot: Warning: "),
        "{slack}"
    );
    assert_eq!(slack["blocks"][0]["type"], "section");
    let teams = &teams_hook.bodies()[0];
    assert_eq!(
        teams["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
    let delivered: Vec<_> = audit_actions(&s.depot)
        .into_iter()
        .filter(|(a, _)| a == "webhook.delivered")
        .collect();
    assert_eq!(delivered.len(), 3);
    assert!(
        delivered
            .iter()
            .any(|(_, after)| after.contains("\"attempts\":2")),
        "{delivered:?}"
    );

    // Nothing new: nothing sent.
    let report = deliver_once(&depot, &http, &fast(), &mut rests)
        .await
        .unwrap();
    assert_eq!(report, PassReport::default());
    assert_eq!(json_hook.bodies().len(), 2);

    // The cause goes away: each hears it cleared, once.
    let profile = s.create(&ProfileSpec::new("Staff iPads")).await;
    s.depot.set_default_profile(profile).unwrap();
    let report = deliver_once(&depot, &http, &fast(), &mut rests)
        .await
        .unwrap();
    assert_eq!(report.delivered, 3, "{report:?}");
    assert_eq!(json_hook.bodies()[2]["event"], "cleared");
    assert!(
        slack_hook.bodies()[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("Depot: Cleared: ")
    );
    let report = deliver_once(&depot, &http, &fast(), &mut rests)
        .await
        .unwrap();
    assert_eq!(report, PassReport::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_rests_and_gets_the_news_when_it_answers_again() {
    let s = crate::profiles::setup(3).await;
    s.sync().await;
    let (hook, url) = Receiver::start(&[]).await;
    hook.always(503);
    s.depot
        .add_webhook(&AddWebhook {
            name: "ops",
            url: &SecretString::new(url),
            format: WebhookFormat::Json,
            min_severity: Severity::Info,
        })
        .unwrap();
    let depot = Arc::clone(&s.depot);
    let policy = WebhookPolicy {
        interval: Duration::from_millis(200),
        ..fast()
    };
    let http = client(&policy);
    let mut rests = Rests::default();
    let report = deliver_once(&depot, &http, &policy, &mut rests)
        .await
        .unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    assert_eq!(hook.bodies().len(), 3, "three tries within the pass");
    let failed: Vec<_> = audit_actions(&s.depot)
        .into_iter()
        .filter(|(a, _)| a == "webhook.failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].1.contains("HTTP 503"), "{failed:?}");

    // Resting: the next pass leaves it alone.
    let report = deliver_once(&depot, &http, &policy, &mut rests)
        .await
        .unwrap();
    assert_eq!((report.delivered, report.resting), (0, 1));
    assert_eq!(hook.bodies().len(), 3);

    // Back up after its rest: the news arrives.
    hook.always(200);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let report = deliver_once(&depot, &http, &policy, &mut rests)
        .await
        .unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(hook.bodies().last().unwrap()["event"], "raised");

    // A refused message (410 Gone) is not hammered.
    hook.always(410);
    let (outcome, tries) = depot_server::webhooks::send(
        &http,
        &s.depot.webhook_test_delivery("ops").unwrap(),
        &policy,
    )
    .await;
    assert_eq!((outcome.unwrap_err().contains("410"), tries), (true, 1));
}

#[tokio::test]
async fn a_webhook_url_must_be_https_or_this_machine_and_names_are_unique() {
    let s = crate::profiles::setup(1).await;
    let add = |name: &str, url: &str| {
        s.depot.add_webhook(&AddWebhook {
            name,
            url: &SecretString::new(url.to_owned()),
            format: WebhookFormat::Slack,
            min_severity: Severity::Warning,
        })
    };
    for bad in [
        "http://hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "https://user:pw@hooks.example.com/x",
        "not a url",
        "https://",
    ] {
        let err = add("x", bad).unwrap_err();
        assert!(err.to_string().contains("URL"), "{bad}: {err}");
    }
    assert!(add("", "https://hooks.example.com/x").is_err());
    assert!(s.depot.webhooks().unwrap().is_empty(), "nothing was stored");
    let hook = add("Ops", "https://hooks.slack.example/services/T0/B0/secret").unwrap();
    assert_eq!(hook.url_hint, "https://hooks.slack.example/…");
    assert!(
        add("ops", "https://hooks.example.com/y").is_err(),
        "any case"
    );
    add("local relay", "http://127.0.0.1:9/relay").unwrap();
    s.depot.remove_webhook("ops").unwrap();
    assert_eq!(s.depot.webhooks().unwrap().len(), 1);
    let actions: Vec<String> = audit_actions(&s.depot).into_iter().map(|a| a.0).collect();
    assert!(actions.contains(&"webhook.removed".to_owned()));
}

/// `depot webhooks add` and `depot serve --alerts-every 1`: the running
/// server delivers an alert to a receiver on loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depot_serve_delivers_alerts_to_a_webhook() {
    use depot_sim::{Fleet, ServerSpec, Simulator};
    let sim = Simulator::builder()
        .seed(19)
        .fleet(Fleet::Mobile)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 3))
        .start()
        .await
        .unwrap();
    let home = CliHome::new();
    let ws = home.ws();
    let run = |args: &[&str], input: Option<&str>| home.run_with_stdin(args, input.unwrap_or(""));
    home.add_simulator_token(&sim, "Sales-East");

    let (hook, url) = Receiver::start(&[]).await;
    // No URL: refused, nothing stored.
    let out = run(&["webhooks", "add", "ops", "--url-stdin"], Some(""));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no URL"), "{}", stderr(&out));
    let out = run(
        &["webhooks", "add", "ops", "--format", "json", "--url-stdin"],
        Some(&format!("{url}\n")),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("/hook"), "the URL is never printed");
    let out = run(&["webhooks", "test", "ops"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hook.bodies()[0]["event"], "test");

    let env = home.env();
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let mut server = crate::server::start_with_env(&home.home, &ws, &["--alerts-every", "1"], &env);
    let mut waited = Duration::ZERO;
    while hook.bodies().len() < 2 && waited < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[1]["event"], "raised");
    assert_eq!(bodies[1]["alert"]["kind"], "noDefaultProfile");
    let _ = server.child.kill();
    let _ = server.child.wait();
    let out = run(&["--json", "audit", "list"], None);
    assert!(
        stdout(&out).contains("webhook.delivered"),
        "{}",
        stdout(&out)
    );
    sim.shutdown().await;
}

/// The commands behind Settings → Webhooks: add (the URL goes in once and
/// comes back only as its host), list, send a test (its outcome answered and
/// audited), remove.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_managed_and_tested_through_the_api() {
    use serde_json::json;
    let s = crate::profiles::setup(1).await;
    let (hook, url) = Receiver::start(&[]).await;
    let call = |name: &'static str, payload: Value| {
        let depot = Arc::clone(&s.depot);
        async move { depot_api::dispatch(depot, name, payload).await }
    };
    let added = call(
        "webhooks.add",
        json!({"name": "Service desk", "url": url, "format": "teams", "minSeverity": "critical"}),
    )
    .await
    .unwrap();
    assert_eq!(added["name"], "Service desk");
    assert_eq!(added["format"], "teams");
    assert_eq!(added["minSeverity"], "critical");
    assert!(
        !added.to_string().contains("/hook"),
        "the URL stays secret: {added}"
    );
    let id = added["id"].as_str().unwrap().to_owned();
    let list = call("webhooks.list", json!({})).await.unwrap();
    assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains("/hook"));

    let tested = call("webhooks.test", json!({ "id": id })).await.unwrap();
    assert_eq!(
        tested,
        json!({"delivered": true, "status": 200, "error": null})
    );
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0]["type"], "message",
        "a Teams message: {}",
        bodies[0]
    );

    // A webhook that refuses: answered, not hammered, and audited.
    hook.always(410);
    let tested = call("webhooks.test", json!({ "id": id })).await.unwrap();
    assert_eq!(tested["delivered"], false);
    assert!(
        tested["error"].as_str().unwrap().contains("HTTP 410"),
        "{tested}"
    );
    assert_eq!(hook.bodies().len(), 2);

    // Bad input changes nothing.
    let err = call(
        "webhooks.add",
        json!({"name": "plain", "url": "http://hooks.example.com/x", "format": "json", "minSeverity": "warning"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, depot_api::ErrorCode::InvalidInput, "{err:?}");
    let err = call("webhooks.test", json!({"id": "nobody"}))
        .await
        .unwrap_err();
    assert_eq!(err.code, depot_api::ErrorCode::NotFound);

    call("webhooks.remove", json!({ "id": id })).await.unwrap();
    let list = call("webhooks.list", json!({})).await.unwrap();
    assert!(list["webhooks"].as_array().unwrap().is_empty());
    let actions: Vec<String> = audit_actions(&s.depot)
        .into_iter()
        .map(|(a, _)| a)
        .filter(|a| a.starts_with("webhook."))
        .collect();
    assert_eq!(
        actions,
        [
            "webhook.removed",
            "webhook.failed",
            "webhook.delivered",
            "webhook.added"
        ],
        "newest first"
    );
}

/// A webhook whose deliveries keep failing is itself something that needs
/// attention: after an hour it is an alert (for the other webhooks, the
/// dashboard and `depot alerts`), and the list shows when it last took a
/// message and why it fails. A good delivery clears both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_failing_for_an_hour_is_an_alert_until_it_takes_a_message() {
    use depot_core::alerts::WEBHOOK_FAILING_SECS;
    use depot_domain::UnixSeconds;
    use depot_domain::alerts::AlertKind;

    let s = crate::profiles::setup(1).await;
    let (hook, url) = Receiver::start(&[]).await;
    s.depot
        .add_webhook(&AddWebhook {
            name: "ops",
            url: &SecretString::new(url),
            format: WebhookFormat::Json,
            min_severity: Severity::Warning,
        })
        .unwrap();
    let failing = || {
        s.depot
            .alerts()
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == AlertKind::WebhookFailing)
            .collect::<Vec<_>>()
    };
    let policy = fast();
    let http = client(&policy);
    let send_test = || async {
        let delivery = s.depot.webhook_test_delivery("ops").unwrap();
        let (outcome, tries) = depot_server::webhooks::send(&http, &delivery, &policy).await;
        s.depot
            .record_webhook_delivery(&delivery, outcome, tries)
            .unwrap();
    };

    // Taken: the time is kept.
    send_test().await;
    let ops = s.depot.webhook("ops").unwrap();
    assert_eq!(
        ops.last_delivered_at,
        Some(UnixSeconds::new(crate::profiles::NOW))
    );
    assert_eq!((ops.failing_since, ops.last_error), (None, None));

    // Gone at the other end: failing since the first refusal, with why.
    hook.always(410);
    s.clock.set(crate::profiles::NOW + 60);
    send_test().await;
    s.clock.set(crate::profiles::NOW + 120);
    send_test().await;
    let ops = s.depot.webhook("ops").unwrap();
    assert_eq!(
        ops.failing_since,
        Some(UnixSeconds::new(crate::profiles::NOW + 60))
    );
    assert!(ops.last_error.as_deref().unwrap().contains("HTTP 410"));
    assert_eq!(
        ops.last_delivered_at,
        Some(UnixSeconds::new(crate::profiles::NOW))
    );
    assert!(failing().is_empty(), "not within the first hour");

    s.clock
        .set(crate::profiles::NOW + 60 + WEBHOOK_FAILING_SECS + 1);
    let alerts = failing();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].severity, Severity::Warning);
    assert!(alerts[0].message.contains("'ops'") && alerts[0].message.contains("HTTP 410"));
    assert!(alerts[0].action.contains("Settings → Webhooks"));

    // Back: the next message clears the failure and the alert.
    hook.always(200);
    send_test().await;
    let ops = s.depot.webhook("ops").unwrap();
    assert_eq!((ops.failing_since, ops.last_error), (None, None));
    assert!(failing().is_empty());
}
