//! The uploader against a server that is down, slow or wrong: through a fault-injecting TCP proxy
//! (down, reset mid-request, no answer) and HTTP faults from the real server (500, malformed JSON,
//! an answer lost after the server committed). Every failure keeps the backlog; after recovery it
//! drains, and the server holds each transaction exactly once.

mod support;

use citizen_window::journal::{NewTransaction, ReceiptPlan};
use citizen_window::sync::SyncError;
use citizen_window::sync::uploader::{OutboxUploader, with_journal};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::fault_proxy::{FaultProxy, NetworkFault};
use support::http_faults::{FaultPlan, HttpFault};
use support::{TestFleet, TestKiosk};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

async fn record(kiosk: &TestKiosk, n: usize) {
    with_journal(&kiosk.journal, move |j| {
        for i in 0..n {
            let payload = json!({"ticket": i});
            let tx = NewTransaction {
                kind: "queue_ticket",
                payload: &payload,
                resident: None,
                receipt: ReceiptPlan::NotNeeded,
            };
            j.record(&tx, 1_764_000_000_000 + i as i64)?;
        }
        Ok(())
    })
    .await
    .unwrap();
}

async fn backlog(kiosk: &TestKiosk) -> u64 {
    with_journal(&kiosk.journal, |j| j.sync_status()).await.unwrap().pending
}

#[tokio::test(flavor = "multi_thread")]
async fn every_fault_keeps_the_backlog_and_recovery_drains_it_exactly_once() {
    let plan = Arc::new(FaultPlan::default());
    let fleet = TestFleet::start_with(None, FaultPlan::layer(plan.clone())).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let proxy = FaultProxy::start(fleet.server.addr).await;
    let client = kiosk.client.clone().with_base(&proxy.url()).with_upload_timeout(Duration::from_millis(800));
    let uploader = OutboxUploader::new(kiosk.journal.clone(), client).with_batch_size(100);
    record(&kiosk, 300).await;

    proxy.set(NetworkFault::Down);
    let err = uploader.sync_once().await.unwrap_err();
    assert!(err.is_retryable() && matches!(err, SyncError::Unreachable(_)), "{err:?}");
    assert!(err.to_string().contains("transactions wait in the journal"), "{err}");

    proxy.set(NetworkFault::ResetAfter(2500));
    let err = uploader.sync_once().await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");

    proxy.set(NetworkFault::BlackHole);
    let err = uploader.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Timeout), "{err:?}");
    assert_eq!(backlog(&kiosk).await, 300, "nothing is taken as sent without an acknowledgement");

    proxy.set(NetworkFault::Pass);
    plan.push(HttpFault::Error500);
    let err = uploader.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Server { status: 500, .. }) && err.is_retryable(), "{err:?}");

    // The server stores the first batch, then its answer is garbage or lost.
    plan.push(HttpFault::MalformedAfterCommit);
    let err = uploader.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Malformed(_)), "{err:?}");
    plan.push(HttpFault::LostAfterCommit);
    let err = uploader.sync_once().await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(backlog(&kiosk).await, 300);

    // Recovery: the same ids go again; what the server already had counts as duplicates.
    let report = uploader.sync_once().await.unwrap();
    assert_eq!(report.acknowledged_through, 300);
    assert!(report.duplicates >= 100, "the batch stored before its answer was lost is not stored twice: {report:?}");
    assert_eq!(backlog(&kiosk).await, 0);
    let stored = fleet.storage().await.export(None).await.unwrap();
    assert_eq!(stored.len(), 300);
    assert_eq!(stored.iter().map(|t| t.record.seq).collect::<Vec<_>>(), (1..=300).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_uploader_loop_rides_out_random_faults_and_stops_on_shutdown() {
    let plan = Arc::new(FaultPlan::default());
    let fleet = TestFleet::start_with(None, FaultPlan::layer(plan.clone())).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let proxy = Arc::new(FaultProxy::start(fleet.server.addr).await);
    let client = kiosk.client.clone().with_base(&proxy.url()).with_upload_timeout(Duration::from_millis(500));
    let uploader = OutboxUploader::new(kiosk.journal.clone(), client).with_batch_size(40);
    let wake = Arc::new(Notify::new());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(uploader.run(wake.clone(), shutdown.clone(), Duration::from_millis(50)));

    let mut rng = fastrand::Rng::with_seed(7);
    for round in 0..30 {
        record(&kiosk, 10).await;
        wake.notify_one();
        let fault = match rng.u8(0..6) {
            0 => NetworkFault::Down,
            1 => NetworkFault::ResetAfter(rng.usize(100..4000)),
            2 => NetworkFault::BlackHole,
            _ => NetworkFault::Pass,
        };
        proxy.set(fault);
        if round % 4 == 0 {
            plan.push(
                [HttpFault::Error500, HttpFault::MalformedAfterCommit, HttpFault::LostAfterCommit][rng.usize(0..3)],
            );
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(10..120))).await;
    }
    // The network heals: the backlog drains by itself.
    proxy.set(NetworkFault::Pass);
    wake.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while backlog(&kiosk).await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the backlog did not drain after recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Residents keep using the kiosk; each new transaction wakes the uploader.
        wake.notify_one();
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), running).await.expect("the uploader stops on shutdown").unwrap();
    let stored = fleet.storage().await.export(None).await.unwrap();
    assert_eq!(stored.len(), 300);
    let ids: std::collections::HashSet<_> = stored.iter().map(|t| t.record.id).collect();
    assert_eq!(ids.len(), 300);
}
