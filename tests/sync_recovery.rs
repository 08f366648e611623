//! Sync after the identity or the server changed under the kiosk: a kiosk enrolled again delivers
//! its backlog once under its new identity, and a server restored from an older backup gets again
//! what it lost, through the real server over mutual TLS.

mod support;

use citizen_central::server::ServeOptions;
use citizen_window::journal::{NewTransaction, ReceiptPlan};
use citizen_window::sync::server_client::ServerClient;
use citizen_window::sync::uploader::{OutboxUploader, with_journal};
use serde_json::json;
use support::{TestFleet, TestKiosk};

async fn record(kiosk: &TestKiosk, n: u64) -> u64 {
    with_journal(&kiosk.journal, move |j| {
        let payload = json!({ "window": "social_insurance", "n": n });
        let new =
            NewTransaction { kind: "queue_ticket", payload: &payload, resident: None, receipt: ReceiptPlan::NotNeeded };
        j.record(&new, 1_764_000_000_000 + n as i64).map(|c| c.seq)
    })
    .await
    .unwrap()
}

/// Sequence numbers the server holds for `kiosk_id`, in order.
async fn held(fleet: &TestFleet, database: &str, kiosk_id: &str) -> Vec<u64> {
    let storage = citizen_central::storage::Storage::open(database, fleet.path()).await.unwrap();
    storage.export(Some(kiosk_id)).await.unwrap().iter().map(|t| t.record.seq).collect()
}

/// The fleet's server as restored from the backup `restored.sqlite` in its folder, and a client of
/// `kiosk`'s that talks to it.
async fn restored_server(
    fleet: &TestFleet,
    kiosk: &TestKiosk,
) -> (citizen_central::server::RunningServer, ServerClient) {
    let options = ServeOptions { database: Some("restored.sqlite".into()), ..ServeOptions::default() };
    let restored =
        citizen_central::server::start(fleet.path(), "127.0.0.1:0".parse().unwrap(), &options).await.unwrap();
    let client = kiosk.client.clone().with_base(&format!("https://localhost:{}", restored.addr.port()));
    (restored, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_enrolled_again_delivers_its_backlog_once_under_its_new_identity() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    for n in 1..=4 {
        record(&kiosk, n).await;
    }
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    let old_id = kiosk.identity.enrolment.kiosk_id.clone();
    // Records made while the technician enrols the kiosk again (a new key, a new identity).
    record(&kiosk, 5).await;
    let renewed = fleet.enrol(kiosk.state.path()).await;
    assert_ne!(renewed.enrolment.kiosk_id, old_id);
    record(&kiosk, 6).await;

    let client = ServerClient::new(&renewed).unwrap();
    let report = OutboxUploader::new(kiosk.journal.clone(), client.clone()).sync_once().await.unwrap();
    assert_eq!(report.acknowledged_through, 6, "{report:?}");
    assert_eq!(held(&fleet, "central.sqlite", &old_id).await, [1, 2, 3, 4]);
    assert_eq!(held(&fleet, "central.sqlite", &renewed.enrolment.kiosk_id).await, [5, 6], "the backlog, once");
    // And it goes on from there.
    record(&kiosk, 7).await;
    let report = OutboxUploader::new(kiosk.journal.clone(), client).sync_once().await.unwrap();
    assert_eq!((report.sent, report.acknowledged_through), (1, 7));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_restored_from_an_older_backup_gets_again_what_it_lost() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let kiosk_id = kiosk.identity.enrolment.kiosk_id.clone();
    for n in 1..=2 {
        record(&kiosk, n).await;
    }
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    // The operator's backup, taken now.
    let live = rusqlite::Connection::open(fleet.path().join("central.sqlite")).unwrap();
    live.execute("VACUUM INTO ?1", [fleet.path().join("restored.sqlite").to_str().unwrap()]).unwrap();
    for n in 3..=4 {
        record(&kiosk, n).await;
    }
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    // Some of the acknowledged records are pruned on the kiosk meanwhile.
    with_journal(&kiosk.journal, |j| j.prune_acknowledged(1_764_000_000_000 + 2)).await.unwrap();

    // The server is lost and restored from the backup: it holds 1 and 2 of the kiosk's 4.
    let (_restored, client) = restored_server(&fleet, &kiosk).await;
    record(&kiosk, 5).await;
    let report = OutboxUploader::new(kiosk.journal.clone(), client).sync_once().await.unwrap();
    assert_eq!(report.acknowledged_through, 5, "{report:?}");
    assert_eq!(held(&fleet, "restored.sqlite", &kiosk_id).await, [1, 2, 3, 4, 5], "each once");
}

#[tokio::test(flavor = "multi_thread")]
async fn records_pruned_before_a_restore_are_declared_and_not_waited_for() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let kiosk_id = kiosk.identity.enrolment.kiosk_id.clone();
    let live = rusqlite::Connection::open(fleet.path().join("central.sqlite")).unwrap();
    record(&kiosk, 1).await;
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    live.execute("VACUUM INTO ?1", [fleet.path().join("restored.sqlite").to_str().unwrap()]).unwrap();
    for n in 2..=4 {
        record(&kiosk, n).await;
    }
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    // Every acknowledged record pruned: 2 to 4 exist only in the lost server's copy.
    with_journal(&kiosk.journal, |j| j.prune_acknowledged(i64::MAX)).await.unwrap();

    let (_restored, client) = restored_server(&fleet, &kiosk).await;
    record(&kiosk, 5).await;
    let report = OutboxUploader::new(kiosk.journal.clone(), client).sync_once().await.unwrap();
    assert_eq!(report.acknowledged_through, 5, "the kiosk does not wait for what it cannot send: {report:?}");
    assert_eq!(held(&fleet, "restored.sqlite", &kiosk_id).await, [1, 5]);
}

#[tokio::test(flavor = "multi_thread")]
async fn kiosk_certificates_last_a_year_and_are_renewed_over_mutual_tls_before_they_end() {
    use citizen_window::sync::renewal::{renew_if_due, validity_ms};
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let day = 86_400_000;
    let (start, end) = validity_ms(&kiosk.identity.cert_pem).unwrap();
    assert!((365 * day..=366 * day).contains(&(end - start)), "a year, not until 2036: {}", (end - start) / day);

    // Not due yet: nothing changes.
    let mut client = kiosk.client.clone();
    let now = citizen_window::journal::now_ms();
    assert!(!renew_if_due(&mut client, kiosk.state.path(), now).await.unwrap());
    // Due (less than a third left): a new key and certificate, for the same kiosk, stored together.
    assert!(renew_if_due(&mut client, kiosk.state.path(), end - 100 * day).await.unwrap());
    let renewed = citizen_window::sync::identity::KioskIdentity::load(kiosk.state.path()).unwrap();
    assert_ne!(renewed.key_pem, kiosk.identity.key_pem);
    assert_ne!(renewed.cert_pem, kiosk.identity.cert_pem);
    assert_eq!(renewed.enrolment.kiosk_id, kiosk.identity.enrolment.kiosk_id);
    // The client (and the clones the link's tasks hold) present the new certificate; the server
    // knows it as the same kiosk.
    record(&kiosk, 1).await;
    let report = OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    assert_eq!(report.acknowledged_through, 1);
    let fresh = ServerClient::new(&renewed).unwrap();
    assert!(fresh.bill("3301-0288-1742").await.is_ok());
}
