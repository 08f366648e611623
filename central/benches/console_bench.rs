//! The community office's console under a district's load, over real HTTPS against the real
//! server (in this process) on SQLite:
//! - the fleet page of 10,000 kiosks (goal: under 100 ms on the server, under 300 KB), against
//!   the floor of reading the kiosks from the database alone;
//! - the report list of 100,000 reports, first page, filtered and deep pages (goal: under 100 ms);
//! - a heartbeat, and a kiosk's call for staff (呼叫工作人员), to the console's live view (goal:
//!   p99 under 2 s), on SQLite and, with
//!   CITIZEN_CENTRAL_TEST_POSTGRES set, between two instances on one PostgreSQL.
//!
//! Run: `cargo bench -p citizen-central --bench console_bench` (`-- live`, `-- fleet` or `-- reports`
//! for one part).

#[path = "../tests/support/console_rig.rs"]
mod console_rig;

use citizen_central::storage::{HeartbeatArrival, Storage, token_hash};
use citizen_window_protocol::heartbeat::{DeviceReport, Heartbeat};
use console_rig::{LiveView, PASSWORD, Rig, RigOptions, SimKiosk, issue_report, signed_in};
use std::time::{Duration, Instant};

const KIOSKS: usize = 10_000;
const REPORTS: u64 = 100_000;
const LIVE_SAMPLES: usize = 300;

fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn heartbeat(paper: &str, at_ms: i64) -> Heartbeat {
    let device = |device: &str, status: &str, paper: Option<&str>| DeviceReport {
        device: device.into(),
        status: status.into(),
        paper: paper.map(str::to_string),
        detail: None,
    };
    Heartbeat {
        sent_at_ms: at_ms,
        devices: vec![device("receipt_printer", "online", Some(paper)), device("card_reader", "online", None)],
        backlog: 3,
        oldest_pending_ms: Some(at_ms - 60_000),
        content_version: Some(12),
        software_version: "0.1.0".into(),
        free_disk_bytes: Some(1 << 30),
        rejected_bundles: vec![],
        content: None,
        refused_records: 0,
    }
}

/// Enrols `count` kiosks straight into the database, each with a heartbeat; one in 40 low on paper
/// and one in 100 silent.
async fn fill_fleet(storage: &Storage, count: usize) {
    let now = citizen_central::api::now_ms();
    for n in 0..count {
        let kiosk_id = format!("kiosk-{n:05}");
        let token = format!("bench-{n}");
        storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
        storage.enrol_kiosk(&token_hash(&token), &kiosk_id, Some(&format!("幸福里 {n} 号机")), 1).await.unwrap();
        let paper = if n % 40 == 0 { "low" } else { "ok" };
        let at_ms = if n % 100 == 7 { now - 3_600_000 } else { now };
        let beat = heartbeat(paper, at_ms);
        let arrival = HeartbeatArrival {
            kiosk_id: &kiosk_id,
            heartbeat: &beat,
            condition: String::new(),
            certificate_ends_ms: Some(now + 300 * 86_400_000),
            at_ms,
            offline_after_ms: 45_000,
        };
        storage.save_heartbeat(&arrival).await.unwrap();
    }
}

/// Times `path` `rounds` times on the console: median, p95, and the body's size.
async fn time_page(web: &reqwest::Client, url: String, session: &str, rounds: usize) -> (Duration, Duration, usize) {
    let (mut times, mut bytes) = (Vec::new(), 0);
    for _ in 0..rounds {
        let started = Instant::now();
        let answer = web.get(&url).header("cookie", session).send().await.unwrap();
        assert!(answer.status().is_success(), "{url}: {}", answer.status());
        bytes = answer.bytes().await.unwrap().len();
        times.push(started.elapsed());
    }
    (quantile(&mut times, 0.5), quantile(&mut times, 0.95), bytes)
}

async fn fleet_page() {
    let rig = Rig::start(&[("admin.li", "admin")], ("kiosk-zzzzz", "服务站")).await;
    let started = Instant::now();
    fill_fleet(&rig.storage, KIOSKS - 1).await;
    println!("fleet: {KIOSKS} kiosks enrolled with heartbeats in {:.1} s", started.elapsed().as_secs_f64());
    let at = |path: &str| rig.at(path);
    let (session, _) = signed_in(&rig.web, &at, "admin.li", PASSWORD).await;
    let mut floor = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(rig.storage.kiosks().await.unwrap().len(), KIOSKS);
        floor.push(started.elapsed());
    }
    let floor = quantile(&mut floor, 0.5);
    let (median, p95, bytes) = time_page(&rig.web, at("/"), &session, 20).await;
    println!(
        "fleet page, {KIOSKS} kiosks: median {} p95 {} ({:.2} of the 100 ms goal), {:.1} KB ({:.2} of 300 KB); \
         reading the kiosks alone: {} (page/read {:.2})",
        ms(median),
        ms(p95),
        median.as_secs_f64() / 0.1,
        bytes as f64 / 1024.0,
        bytes as f64 / (300.0 * 1024.0),
        ms(floor),
        median.as_secs_f64() / floor.as_secs_f64(),
    );
    let (median, p95, bytes) = time_page(&rig.web, at("/?page=100"), &session, 20).await;
    println!("fleet page 100: median {} p95 {}, {:.1} KB", ms(median), ms(p95), bytes as f64 / 1024.0);
    rig.server.shutdown.cancel();
}

