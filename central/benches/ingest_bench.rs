//! Server ingest with 1,000 simulated kiosks uploading at once, each with its own certificate and
//! connection: transactions per second, request latency p50/p99, and the server's memory per
//! connected kiosk (read from the server process's /proc status). Run against SQLite, and against
//! PostgreSQL when CITIZEN_CENTRAL_TEST_POSTGRES is set (scripts/bench.sh starts one).
//! Run: `cargo bench -p citizen-central --bench ingest_bench`.

use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki};
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse};
use citizen_window_protocol::sync::{BatchAck, Payload, TransactionRecord, UploadBatch};
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
    let payload = Payload::from_value(&serde_json::json!({"ticket": seq, "window": "社保"}));
    TransactionRecord {
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(seq)),
        seq,
        kind: "queue_ticket".into(),
        payload_hash: payload.hash(),
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
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let url = format!("https://localhost:{port}");
    let ca = reqwest::Certificate::from_pem(fleet.ca_pem.as_bytes()).unwrap();
    let anonymous = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    while anonymous.get(format!("{url}/v1/openapi.json")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Enrol every kiosk for real: its own key, CSR and certificate.
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
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(pid, "VmRSS:");

    // Every kiosk connects (TLS handshake with its own certificate) and stays connected. The
    // simulated kiosks are lean (pre-built requests over rustls directly), so that the load
    // generator, on the same two cores, takes as little as it can from the server.
    let server_addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut kiosks = Vec::with_capacity(KIOSKS);
    for chunk in identities.chunks(100) {
        let mut tasks = Vec::new();
        for pem in chunk {
            let (pem, ca_pem) = (pem.clone(), fleet.ca_pem.clone());
            tasks.push(tokio::spawn(async move { LeanKiosk::connect(server_addr, &pem, &ca_pem).await }));
        }
        for task in tasks {
            kiosks.push(task.await.unwrap());
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let connected_rss = rss_kib(pid, "VmRSS:");
    let cpu_before = cpu_seconds(pid);
    let client_cpu_before = cpu_seconds(std::process::id());

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
    for mut kiosk in kiosks {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut latencies = Vec::with_capacity(UPLOADS_PER_KIOSK);
            for upload in 0..UPLOADS_PER_KIOSK {
                latencies.push(kiosk.upload(upload).await);
            }
            (latencies, kiosk)
        }));
    }
    let mut burst = Vec::new();
    let mut kiosks = Vec::with_capacity(KIOSKS);
    for task in tasks {
        let (latencies, kiosk) = task.await.unwrap();
        burst.extend(latencies);
        kiosks.push(kiosk);
    }
    let burst_time = started.elapsed();
    let server_cpu = cpu_seconds(pid) - cpu_before;
    let client_cpu = cpu_seconds(std::process::id()) - client_cpu_before;
    sampling.abort();
    let peak_rss = peak.load(std::sync::atomic::Ordering::Relaxed);

    // Steady: every kiosk uploads at random moments over 10 s (about 500 requests a second).
    let mut tasks = Vec::with_capacity(KIOSKS);
    for mut kiosk in kiosks {
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for round in 0..STEADY_UPLOADS {
                tokio::time::sleep(Duration::from_millis(fastrand::u64(0..STEADY_PERIOD_MS))).await;
                latencies.push(kiosk.upload(UPLOADS_PER_KIOSK + round).await);
            }
            latencies
        }));
    }
    let mut steady = Vec::new();
    for task in tasks {
        steady.extend(task.await.unwrap());
    }
    // Still connected, all idle again, after traffic (buffers a connection keeps once used).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_rss = rss_kib(pid, "VmRSS:");
    burst.sort_by(f64::total_cmp);
    steady.sort_by(f64::total_cmp);
    let total = (KIOSKS * UPLOADS_PER_KIOSK * RECORDS_PER_UPLOAD) as f64;
    let per_kiosk = |rss: u64| rss.saturating_sub(idle_rss) as f64 * 1.024 / KIOSKS as f64;
    println!(
        "| {label} | {:.0} tx/s ({:.0} req/s) | {:.2} ms (kiosks: {:.2} ms) | {:.0} / {:.0} ms | {:.0} / {:.0} ms | {} → {} → {} → {} MiB | {:.1} / {:.1} KB | {:.1} KB |",
        total / burst_time.as_secs_f64(),
        burst.len() as f64 / burst_time.as_secs_f64(),
        server_cpu * 1e3 / burst.len() as f64,
        client_cpu * 1e3 / burst.len() as f64,
        percentile(&burst, 0.5) * 1e3,
        percentile(&burst, 0.99) * 1e3,
        percentile(&steady, 0.5) * 1e3,
        percentile(&steady, 0.99) * 1e3,
        idle_rss / 1024,
        connected_rss / 1024,
        peak_rss / 1024,
        after_rss / 1024,
        per_kiosk(connected_rss),
        per_kiosk(after_rss),
        per_kiosk(peak_rss),
    );
}

