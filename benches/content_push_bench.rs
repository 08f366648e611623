//! Content pushed by the server, measured end to end on loopback over mutual TLS:
//! 1. publish-to-screen latency over 100 publishes (SQLite, and PostgreSQL when
//!    `CITIZEN_CENTRAL_TEST_POSTGRES` is set), from the start of `publish` until the controller
//!    (the UI's model) shows the new urgent notice, beside the 5-minute poll that signage players use;
//! 2. applying a 50 MB bundle while the kiosk UI draws full 1080x1920 frames with the software
//!    renderer: the apply's time and the longest frame meanwhile.
//!
//! Run: `cargo bench -p citizen-window --bench content_push_bench`.

use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki, server};
use citizen_window::config::ContentUpdates;
use citizen_window::content::Content;
use citizen_window::content_store::ContentStore;
use citizen_window::kiosk::KioskController;
use citizen_window::session::SessionTiming;
use citizen_window::sync::content_sync::{self, ContentWatch};
use citizen_window::sync::identity::KioskIdentity;
use citizen_window::sync::server_client::ServerClient;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PUBLISHES: usize = 100;
const BIG_FILES: usize = 50;
const BIG_FILE_BYTES: usize = 1_000_000;
/// The usual advice for signage players that only poll.
const PEER_POLL: Duration = Duration::from_secs(300);

struct Fleet {
    dir: tempfile::TempDir,
    database: String,
    url: String,
    _server: server::RunningServer,
}

async fn fleet(base: &Path, database: &str) -> Fleet {
    let dir = tempfile::tempdir_in(base).unwrap();
    pki::init_fleet(dir.path(), &["localhost".into()]).unwrap();
    let config = CentralConfig {
        database: database.into(),
        public_url: "https://localhost:1".into(),
        appointment_horizon_days: 30,
        kiosk_certificate_days: 365,
        heartbeat_interval_seconds: 30,
    };
    config.save(dir.path()).unwrap();
    let running = server::start(dir.path(), "127.0.0.1:0".parse().unwrap(), &Default::default()).await.unwrap();
    let url = format!("https://localhost:{}", running.addr.port());
    Fleet { dir, database: database.into(), url, _server: running }
}

