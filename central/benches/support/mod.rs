//! What the server benchmarks share: the server as its own process, kiosks enrolled for real, and
//! lean simulated kiosks that send pre-built uploads over their own mutual-TLS connection.

#![allow(dead_code)]

use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki};
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse};
use citizen_window_protocol::sync::{BatchAck, Payload, TransactionRecord, UploadBatch};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server, killed when dropped.
pub struct ServerProcess(pub Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fleet in a temporary folder and its server running on a free port.
pub struct BenchFleet {
    pub dir: tempfile::TempDir,
    pub storage: Storage,
    pub fleet: pki::Fleet,
    pub server: ServerProcess,
    pub port: u16,
    pub url: String,
    pub anonymous: reqwest::Client,
}

impl BenchFleet {
    pub async fn start(database: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        pki::init_fleet(dir.path(), &["localhost".into()]).unwrap();
        CentralConfig {
            database: database.into(),
            public_url: "https://localhost:1".into(),
            appointment_horizon_days: 30,
            kiosk_certificate_days: 365,
            heartbeat_interval_seconds: 30,
        }
        .save(dir.path())
        .unwrap();
        let storage = Storage::open(database, dir.path()).await.unwrap();
        let fleet = pki::Fleet::load(dir.path()).unwrap();
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
        let url = format!("https://localhost:{port}");
        let ca = reqwest::Certificate::from_pem(fleet.ca_pem.as_bytes()).unwrap();
        let anonymous = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
        while anonymous.get(format!("{url}/v1/openapi.json")).send().await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { dir, storage, fleet, server, port, url, anonymous }
    }

    pub fn pid(&self) -> u32 {
        self.server.0.id()
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        format!("127.0.0.1:{}", self.port).parse().unwrap()
    }

    /// Enrols `count` kiosks for real (each its own key, CSR and certificate); returns each
    /// one's key and certificate as one PEM.
    pub async fn enrol(&self, count: usize) -> Vec<String> {
        let fingerprint = pki::ca_fingerprint(&self.fleet.ca_pem).unwrap();
        let mut identities = Vec::with_capacity(count);
        for chunk in (0..count).collect::<Vec<_>>().chunks(50) {
            let mut tasks = Vec::new();
            for _ in chunk {
                let token = format!("{}.{fingerprint}", pki::random_hex(16));
                self.storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
                let (client, url) = (self.anonymous.clone(), self.url.clone());
                tasks.push(tokio::spawn(async move {
                    let key = rcgen::KeyPair::generate().unwrap();
                    let csr = rcgen::CertificateParams::default().serialize_request(&key).unwrap().pem().unwrap();
                    let request = EnrolRequest { token, csr_pem: csr, label: None };
                    let answer: EnrolResponse = client
                        .post(format!("{url}/v1/enrol"))
                        .json(&request)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    format!("{}\n{}", key.serialize_pem(), answer.certificate_pem)
                }));
            }
            for task in tasks {
                identities.push(task.await.unwrap());
            }
        }
        identities
    }
}

pub fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) the process has used, from /proc/PID/stat.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(") ").map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

pub fn record(seq: u64) -> TransactionRecord {
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

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Raises this process's soft open-file limit to the hard one (at most `wanted`); returns it.
pub fn raise_open_files(wanted: u64) -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let hard = getrlimit(Resource::Nofile).maximum;
    let wanted = hard.map_or(wanted, |hard| hard.min(wanted));
    let limit = rustix::process::Rlimit { current: Some(wanted), maximum: hard };
    if let Err(e) = setrlimit(Resource::Nofile, limit) {
        eprintln!("cannot raise the open-file limit to {wanted} ({e}): raise `ulimit -n`");
    }
    wanted
}

/// A TLS client configuration trusting the fleet CA, with a kiosk's certificate if given.
pub fn tls_config(ca_pem: &str, identity_pem: Option<&str>) -> Arc<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    Arc::new(match identity_pem {
        Some(pem) => {
            let chain = rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(pem.as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    })
}

/// A TLS connection to the server, its handshake done.
pub async fn tls_connect(
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(config).connect(name, tcp).await
}

/// A simulated kiosk: its own certificate, one TLS connection, requests built before the clock starts.
pub struct LeanKiosk {
    stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    requests: Vec<Vec<u8>>,
    records_per_upload: usize,
    buf: Vec<u8>,
}

impl LeanKiosk {
    /// Connects and builds `uploads` requests of `records_per_upload` records each.
    pub async fn connect(
        addr: std::net::SocketAddr,
        identity_pem: &str,
        ca_pem: &str,
        uploads: usize,
        records_per_upload: usize,
    ) -> Self {
        let stream = tls_connect(addr, tls_config(ca_pem, Some(identity_pem))).await.unwrap();
        let requests = (0..uploads)
            .map(|upload| {
                let first = (upload * records_per_upload) as u64 + 1;
                let batch = UploadBatch::of((first..first + records_per_upload as u64).map(record).collect());
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
        Self { stream, requests, records_per_upload, buf: Vec::with_capacity(1024) }
    }

    /// Sends upload number `n`, checks the acknowledgement, returns the latency in seconds.
    pub async fn upload(&mut self, n: usize) -> f64 {
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
        let last = ((n + 1) * self.records_per_upload) as u64;
        assert_eq!(ack.highest_contiguous_seq, last);
        sent.elapsed().as_secs_f64()
    }
}
