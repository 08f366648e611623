//! Server ingest with 1,000 simulated kiosks uploading at once, each with its own certificate and
//! connection: transactions per second, request latency p50/p99, and the server's memory per
//! connected kiosk (read from the server process's /proc status). Run against SQLite, and against
//! PostgreSQL when CITIZEN_CENTRAL_TEST_POSTGRES is set (scripts/bench.sh starts one).
//! Run: `cargo bench -p citizen-central --bench ingest_bench`.

use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki};
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse};
use citizen_window_protocol::sync::{BatchAck, TransactionRecord, UploadBatch};
use sha2::{Digest, Sha256};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KIOSKS: usize = 1000;
const UPLOADS_PER_KIOSK: usize = 5;
const RECORDS_PER_UPLOAD: usize = 20;
const STEADY_UPLOADS: usize = 5;
const STEADY_PERIOD_MS: u64 = 10_000;

struct ServerProcess(Child);
impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn record(seq: u64) -> TransactionRecord {
    let payload = serde_json::json!({"ticket": seq, "window": "社保"});
    let text = serde_json::to_string(&payload).unwrap();
    TransactionRecord {
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(seq)),
        seq,
        kind: "queue_ticket".into(),
        payload_hash: hex::encode(Sha256::digest(text.as_bytes())),
        payload,
        resident: None,
        created_at_ms: 1_764_000_000_000,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(database: &str, label: &str) {
    let dir = tempfile::tempdir().unwrap();
    pki::init_fleet(dir.path(), &["localhost".into()]).unwrap();
    CentralConfig { database: database.into(), public_url: "https://localhost:1".into() }.save(dir.path()).unwrap();
    let storage = Storage::open(database, dir.path()).await.unwrap();
    let fleet = pki::Fleet::load(dir.path()).unwrap();
    let fingerprint = pki::ca_fingerprint(&fleet.ca_pem).unwrap();

    let port = 20_000 + fastrand::u16(0..20_000);
    let server = ServerProcess(
        Command::new(env!("CARGO_BIN_EXE_citizen-central"))
            .args(["serve", "--dir", dir.path().to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .env("MALLOC_ARENA_MAX", std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "8".into()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let url = format!("https://localhost:{port}");
    let ca = reqwest::Certificate::from_pem(fleet.ca_pem.as_bytes()).unwrap();
    let anonymous = reqwest::Client::builder().tls_certs_only([ca.clone()]).build().unwrap();
    while anonymous.get(format!("{url}/v1/openapi.json")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Enrol every kiosk for real: its own key, CSR and certificate.
    let enrolled = Instant::now();
    let mut identities = Vec::with_capacity(KIOSKS);
    for chunk in (0..KIOSKS).collect::<Vec<_>>().chunks(50) {
        let mut tasks = Vec::new();
        for _ in chunk {
            let token = format!("{}.{fingerprint}", pki::random_hex(16));
            storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
            let (client, url) = (anonymous.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let key = rcgen::KeyPair::generate().unwrap();
                let csr = rcgen::CertificateParams::default().serialize_request(&key).unwrap().pem().unwrap();
                let request = EnrolRequest { token, csr_pem: csr, label: None };
                let answer: EnrolResponse =
                    client.post(format!("{url}/v1/enrol")).json(&request).send().await.unwrap().json().await.unwrap();
                format!("{}\n{}", key.serialize_pem(), answer.certificate_pem)
            }));
        }
        for task in tasks {
            identities.push(task.await.unwrap());
        }
    }
    let enrol_time = enrolled.elapsed();
    let clients: Vec<reqwest::Client> = identities
        .iter()
        .map(|pem| {
            reqwest::Client::builder()
                .tls_certs_only([ca.clone()])
                .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
                .pool_idle_timeout(Duration::from_secs(300))
                .build()
                .unwrap()
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(pid, "VmRSS:");
    let _ = &clients;

    // Every kiosk connects (TLS handshake with its certificate) and stays connected.
    let mut connected_clients = Vec::with_capacity(KIOSKS);
    for chunk in clients.chunks(100) {
        let mut tasks = Vec::new();
        for client in chunk {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                client.get(format!("{url}/v1/openapi.json")).send().await.unwrap().bytes().await.unwrap();
                client
            }));
        }
        for task in tasks {
            connected_clients.push(task.await.unwrap());
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let connected_rss = rss_kib(pid, "VmRSS:");

    let peak = Arc::new(std::sync::atomic::AtomicU64::new(connected_rss));
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid, "VmRSS:"), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    // Burst: every kiosk uploads at the same instant, several times in a row.
    let started = Instant::now();
    let barrier = Arc::new(tokio::sync::Barrier::new(KIOSKS));
    let mut tasks = Vec::with_capacity(KIOSKS);
    for client in &connected_clients {
        let (client, url, barrier) = (client.clone(), url.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut latencies = Vec::with_capacity(UPLOADS_PER_KIOSK);
            for upload in 0..UPLOADS_PER_KIOSK {
                latencies.push(upload_batch(&client, &url, (upload * RECORDS_PER_UPLOAD) as u64 + 1).await);
            }
            latencies
        }));
    }
    let mut burst = Vec::new();
    for task in tasks {
        burst.extend(task.await.unwrap());
    }
    let burst_time = started.elapsed();
    sampling.abort();
    let peak_rss = peak.load(std::sync::atomic::Ordering::Relaxed);

    // Steady: every kiosk uploads at random moments over 10 s (about 500 requests a second).
    let mut tasks = Vec::with_capacity(KIOSKS);
    for client in &connected_clients {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for round in 0..STEADY_UPLOADS {
                tokio::time::sleep(Duration::from_millis(fastrand::u64(0..STEADY_PERIOD_MS))).await;
                let first = ((UPLOADS_PER_KIOSK + round) * RECORDS_PER_UPLOAD) as u64 + 1;
                latencies.push(upload_batch(&client, &url, first).await);
            }
            latencies
        }));
    }
    let mut steady = Vec::new();
    for task in tasks {
        steady.extend(task.await.unwrap());
    }
    burst.sort_by(f64::total_cmp);
    steady.sort_by(f64::total_cmp);
    let total = (KIOSKS * UPLOADS_PER_KIOSK * RECORDS_PER_UPLOAD) as f64;
    let per_kiosk = |rss: u64| rss.saturating_sub(idle_rss) as f64 * 1.024 / KIOSKS as f64;
    println!(
        "| {label} | {:.0} tx/s ({:.0} req/s) | {:.0} / {:.0} ms | {:.0} / {:.0} ms | {} → {} → {} MiB | {:.1} KB | {:.1} KB |",
        total / burst_time.as_secs_f64(),
        burst.len() as f64 / burst_time.as_secs_f64(),
        percentile(&burst, 0.5) * 1e3,
        percentile(&burst, 0.99) * 1e3,
        percentile(&steady, 0.5) * 1e3,
        percentile(&steady, 0.99) * 1e3,
        idle_rss / 1024,
        connected_rss / 1024,
        peak_rss / 1024,
        per_kiosk(connected_rss),
        per_kiosk(peak_rss),
    );
    let _ = enrol_time;
    drop(connected_clients);
}

