//! The Apps and Books client against `depot-sim` over loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use depot_domain::{FixedClock, SecretString, UnixSeconds};
use depot_sim::{RunningSim, Simulator, VppLocationSpec};

use super::*;
use crate::base_url::AppleHosts;
use crate::client::{Pause, RetryPolicy};

const NOW: i64 = 1_790_000_000;

#[derive(Default)]
struct Recorded(Mutex<Vec<Duration>>);

impl Pause for Recorded {
    fn pause(
        &self,
        wait: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.0.lock().unwrap().push(wait);
        Box::pin(std::future::ready(()))
    }
}

async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(3)
        .vpp_location(VppLocationSpec::new("HQ Apps", "Acme Corp"))
        .vpp_location(VppLocationSpec::new("Lab", "Acme Corp").with_asset(
            COMPANY_PORTAL_ADAM_ID,
            5,
            false,
        ))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap()
}

fn connect(sim: &RunningSim, token: &str) -> (VppClient, Arc<Recorded>) {
    let url = AppsUrl::parse(&sim.vpp_base_url(), AppleHosts::AllowTestHosts).unwrap();
    let waits = Arc::new(Recorded::default());
    let client = VppClient::new(
        &url,
        SecretString::new(token.to_owned()),
        Arc::new(FixedClock::at(NOW)),
    )
    .with_pause(waits.clone());
    (client, waits)
}

fn depot_mdm() -> MdmInfo {
    MdmInfo {
        id: "depot-workspace-1".into(),
        name: "Depot".into(),
        metadata: "depot.example.org".into(),
    }
}

#[tokio::test]
async fn a_token_names_its_location_is_claimed_and_counts_licences() {
    let sim = sim().await;
    let file = sim.issue_vpp_token("HQ Apps").unwrap();
    let token = VppTokenFile::parse(file.as_bytes(), UnixSeconds::new(NOW)).unwrap();
    assert_eq!(token.org_name, "Acme Corp");
    let (client, _) = connect(&sim, token.secret.expose());

    let config = client.client_config().await.unwrap();
    assert_eq!(config.location_name, "HQ Apps");
    assert!(!config.uid.is_empty());
    assert_eq!(config.mdm_info, None);
    assert_eq!(config.token_expires_at, Some(token.expires_at));

    let claimed = client.claim(&depot_mdm()).await.unwrap();
    assert_eq!(claimed.mdm_info, Some(depot_mdm()));
    assert_eq!(
        client.client_config().await.unwrap().mdm_info,
        Some(depot_mdm())
    );

    let counts = client.asset_counts(COMPANY_PORTAL_ADAM_ID).await.unwrap();
    assert_eq!(counts.len(), 1);
    let portal = &counts[0];
    assert_eq!(
        (
            portal.total,
            portal.assigned,
            portal.available,
            portal.device_assignable
        ),
        (100, 0, 100, true)
    );
    sim.vpp_set_licences("HQ Apps", COMPANY_PORTAL_ADAM_ID, 30)
        .unwrap();
    let counts = client.asset_counts(COMPANY_PORTAL_ADAM_ID).await.unwrap();
    assert_eq!((counts[0].total, counts[0].available), (30, 30));
    // An app the location has no licences for.
    assert!(client.asset_counts("1").await.unwrap().is_empty());
    assert!(matches!(
        client.asset_counts("1 OR 1").await,
        Err(VppError::Answer(_))
    ));

    // Another MDM takes the location over: Depot sees it in the next answer.
    sim.vpp_claim_by_other_mdm("HQ Apps", "Other MDM").unwrap();
    let taken = client.client_config().await.unwrap();
    assert_eq!(taken.mdm_info.map(|m| m.name), Some("Other MDM".to_owned()));
    sim.shutdown().await;
}

#[tokio::test]
async fn rejected_tokens_are_told_apart_even_with_http_200() {
    let sim = sim().await;
    let file = sim.issue_vpp_token("Lab").unwrap();
    let (client, _) = connect(&sim, &file);
    sim.vpp_expire("Lab").unwrap();
    let err = client.client_config().await.unwrap_err();
    assert_eq!(err.number(), Some(9621));
    assert!(err.rejects_token() && !err.is_transient());
    assert!(err.to_string().contains("download a new one"), "{err}");

    let file = sim.issue_vpp_token("HQ Apps").unwrap();
    let (client, _) = connect(&sim, &file);
    sim.vpp_revoke("HQ Apps").unwrap();
    assert_eq!(
        client.client_config().await.unwrap_err().number(),
        Some(9625)
    );

    // Apple has been seen to send an invalid token's error with HTTP 200.
    sim.vpp_auth_errors_with_200(true);
    let (stranger, _) = connect(&sim, "c29tZXRoaW5nIGVsc2U=");
    let err = stranger.client_config().await.unwrap_err();
    assert_eq!(err.number(), Some(9622), "{err:?}");
    assert!(err.rejects_token());
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_requests_are_tried_again_after_the_wait_apple_asks() {
    let sim = sim().await;
    let file = sim.issue_vpp_token("HQ Apps").unwrap();
    let (client, waits) = connect(&sim, &file);
    sim.vpp_too_many_requests(2, 7);
    let config = client.client_config().await.unwrap();
    assert_eq!(config.location_name, "HQ Apps");
    assert_eq!(*waits.0.lock().unwrap(), [Duration::from_secs(7); 2]);

    // Still busy after every try: said so, with Apple's wait.
    let (client, _) = connect(&sim, &file);
    let client = client.with_retry_policy(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        max_wait: Duration::from_secs(60),
    });
    sim.vpp_too_many_requests(5, 3);
    let err = client.client_config().await.unwrap_err();
    assert_eq!(
        err,
        VppError::Busy {
            retry_after: Some(3)
        }
    );
    assert!(err.is_transient());
    // A wait longer than the policy's is not waited out.
    sim.vpp_too_many_requests(1, 3_600);
    let err = client.client_config().await.unwrap_err();
    assert_eq!(
        err,
        VppError::Busy {
            retry_after: Some(3_600)
        }
    );
    sim.shutdown().await;
}
