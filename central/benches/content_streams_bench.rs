//! 10,000 kiosks holding the content push stream on one server (its own process, SQLite, mutual
//! TLS, each kiosk enrolled for real with its own certificate): the server's memory per held
//! stream, and the time from a publish until every kiosk has fetched the new manifest. The worst
//! case is measured: no kiosk has a warm connection besides its stream (a real one usually has
//! its heartbeat's), so each opens a new one, with its own TLS handshake, at most
//! [`FETCHING_AT_ONCE`] at a time in this process. Goals: all within 10 s, under 20 KB per held
//! stream.
//!
//! Run: `cargo bench -p citizen-central --bench content_streams_bench` (the open-file limit must
//! allow the streams and the fetches on both sides: 20,000 does). With
//! `CONTENT_STREAMS_BENCH_IDLE=1` the kiosks only connect (TLS handshake, no request), to tell a
//! connection's own cost from its stream's.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{BenchFleet, percentile, rss_kib, tls_config, tls_connect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KIOSKS: usize = 10_000;
/// Handshakes under way at once while the kiosks connect.
const CONNECTING_AT_ONCE: usize = 64;
/// Manifest fetches (each on a new connection) under way at once after the publish.
const FETCHING_AT_ONCE: usize = 1000;

type Tls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

/// Reads from `stream` into `seen` until `wanted` is in it.
async fn read_until(stream: &mut Tls, seen: &mut Vec<u8>, wanted: &[u8]) {
    let mut chunk = [0u8; 2048];
    while !seen.windows(wanted.len()).any(|w| w == wanted) {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "the server closed the connection; it had sent: {}", String::from_utf8_lossy(seen));
        seen.extend_from_slice(&chunk[..read]);
    }
}

/// Opens the push stream and waits for its first event (nothing published: version 0).
async fn open_stream(addr: std::net::SocketAddr, config: Arc<rustls::ClientConfig>) -> Tls {
    let mut stream = tls_connect(addr, config).await.unwrap();
    if std::env::var_os("CONTENT_STREAMS_BENCH_IDLE").is_some() {
        return stream;
    }
    let request = "GET /v1/content/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    read_until(&mut stream, &mut Vec::new(), b"data: 0\n\n").await;
    stream
}

/// Asks for the manifest on a keep-alive connection and reads the whole answer; its status.
async fn fetch_manifest(stream: &mut Tls) -> String {
    let request = "GET /v1/content/manifest HTTP/1.1\r\nHost: localhost\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = Vec::new();
    read_until(stream, &mut seen, b"\r\n\r\n").await;
    let end = seen.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
    let mut chunk = [0u8; 4096];
    while seen.len() < end + length {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "the manifest was cut short");
        seen.extend_from_slice(&chunk[..read]);
    }
    head.lines().next().unwrap_or_default().to_string()
}

/// Raises this process's open-file limit, the hard one too if it may (root): the server inherits it.
fn raise_limit(wanted: u64) -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let _ = setrlimit(Resource::Nofile, Rlimit { current: Some(wanted), maximum: Some(wanted) });
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|c| c < wanted) {
        let hard = limit.maximum.unwrap_or(wanted);
        let _ = setrlimit(Resource::Nofile, Rlimit { current: Some(hard), maximum: limit.maximum });
    }
    getrlimit(Resource::Nofile).current.unwrap_or(1024)
}

