//! Honest kiosks' uploads under a hostile load on loopback: 100 kiosks upload at random moments,
//! first alone, then while 1,000 anonymous clients hold idle TLS connections (reconnecting as soon
//! as they are closed), 100 clients send their headers one byte a second, and one kiosk keeps 16
//! uploads stalled mid-body; three rounds of each, alternating. Goal: the honest kiosks' p99 under attack within 2× of the unloaded
//! figure, every upload answered. Run: `cargo bench -p citizen-central --bench hostile_load_bench`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use support::{BenchFleet, LeanKiosk, percentile, tls_config, tls_connect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const HONEST_KIOSKS: usize = 100;
const UPLOADS_PER_PHASE: usize = 20;
const RECORDS_PER_UPLOAD: usize = 20;
const PHASE_MS: u64 = 10_000;
/// Uploads each honest kiosk makes before anything is measured.
const WARM_UP: usize = 3;
/// Rounds of one unloaded phase and one under attack.
const ROUNDS: usize = 3;
const IDLE_ANONYMOUS: usize = 1000;
const SLOW_HEADERS: usize = 100;
const STALLED_UPLOADS: usize = 16;

/// What the attackers managed, for the report.
#[derive(Default)]
struct AttackCount {
    connections: AtomicU64,
    closed_by_server: AtomicU64,
}

/// Holds anonymous TLS connections open, sending nothing, and opens a new one whenever the server
/// closes one (or refuses it).
async fn idle_anonymous(
    bench_addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    stop: CancellationToken,
    count: Arc<AttackCount>,
) {
    while !stop.is_cancelled() {
        let Ok(mut connection) = tls_connect(bench_addr, config.clone()).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        count.connections.fetch_add(1, Ordering::Relaxed);
        let mut buffer = [0u8; 256];
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = connection.read(&mut buffer) => { count.closed_by_server.fetch_add(1, Ordering::Relaxed); }
        }
    }
}

/// Sends a request's headers one byte a second, forever, reconnecting when cut off.
async fn slow_headers(
    bench_addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    stop: CancellationToken,
    count: Arc<AttackCount>,
) {
    let header: &[u8] = b"GET /v1/openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Padding: ";
    while !stop.is_cancelled() {
        let Ok(mut connection) = tls_connect(bench_addr, config.clone()).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        count.connections.fetch_add(1, Ordering::Relaxed);
        for byte in header.iter().chain(std::iter::repeat(&b'a')) {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            if connection.write_all(&[*byte]).await.is_err() {
                count.closed_by_server.fetch_add(1, Ordering::Relaxed);
                break;
            }
        }
    }
}