/// Uploads one batch starting at `first`; returns the request's latency in seconds.
async fn upload_batch(client: &reqwest::Client, url: &str, first: u64) -> f64 {
    let batch = UploadBatch { records: (first..first + RECORDS_PER_UPLOAD as u64).map(record).collect() };
    let sent = Instant::now();
    let ack: BatchAck =
        client.post(format!("{url}/v1/transactions")).json(&batch).send().await.unwrap().json().await.unwrap();
    assert_eq!(ack.highest_contiguous_seq, first + RECORDS_PER_UPLOAD as u64 - 1);
    sent.elapsed().as_secs_f64()
}

fn main() {
    // Two thousand sockets (both ends of each connection live on this machine).
    let limit = rustix::process::Rlimit { current: Some(65_536), maximum: Some(65_536) };
    if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::Nofile, limit) {
        eprintln!("cannot raise the open-file limit ({e}); run as root or raise `ulimit -n`");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "# Server ingest: {KIOSKS} kiosks at once, {UPLOADS_PER_KIOSK} uploads of {RECORDS_PER_UPLOAD} records each\n"
    );
    println!(
        "| storage | burst throughput | burst p50 / p99 | steady (~500 req/s) p50 / p99 | server RSS idle → connected → peak | per connected kiosk | per kiosk at peak |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    runtime.block_on(run("central.sqlite", "SQLite"));
    match std::env::var("CITIZEN_CENTRAL_TEST_POSTGRES") {
        Ok(base) => {
            let url = runtime.block_on(fresh_postgres_database(&base));
            runtime.block_on(run(&url, "PostgreSQL"));
        }
        Err(_) => println!("\nPostgreSQL: set CITIZEN_CENTRAL_TEST_POSTGRES (scripts/bench.sh does) to compare."),
    }
    println!("\nGoals: p99 under 200 ms; under 50 KB of server memory per connected kiosk.");
}

async fn fresh_postgres_database(base: &str) -> String {
    let (client, connection) = tokio_postgres::connect(base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let name = format!("citizen_bench_{}", pki::random_hex(6));
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}