async fn report_list() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-r", "东门")).await;
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-r");
    let started = Instant::now();
    let places = [("b1", "1 号楼"), ("b3", "3 号楼"), ("b5", "5 号楼"), ("gate", "东门")];
    for first in (1..=REPORTS).step_by(1000) {
        let batch =
            (first..first + 1000).map(|n| issue_report(n, &format!("2611{n:012}"), places[(n % 4) as usize])).collect();
        assert!(kiosk.upload(batch).await.is_success());
    }
    println!("reports: {REPORTS} uploaded in {:.1} s", started.elapsed().as_secs_f64());
    let at = |path: &str| rig.at(path);
    let (session, first) = signed_in(&rig.web, &at, "staff.zhao", PASSWORD).await;
    assert!(!first.is_empty());
    let list = rig.web.get(at("/reports")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    let deep = {
        // The cursor of page 1,000 (50,000 reports back), as the "older" link would carry it.
        let rows = rig
            .storage
            .reports(&citizen_central::storage::ReportFilter { limit: 50_000, ..Default::default() })
            .await
            .unwrap();
        let last = rows.last().unwrap();
        format!("/reports?after={}.{}", last.received_at_ms, last.tracking_number)
    };
    assert!(list.contains("id=\"older\""));
    for (name, path) in [
        ("first page", "/reports".to_string()),
        ("open only", "/reports?status=open".into()),
        ("one place", "/reports?place=b3".into()),
        ("a rare status (none match)", "/reports?status=rejected".into()),
        ("overdue only", "/reports?overdue=1".into()),
        ("page 1,001", deep),
    ] {
        let (median, p95, bytes) = time_page(&rig.web, at(&path), &session, 20).await;
        println!(
            "report list, {REPORTS} reports, {name}: median {} p95 {} ({:.2} of the 100 ms goal), {:.1} KB",
            ms(median),
            ms(p95),
            median.as_secs_f64() / 0.1,
            bytes as f64 / 1024.0
        );
    }
    rig.server.shutdown.cancel();
}

/// Heartbeats that change the row, each timed from its sending to its row on the live view.
async fn live_view(label: &str, rig: &Rig, kiosk: &SimKiosk) {
    let at = |path: &str| rig.at(path);
    let (session, _) = signed_in(&rig.web, &at, "staff.zhao", PASSWORD).await;
    let mut live = LiveView::open(&rig.web, at("/fleet/events"), &session).await;
    let mut samples = Vec::new();
    for n in 0..LIVE_SAMPLES {
        let (paper, shown) = if n % 2 == 0 { ("low", "纸将用完 paper low") } else { ("ok", "正常 fine") };
        let started = Instant::now();
        assert!(kiosk.heartbeat(paper).await.is_success());
        live.row_with("kiosk-l", shown, Duration::from_secs(10)).await;
        samples.push(started.elapsed());
    }
    print_latency("heartbeat to live view", label, "heartbeats", &mut samples);

    // 呼叫工作人员: each call timed from the kiosk's request to the call on the live view; then
    // answered, and a heartbeat shows the row as fine again before the next.
    let mut samples = Vec::new();
    for _ in 0..LIVE_SAMPLES {
        let started = Instant::now();
        let call = kiosk.call_help().await;
        live.row_with("kiosk-l", "居民呼叫", Duration::from_secs(10)).await;
        samples.push(started.elapsed());
        let now = citizen_central::api::now_ms();
        rig.storage.answer_help_call(&call.call_id, "已收到", "staff.zhao", now).await.unwrap().unwrap();
        assert!(kiosk.heartbeat("ok").await.is_success());
        live.row_with("kiosk-l", "正常 fine", Duration::from_secs(10)).await;
    }
    print_latency("help button to console", label, "calls", &mut samples);
}

fn print_latency(what: &str, label: &str, unit: &str, samples: &mut [Duration]) {
    println!(
        "{what}, {label}, {} {unit}: median {} p99 {} max {} ({:.3} of the 2 s goal)",
        samples.len(),
        ms(quantile(samples, 0.5)),
        ms(quantile(samples, 0.99)),
        ms(quantile(samples, 1.0)),
        quantile(samples, 0.99).as_secs_f64() / 2.0,
    );
}

async fn live_views() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-l", "东门")).await;
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-l");
    live_view("SQLite, one instance", &rig, &kiosk).await;
    rig.server.shutdown.cancel();
    let Ok(base) = std::env::var("CITIZEN_CENTRAL_TEST_POSTGRES") else {
        println!("heartbeat to live view across instances: skipped (set CITIZEN_CENTRAL_TEST_POSTGRES)");
        return;
    };
    let client = citizen_central::storage::postgres_tls::connect_one(&base).await.unwrap();
    let name = format!("citizen_bench_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = citizen_central::storage::postgres_tls::with_database(&base, &name);
    let options = RigOptions { database: Some(url), ..RigOptions::default() };
    let rig = Rig::start_with(&[("staff.zhao", "staff")], ("kiosk-l", "东门"), options).await;
    let other = rig.another_instance().await;
    let kiosk = SimKiosk::new(rig.fleet.path(), other.addr, "kiosk-l");
    live_view("PostgreSQL, heartbeat at one instance, console on another", &rig, &kiosk).await;
    other.shutdown.cancel();
    rig.server.shutdown.cancel();
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // `cargo bench … -- reports` runs only the parts named (live, fleet, reports).
    let asked: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runs = |part: &str| asked.is_empty() || asked.iter().any(|a| a == part);
    runtime.block_on(async {
        if runs("live") {
            live_views().await;
        }
        if runs("fleet") {
            fleet_page().await;
        }
        if runs("reports") {
            report_list().await;
        }
    });
}
