//! Drain rate: a backlog of 100,000 journal records uploaded to the real server on loopback over
//! mutual TLS, in batches of 1,000. Run: `cargo bench --bench sync_drain_bench`.

use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki, server};
use citizen_window::journal::{Journal, NewTransaction, ReceiptPlan};
use citizen_window::sync::server_client::ServerClient;
use citizen_window::sync::uploader::OutboxUploader;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const BACKLOG: usize = 100_000;

#[tokio::main]
async fn main() {
    let base =
        std::env::var_os("CITIZEN_WINDOW_BENCH_DIR").map_or_else(|| std::path::PathBuf::from("target"), Into::into);
    let fleet_dir = tempfile::tempdir_in(&base).unwrap();
    pki::init_fleet(fleet_dir.path(), &["localhost".into()]).unwrap();
    CentralConfig {
        database: "central.sqlite".into(),
        public_url: "https://localhost:1".into(),
        appointment_horizon_days: 30,
        kiosk_certificate_days: 365,
        heartbeat_interval_seconds: 30,
    }
    .save(fleet_dir.path())
    .unwrap();
    let running = server::start(fleet_dir.path(), "127.0.0.1:0".parse().unwrap(), &Default::default()).await.unwrap();
    let storage = Storage::open("central.sqlite", fleet_dir.path()).await.unwrap();
    let fleet = pki::Fleet::load(fleet_dir.path()).unwrap();
    let token = format!("{}.{}", pki::random_hex(16), pki::ca_fingerprint(&fleet.ca_pem).unwrap());
    storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
    let state = tempfile::tempdir_in(&base).unwrap();
    let url = format!("https://localhost:{}", running.addr.port());
    let identity = citizen_window::sync::enrolment::enrol(state.path(), &url, &token, None).await.unwrap();

    let mut journal = Journal::open(&state.path().join("journal.sqlite")).unwrap();
    let payload = serde_json::json!({"service": "water", "account": "3301-0288-1742", "amount_fen": 4140, "order": "po-0123456789"});
    let filled = Instant::now();
    for n in 0..BACKLOG {
        let tx =
            NewTransaction { kind: "bill_payment", payload: &payload, resident: None, receipt: ReceiptPlan::Intended };
        journal.record(&tx, 1_764_000_000_000 + n as i64).unwrap();
    }
    let fill_time = filled.elapsed();
    let journal = Arc::new(Mutex::new(journal));
    let uploader = OutboxUploader::new(journal, ServerClient::new(&identity).unwrap()).with_batch_size(1000);
    let started = Instant::now();
    let report = uploader.sync_once().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.acknowledged_through, BACKLOG as u64);
    println!(
        "# Drain of a {BACKLOG}-record backlog to the server on loopback (mutual TLS, batches of 1000, SQLite server)\n"
    );
    println!("| stage | time | rate |");
    println!("|---|---:|---:|");
    println!(
        "| filling the journal (one durable commit each) | {:.1} s | {:.0} tx/s |",
        fill_time.as_secs_f64(),
        BACKLOG as f64 / fill_time.as_secs_f64()
    );
    println!(
        "| draining to the server | {:.2} s | {:.0} tx/s (goal: at least 5,000) |",
        elapsed.as_secs_f64(),
        BACKLOG as f64 / elapsed.as_secs_f64()
    );
    running.shutdown.cancel();
}
