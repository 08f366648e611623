//! Honest kiosks' uploads under a hostile load on loopback: 100 kiosks upload at random moments,
//! first alone, then while 1,000 anonymous clients hold idle TLS connections (reconnecting as soon
//! as they are closed), 100 clients send their headers one byte a second, and one kiosk keeps 16
//! uploads stalled mid-body. Goal: the honest kiosks' p99 under attack within 2× of the unloaded
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
/// returns the sorted latencies.
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
    latencies.sort_by(f64::total_cmp);
    (latencies, kiosks)
}

async fn run() {
    let bench = BenchFleet::start("central.sqlite").await;
    let identities = bench.enrol(HONEST_KIOSKS + 1).await;
    let addr = bench.addr();
    let ca = bench.fleet.ca_pem.clone();
    let mut kiosks = Vec::with_capacity(HONEST_KIOSKS);
    for pem in &identities[..HONEST_KIOSKS] {
        kiosks.push(LeanKiosk::connect(addr, pem, &ca, 2 * UPLOADS_PER_PHASE, RECORDS_PER_UPLOAD).await);
    }

    let (unloaded, kiosks) = honest_phase(kiosks, 0).await;

    let stop = CancellationToken::new();
    let count = Arc::new(AttackCount::default());
    let anonymous = tls_config(&ca, None);
    let stalling_kiosk = tls_config(&ca, Some(&identities[HONEST_KIOSKS]));
    let mut attackers = Vec::new();
    for _ in 0..IDLE_ANONYMOUS {
        attackers.push(tokio::spawn(idle_anonymous(addr, anonymous.clone(), stop.clone(), count.clone())));
    }
    for _ in 0..SLOW_HEADERS {
        attackers.push(tokio::spawn(slow_headers(addr, anonymous.clone(), stop.clone(), count.clone())));
    }
    for _ in 0..STALLED_UPLOADS {
        attackers.push(tokio::spawn(stalled_upload(addr, stalling_kiosk.clone(), stop.clone(), count.clone())));
    }
    // Let the attack build up before the honest kiosks start.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_under_attack = support::rss_kib(bench.pid(), "VmRSS:");
    let (attacked, _) = honest_phase(kiosks, UPLOADS_PER_PHASE).await;
    stop.cancel();
    for attacker in attackers {
        let _ = attacker.await;
    }

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