#[tokio::main]
async fn main() {
    let limit = raise_limit(80_000);
    // The server gives kiosks about 60 % of its files: the streams and the fetches under way.
    let kiosks = KIOSKS.min(limit as usize * 6 / 10 - FETCHING_AT_ONCE - 400);
    if kiosks < KIOSKS {
        eprintln!(
            "only {limit} open files allowed: {kiosks} kiosks instead of {KIOSKS} (run as root or raise ulimit -n)"
        );
    }
    let fleet = BenchFleet::start("central.sqlite").await;
    let enrolling = Instant::now();
    let identities = fleet.enrol(kiosks).await;
    let enrol_time = enrolling.elapsed();
    let ca = fleet.fleet.ca_pem.clone();
    let configs: Vec<Arc<rustls::ClientConfig>> = identities.iter().map(|pem| tls_config(&ca, Some(pem))).collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_kib = rss_kib(fleet.pid(), "VmRSS:");

    // Every kiosk opens its stream and hears the version at once.
    let addr = fleet.addr();
    let opening = Instant::now();
    let mut streams = Vec::with_capacity(kiosks);
    for chunk in configs.chunks(CONNECTING_AT_ONCE) {
        let opened = chunk.iter().map(|config| tokio::spawn(open_stream(addr, config.clone())));
        for task in opened.collect::<Vec<_>>() {
            streams.push(task.await.unwrap());
        }
    }
    let open_time = opening.elapsed();
    // The server gives freed memory back once a second.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let streaming_kib = rss_kib(fleet.pid(), "VmRSS:");
    let per_stream_kib = (streaming_kib.saturating_sub(idle_kib)) as f64 / kiosks as f64;
    if std::env::var_os("CONTENT_STREAMS_BENCH_IDLE").is_some() {
        println!("{kiosks} connected kiosks without a stream: {per_stream_kib:.1} KiB of server memory each");
        return;
    }

    // A publish: each kiosk hears the bell, then connects and fetches the manifest.
    let published = Instant::now();
    let fetching = Arc::new(tokio::sync::Semaphore::new(FETCHING_AT_ONCE));
    let mut waiting = Vec::with_capacity(kiosks);
    for (mut stream, config) in streams.into_iter().zip(configs.iter().cloned()) {
        let fetching = fetching.clone();
        waiting.push(tokio::spawn(async move {
            read_until(&mut stream, &mut Vec::new(), b"data: 1\n\n").await;
            let heard = published.elapsed().as_secs_f64();
            let _place = fetching.acquire().await.unwrap();
            let mut request = tls_connect(addr, config).await.unwrap();
            let status = fetch_manifest(&mut request).await;
            assert!(status.starts_with("http/1.1 200"), "{status}");
            (heard, published.elapsed().as_secs_f64(), stream)
        }));
    }
    let content = citizen_window_content::Content::example_dir();
    let signing = Instant::now();
    let now = citizen_window_protocol::china_time::unix_now_ms();
    citizen_central::publish::publish(fleet.dir.path(), &content, &[], 30, now).unwrap();
    let sign_time = signing.elapsed();
    let (mut heard, mut times) = (Vec::with_capacity(kiosks), Vec::with_capacity(kiosks));
    let mut held = Vec::with_capacity(kiosks);
    for task in waiting {
        let (rung, fetched, stream) = task.await.unwrap();
        heard.push(rung);
        times.push(fetched);
        held.push(stream);
    }
    heard.sort_by(f64::total_cmp);
    times.sort_by(f64::total_cmp);
    // The streams still held, after the burst of fetches, the freed memory given back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after_kib = rss_kib(fleet.pid(), "VmRSS:");
    let per_stream_after_kib = (after_kib.saturating_sub(idle_kib)) as f64 / kiosks as f64;
    let all = times[times.len() - 1];
    println!("# {kiosks} kiosks holding the content push stream on one server (SQLite, mutual TLS, loopback)\n");
    println!("| measure | value | goal |");
    println!("|---|---:|---:|");
    println!(
        "| kiosks enrolled for real (key, CSR, certificate each) | {kiosks} in {:.1} s | |",
        enrol_time.as_secs_f64()
    );
    println!(
        "| streams opened (TLS handshake, request, first event) | {kiosks} in {:.1} s | |",
        open_time.as_secs_f64()
    );
    println!(
        "| server memory per held stream (RSS growth / streams): just opened / after the publish's burst | {per_stream_kib:.1} / {per_stream_after_kib:.1} KiB | under 20 KB |"
    );
    println!(
        "| server RSS: idle / {kiosks} streams just opened / held after the burst | {} / {} / {} MiB | |",
        idle_kib / 1024,
        streaming_kib / 1024,
        after_kib / 1024
    );
    println!("| signing the bundle (publish, before the bell) | {:.0} ms | |", sign_time.as_secs_f64() * 1e3);
    println!(
        "| from publish until every stream has rung | {:.2} s (p50 {:.2} s) | |",
        heard[heard.len() - 1],
        percentile(&heard, 0.5)
    );
    println!(
        "| from publish until every kiosk has fetched the manifest (each on a new TLS connection, {FETCHING_AT_ONCE} at once) | {all:.2} s (p50 {:.2} s, p99 {:.2} s) | under 10 s |",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    drop(held);
}