async fn enrol(fleet: &Fleet, state: &Path) -> KioskIdentity {
    let storage = Storage::open(&fleet.database, fleet.dir.path()).await.unwrap();
    let ca = pki::Fleet::load(fleet.dir.path()).unwrap().ca_pem;
    let token = format!("{}.{}", pki::random_hex(16), pki::ca_fingerprint(&ca).unwrap());
    storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
    citizen_window::sync::enrolment::enrol(state, &fleet.url, &token, None).await.unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The example content with the urgent notice's title set to `title`.
fn folder_with_title(base: &Path, title: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir_in(base).unwrap();
    copy_tree(&Content::example_dir(), dir.path());
    let notices = dir.path().join("notices.toml");
    let text = std::fs::read_to_string(&notices).unwrap().replace("停水通知：12月3日9时至15时", title);
    std::fs::write(notices, text).unwrap();
    dir
}

fn urgent_title(content: &Content) -> String {
    content.notices.iter().find(|n| n.urgent).map(|n| n.title.zh.clone()).unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Publish-to-screen latencies in ms, sorted.
fn latencies(rt: &tokio::runtime::Runtime, base: &Path, database: &str) -> Vec<f64> {
    let fleet = rt.block_on(fleet(base, database));
    let state = tempfile::tempdir_in(base).unwrap();
    let identity = rt.block_on(enrol(&fleet, state.path()));
    let key = &identity.enrolment.content_signing_public_key_hex;
    let store = ContentStore::open(&state.path().join("content"), key, "", 8 << 20).unwrap();
    let watch = ContentWatch::new(store, "");
    let (events, arrived) = std::sync::mpsc::channel();
    let updates = ContentUpdates { poll: Duration::from_secs(3600), ..ContentUpdates::default() };
    let client = ServerClient::new(&identity).unwrap();
    rt.spawn(content_sync::run(client, watch.clone(), updates, Default::default(), events, Default::default()));
    let t0 = Instant::now();
    let example = Content::load(&Content::example_dir()).unwrap();
    let mut controller = KioskController::new(example, SessionTiming::default(), t0, 1);
    while watch.report().2.stream != "connected" {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut times = Vec::with_capacity(PUBLISHES);
    for n in 0..PUBLISHES {
        let title = format!("第{n}次发布的通知");
        let folder = folder_with_title(base, &title);
        // Publishes come at moments unrelated to any timer of the server's.
        std::thread::sleep(Duration::from_millis(100 + fastrand::u64(0..400)));
        let started = Instant::now();
        let now = citizen_window_protocol::china_time::unix_now_ms();
        let published = citizen_central::publish::publish(fleet.dir.path(), folder.path(), &[], 30, now).unwrap();
        if citizen_central::content_bell::is_postgres(database) {
            rt.block_on(citizen_central::content_bell::announce(database, published.version)).unwrap();
        }
        loop {
            let event = arrived.recv_timeout(Duration::from_secs(60)).expect("the publish reached the kiosk");
            controller.handle_event(event, t0);
            if urgent_title(controller.content()) == title {
                break;
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    times
}

/// The time to apply a 50 MB bundle and the frames drawn meanwhile (ms), the longest first.
fn apply_while_drawing(rt: &tokio::runtime::Runtime, base: &Path) -> (f64, Vec<f64>, f64) {
    use slint::platform::software_renderer::{MinimalSoftwareWindow, PremultipliedRgbaColor, RepaintBufferType};
    struct Board(std::rc::Rc<MinimalSoftwareWindow>);
    impl slint::platform::Platform for Board {
        fn create_window_adapter(
            &self,
        ) -> Result<std::rc::Rc<dyn slint::platform::WindowAdapter>, slint::PlatformError> {
            Ok(self.0.clone())
        }
    }
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Board(window.clone()))).unwrap();
    let (width, height) = (1080u32, 1920u32);
    window.set_size(slint::PhysicalSize::new(width, height));

    let fleet = rt.block_on(fleet(base, "central.sqlite"));
    let state = tempfile::tempdir_in(base).unwrap();
    let identity = rt.block_on(enrol(&fleet, state.path()));
    let key = &identity.enrolment.content_signing_public_key_hex;
    let store = ContentStore::open(&state.path().join("content"), key, "", 8 << 20).unwrap();
    let watch = ContentWatch::new(store, "");
    let app = citizen_window::ui::AppWindow::new().unwrap();
    let content = Content::load(&Content::example_dir()).unwrap();
    let clock: citizen_window::ui::Clock = std::rc::Rc::new(Instant::now);
    let controller = KioskController::new(content, SessionTiming::default(), Instant::now(), 1);
    let ui = citizen_window::ui::KioskUi::new(app, controller, clock);
    let journal = state.path().join("journal.sqlite");
    let updates = ContentUpdates { poll: Duration::from_secs(3600), ..ContentUpdates::default() };
    let timing = citizen_window::sync::link_worker::LinkTiming::default();
    ui.with_runtime(|r| {
        r.start_link_with_content(&identity, &journal, state.path(), timing, Some((watch.clone(), updates)))
    })
    .unwrap();
    let mut frame = vec![PremultipliedRgbaColor::default(); (width * height) as usize];
    let mut draw = |ui: &citizen_window::ui::KioskUi| {
        let started = Instant::now();
        ui.tick();
        window.request_redraw();
        window.draw_if_needed(|renderer| {
            renderer.render(&mut frame, width as usize);
        });
        started.elapsed().as_secs_f64() * 1e3
    };
    while watch.report().2.stream != "connected" {
        draw(&ui);
        std::thread::sleep(Duration::from_millis(16));
    }
    // 50 files of random bytes beside the example content: 50 MB to fetch, hash and write.
    let folder = folder_with_title(base, "五十兆字节的内容");
    for n in 0..BIG_FILES {
        let bytes: Vec<u8> = (0..BIG_FILE_BYTES).map(|_| fastrand::u8(..)).collect();
        std::fs::write(folder.path().join("images").join(format!("big-{n:02}.bin")), bytes).unwrap();
    }
    let now = citizen_window_protocol::china_time::unix_now_ms();
    let started = Instant::now();
    citizen_central::publish::publish(fleet.dir.path(), folder.path(), &[], 30, now).unwrap();
    let published_in = started.elapsed().as_secs_f64();
    let mut frames = Vec::new();
    let applied_in = loop {
        frames.push(draw(&ui));
        if watch.report().0 == Some(1) {
            break started.elapsed().as_secs_f64();
        }
        std::thread::sleep(Duration::from_millis(16));
        assert!(started.elapsed() < Duration::from_secs(300), "the 50 MB bundle was applied");
    };
    // The frames until the new content is on screen, the picture decoded.
    while urgent_title(ui.controller.borrow().content()) != "五十兆字节的内容" {
        frames.push(draw(&ui));
        std::thread::sleep(Duration::from_millis(16));
    }
    frames.push(draw(&ui));
    frames.sort_by(|a, b| b.total_cmp(a));
    (applied_in, frames, published_in)
}

fn main() {
    let base: PathBuf =
        std::env::var_os("CITIZEN_WINDOW_BENCH_DIR").map_or_else(|| PathBuf::from("target"), Into::into);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut databases = vec![("SQLite", "central.sqlite".to_string())];
    if let Ok(base_url) = std::env::var("CITIZEN_CENTRAL_TEST_POSTGRES") {
        let url = rt.block_on(async {
            let client = citizen_central::storage::postgres_tls::connect_one(&base_url).await.unwrap();
            let name = format!("citizen_bench_{}", uuid::Uuid::now_v7().simple());
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
            citizen_central::storage::postgres_tls::with_database(&base_url, &name)
        });
        databases.push(("PostgreSQL (NOTIFY)", url));
    }
    println!("# Content from publish to screen ({PUBLISHES} publishes, loopback, mutual TLS)\n");
    println!("| server | p50 | p99 | max | a 5-minute poll (p50 / p99) | ratio at p50 / p99 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, database) in &databases {
        let times = latencies(&rt, &base, database);
        let (p50, p99, max) = (percentile(&times, 0.5), percentile(&times, 0.99), times[times.len() - 1]);
        // A poll every T finds a publish after a wait spread evenly over [0, T].
        let (peer50, peer99) = (PEER_POLL.as_secs_f64() * 500.0, PEER_POLL.as_secs_f64() * 990.0);
        println!(
            "| {name} | {p50:.0} ms | {p99:.0} ms | {max:.0} ms | {:.0} s / {:.0} s | {:.0}× / {:.0}× |",
            peer50 / 1e3,
            peer99 / 1e3,
            peer50 / p50,
            peer99 / p99
        );
    }
    let (applied, frames, published) = apply_while_drawing(&rt, &base);
    println!("\n# Applying a 50 MB bundle ({BIG_FILES} files of 1 MB) while the UI draws 1080x1920 frames\n");
    println!("| measure | value | goal |");
    println!("|---|---:|---:|");
    println!("| signing it on the server (publish) | {published:.2} s | |");
    println!(
        "| from publish to the version applied on the kiosk (fetched, checked, synced, switched) | {applied:.2} s | |"
    );
    println!(
        "| frames drawn meanwhile (tick and full software render each) | {} | |\n| longest frame | {:.1} ms | under 50 ms |\n| second longest / median frame | {:.1} / {:.1} ms | |",
        frames.len(),
        frames[0],
        frames[1],
        percentile(&frames, 0.5)
    );
}