/// CPU seconds (user + system) the process has used, from /proc/PID/stat.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(") ").map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

/// A simulated kiosk: its own certificate, one TLS connection, requests built before the clock starts.
struct LeanKiosk {
    stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    requests: Vec<Vec<u8>>,
    buf: Vec<u8>,
}

impl LeanKiosk {
    async fn connect(addr: std::net::SocketAddr, identity_pem: &str, ca_pem: &str) -> Self {
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
        let chain = rustls_pki_types::CertificateDer::pem_slice_iter(identity_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(identity_pem.as_bytes()).unwrap();
        let config =
            rustls::ClientConfig::builder().with_root_certificates(roots).with_client_auth_cert(chain, key).unwrap();
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        let requests = (0..UPLOADS_PER_KIOSK + STEADY_UPLOADS)
            .map(|upload| {
                let first = (upload * RECORDS_PER_UPLOAD) as u64 + 1;
                let batch = UploadBatch { records: (first..first + RECORDS_PER_UPLOAD as u64).map(record).collect() };
                let body = serde_json::to_vec(&batch).unwrap();
                let mut request = format!(
                    "POST /v1/transactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                request.extend_from_slice(&body);
                request
            })
            .collect();
        Self { stream, requests, buf: Vec::with_capacity(1024) }
    }

    /// Sends upload number `n`, checks the acknowledgement, returns the latency in seconds.
    async fn upload(&mut self, n: usize) -> f64 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let sent = Instant::now();
        self.stream.write_all(&self.requests[n]).await.unwrap();
        self.buf.clear();
        let mut chunk = [0u8; 1024];
        let (head_end, length) = loop {
            let read = self.stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..read]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                assert!(head.starts_with("http/1.1 200"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap();
                break (end + 4, length);
            }
        };
        while self.buf.len() < head_end + length {
            let read = self.stream.read(&mut chunk).await.unwrap();
            assert!(read > 0);
            self.buf.extend_from_slice(&chunk[..read]);
        }
        let ack: BatchAck = serde_json::from_slice(&self.buf[head_end..head_end + length]).unwrap();
        let last = ((n + 1) * RECORDS_PER_UPLOAD) as u64;
        assert_eq!(ack.highest_contiguous_seq, last);
        sent.elapsed().as_secs_f64()
    }
}

fn main() {
    // Two thousand sockets (both ends of each connection live on this machine), and some to spare:
    // the soft limit goes up to the hard one, which only root can raise.
    use rustix::process::{Resource, getrlimit, setrlimit};
    let hard = getrlimit(Resource::Nofile).maximum;
    let wanted = hard.map_or(65_536, |hard| hard.min(65_536));
    let limit = rustix::process::Rlimit { current: Some(wanted), maximum: hard };
    if let Err(e) = setrlimit(Resource::Nofile, limit) {
        eprintln!("cannot raise the open-file limit to {wanted} ({e}): raise `ulimit -n`");
    }
    if wanted < 4 * KIOSKS as u64 {
        eprintln!("the open-file limit is {wanted}: {KIOSKS} kiosks need at least {}; raise `ulimit -Hn`", 4 * KIOSKS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "# Server ingest: {KIOSKS} kiosks at once, {UPLOADS_PER_KIOSK} uploads of {RECORDS_PER_UPLOAD} records each\n"
    );
    println!(
        "| storage | burst throughput | server CPU per request (simulated kiosks' CPU) | burst p50 / p99 | steady (~500 req/s) p50 / p99 | server RSS idle → connected → burst peak → connected after traffic | per connected kiosk before / after traffic | per kiosk at the burst's peak |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
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
