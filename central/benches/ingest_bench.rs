//! Server ingest with 1,000 simulated kiosks uploading at once, each with its own certificate and
//! connection: transactions per second, request latency p50/p99, and the server's memory per
//! connected kiosk (read from the server process's /proc status). Run against SQLite, and against
//! PostgreSQL when CITIZEN_CENTRAL_TEST_POSTGRES is set (scripts/bench.sh starts one).
//! Run: `cargo bench -p citizen-central --bench ingest_bench`.

mod support;

use citizen_central::pki;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{BenchFleet, LeanKiosk, cpu_seconds, percentile, rss_kib};

const KIOSKS: usize = 1000;
const UPLOADS_PER_KIOSK: usize = 5;
const RECORDS_PER_UPLOAD: usize = 20;
const STEADY_UPLOADS: usize = 5;
const STEADY_PERIOD_MS: u64 = 10_000;

async fn run(database: &str, label: &str) {
    let bench = BenchFleet::start(database).await;
    let pid = bench.pid();
    let identities = bench.enrol(KIOSKS).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(pid, "VmRSS:");

    // Every kiosk connects (TLS handshake with its own certificate) and stays connected. The
    // simulated kiosks are lean (pre-built requests over rustls directly), so that the load
    // generator, on the same two cores, takes as little as it can from the server.
    let server_addr = bench.addr();
    let mut kiosks = Vec::with_capacity(KIOSKS);
    for chunk in identities.chunks(100) {
        let mut tasks = Vec::new();
        for pem in chunk {
            let (pem, ca_pem) = (pem.clone(), bench.fleet.ca_pem.clone());
            tasks.push(tokio::spawn(async move {
                LeanKiosk::connect(server_addr, &pem, &ca_pem, UPLOADS_PER_KIOSK + STEADY_UPLOADS, RECORDS_PER_UPLOAD)
                    .await
            }));
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

fn main() {
    // Two thousand sockets (both ends of each connection live on this machine), and some to spare:
    // the soft limit goes up to the hard one, which only root can raise.
    let wanted = support::raise_open_files(65_536);
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
            let label =
                if url.contains("sslmode=verify-full") { "PostgreSQL (TLS, verify-full)" } else { "PostgreSQL" };
            runtime.block_on(run(&url, label));
            // The same database without TLS: what encryption to the database costs.
            if url.contains("sslmode=verify-full") {
                let url = runtime.block_on(fresh_postgres_database(&base));
                let (plain, _) = url.split_once('?').unwrap();
                runtime.block_on(run(&format!("{plain}?sslmode=disable"), "PostgreSQL (no TLS)"));
            }
        }
        Err(_) => println!("\nPostgreSQL: set CITIZEN_CENTRAL_TEST_POSTGRES (scripts/bench.sh does) to compare."),
    }
    println!("\nGoals: p99 under 200 ms; under 50 KB of server memory per connected kiosk.");
}

async fn fresh_postgres_database(base: &str) -> String {
    let client = citizen_central::storage::postgres_tls::connect_one(base).await.unwrap();
    let name = format!("citizen_bench_{}", pki::random_hex(6));
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    citizen_central::storage::postgres_tls::with_database(base, &name)
}