/// One kiosk's upload that announces a body and stalls after a few bytes; opens another as soon
/// as the server answers it (at once when over the kiosk's share, at the body deadline otherwise).
async fn stalled_upload(
    bench_addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    stop: CancellationToken,
    count: Arc<AttackCount>,
) {
    let head = "POST /v1/transactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"records\":";
    while !stop.is_cancelled() {
        let Ok(mut connection) = tls_connect(bench_addr, config.clone()).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        count.connections.fetch_add(1, Ordering::Relaxed);
        if connection.write_all(head.as_bytes()).await.is_err() {
            continue;
        }
        let mut buffer = [0u8; 1024];
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = connection.read(&mut buffer) => { count.closed_by_server.fetch_add(1, Ordering::Relaxed); }
        }
        // Not at once again: a refused upload would otherwise spin.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every honest kiosk uploads [`UPLOADS_PER_PHASE`] times at random moments over [`PHASE_MS`];
/// returns the latencies.
async fn honest_phase(kiosks: Vec<LeanKiosk>, first_upload: usize) -> (Vec<f64>, Vec<LeanKiosk>) {
    let mut tasks = Vec::with_capacity(kiosks.len());
    for mut kiosk in kiosks {
        tasks.push(tokio::spawn(async move {
            let mut moments: Vec<u64> = (0..UPLOADS_PER_PHASE).map(|_| fastrand::u64(0..PHASE_MS)).collect();
            moments.sort_unstable();
            let started = tokio::time::Instant::now();
            let mut latencies = Vec::with_capacity(UPLOADS_PER_PHASE);
            for (n, at) in moments.into_iter().enumerate() {
                tokio::time::sleep_until(started + Duration::from_millis(at)).await;
                latencies.push(kiosk.upload(first_upload + n).await);
            }
            (latencies, kiosk)
        }));
    }
    let mut latencies = Vec::new();
    let mut kiosks = Vec::new();
    for task in tasks {
        let (mine, kiosk) = task.await.unwrap();
        latencies.extend(mine);
        kiosks.push(kiosk);
    }
    (latencies, kiosks)
}

/// The attackers, on threads of the least scheduling priority: on this one machine they stand for
/// clients on others, and should take CPU from the server only as much as their traffic makes it
/// work, not as much as generating that traffic costs here.
struct Attack {
    runtime: tokio::runtime::Runtime,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Attack {
    fn start(addr: std::net::SocketAddr, ca: &str, kiosk_pem: &str, count: Arc<AttackCount>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(|| {
                let _ = rustix::process::setpriority_process(None, 19);
            })
            .build()
            .unwrap();
        let (stop, anonymous, stalling_kiosk) =
            (CancellationToken::new(), tls_config(ca, None), tls_config(ca, Some(kiosk_pem)));
        let mut tasks = Vec::new();
        for _ in 0..IDLE_ANONYMOUS {
            tasks.push(runtime.spawn(idle_anonymous(addr, anonymous.clone(), stop.clone(), count.clone())));
        }
        for _ in 0..SLOW_HEADERS {
            tasks.push(runtime.spawn(slow_headers(addr, anonymous.clone(), stop.clone(), count.clone())));
        }
        for _ in 0..STALLED_UPLOADS {
            tasks.push(runtime.spawn(stalled_upload(addr, stalling_kiosk.clone(), stop.clone(), count.clone())));
        }
        Self { runtime, stop, tasks }
    }

    async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
        self.runtime.shutdown_background();
    }
}

async fn run() {
    let bench = BenchFleet::start("central.sqlite").await;
    let identities = bench.enrol(HONEST_KIOSKS + 1).await;
    let addr = bench.addr();
    let ca = bench.fleet.ca_pem.clone();
    let mut kiosks = Vec::with_capacity(HONEST_KIOSKS);
    for pem in &identities[..HONEST_KIOSKS] {
        let uploads = WARM_UP + 2 * ROUNDS * UPLOADS_PER_PHASE;
        kiosks.push(LeanKiosk::connect(addr, pem, &ca, uploads, RECORDS_PER_UPLOAD).await);
    }
    // A few uploads each before the clock starts: the server's caches and the database file warm.
    for kiosk in &mut kiosks {
        for n in 0..WARM_UP {
            kiosk.upload(n).await;
        }
    }

    // Alternating rounds, the latencies of each condition pooled: a one-off stall of the shared
    // machine weighs less than in a single pair of phases.
    let count = Arc::new(AttackCount::default());
    let (mut unloaded, mut attacked) = (Vec::new(), Vec::new());
    let mut rss_under_attack = 0;
    let mut next_upload = WARM_UP;
    for _ in 0..ROUNDS {
        let (latencies, back) = honest_phase(kiosks, next_upload).await;
        (kiosks, next_upload) = (back, next_upload + UPLOADS_PER_PHASE);
        unloaded.extend(latencies);
        let attack = Attack::start(addr, &ca, &identities[HONEST_KIOSKS], count.clone());
        // Let the attack build up before the honest kiosks start.
        tokio::time::sleep(Duration::from_secs(2)).await;
        rss_under_attack = rss_under_attack.max(support::rss_kib(bench.pid(), "VmRSS:"));
        let (latencies, back) = honest_phase(kiosks, next_upload).await;
        (kiosks, next_upload) = (back, next_upload + UPLOADS_PER_PHASE);
        attacked.extend(latencies);
        attack.stop().await;
        // The server closes the attackers' connections before the next quiet phase.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    unloaded.sort_by(f64::total_cmp);
    attacked.sort_by(f64::total_cmp);

    let p99 = |l: &[f64]| percentile(l, 0.99) * 1e3;
    let p50 = |l: &[f64]| percentile(l, 0.5) * 1e3;
    println!(
        "| {HONEST_KIOSKS} kiosks alone | {} uploads | {:.1} / {:.1} ms | |",
        unloaded.len(),
        p50(&unloaded),
        p99(&unloaded)
    );
    println!(
        "| under attack ({IDLE_ANONYMOUS} idle anonymous, {SLOW_HEADERS} slow-header, {STALLED_UPLOADS} stalled uploads) | {} uploads | {:.1} / {:.1} ms | {} attacker connections, {} closed by the server; server RSS {} MiB |",
        attacked.len(),
        p50(&attacked),
        p99(&attacked),
        count.connections.load(Ordering::Relaxed),
        count.closed_by_server.load(Ordering::Relaxed),
        rss_under_attack / 1024,
    );
    println!("\np99 under attack / unloaded: {:.2} (goal: at most 2)", p99(&attacked) / p99(&unloaded));
}

fn main() {
    support::raise_open_files(65_536);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!("# Honest kiosks' uploads under a hostile load (SQLite)\n");
    println!("| load | uploads | p50 / p99 | attack |");
    println!("|---|---:|---:|---|");
    runtime.block_on(run());
}
