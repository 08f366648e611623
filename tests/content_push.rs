//! Content pushed by the central server, end to end over mutual TLS on loopback: `publish` on the
//! server, the push stream rings, the kiosk fetches, checks and applies the bundle, and the
//! headless UI shows it between sessions (never in the middle of one). The stream reconnects by
//! itself after the network drops; a file damaged on disk is fetched again and reported; on
//! PostgreSQL a publish rings the kiosks of every server instance.

mod support;
#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::config::ContentUpdates;
use citizen_window::content::Content;
use citizen_window::content_store::ContentStore;
use citizen_window::kiosk::messages::KioskEvent;
use citizen_window::sync::content_sync::{self, ContentWatch};
use citizen_window::sync::link_worker::LinkTiming;
use citizen_window::sync::push_stream::PushTiming;
use citizen_window::sync::server_client::ServerClient;
use std::path::Path;
use std::time::{Duration, Instant};
use support::TestFleet;
use support::fault_proxy::{FaultProxy, NetworkFault};
use tokio_util::sync::CancellationToken;

/// Longer than any test: only the push stream can bring a publish in time.
const NO_POLL: Duration = Duration::from_secs(3600);

/// The example content with the urgent notice's title replaced by `title`.
fn content_with_urgent_title(title: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&Content::example_dir(), dir.path());
    let notices = dir.path().join("notices.toml");
    let text = std::fs::read_to_string(&notices).unwrap().replace("停水通知：12月3日9时至15时", title);
    std::fs::write(notices, text).unwrap();
    dir
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

fn publish(fleet: &TestFleet, title: &str) -> u64 {
    let content = content_with_urgent_title(title);
    let now = citizen_window_protocol::china_time::unix_now_ms();
    citizen_central::publish::publish(fleet.path(), content.path(), &[], 30, now).unwrap().version
}

fn store(state: &Path, identity: &citizen_window::sync::identity::KioskIdentity) -> ContentStore {
    let key = &identity.enrolment.content_signing_public_key_hex;
    ContentStore::open(&state.join("content"), key, "", 8 << 20).unwrap()
}

fn updates(poll: Duration) -> ContentUpdates {
    ContentUpdates { poll, ..ContentUpdates::default() }
}

/// Waits (up to 30 s, real time) until `done`; says what did not happen otherwise.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if done() {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not happen within 30 s");
}

#[test]
fn a_publish_shows_on_the_idle_screen_and_waits_for_the_end_of_a_residents_session() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let state = tempfile::tempdir().unwrap();
    let identity = rt.block_on(fleet.enrol(state.path()));
    let watch = ContentWatch::new(store(state.path(), &identity), "");
    let h = ui_support::Harness::new(1080, 1920);
    let journal = support::journal_path(state.path());
    let timing = LinkTiming { heartbeat_online: Duration::from_millis(300), ..LinkTiming::default() };
    let content = Some((watch.clone(), updates(NO_POLL)));
    h.ui.with_runtime(|runtime| runtime.start_link_with_content(&identity, &journal, state.path(), timing, content))
        .unwrap();

    // Nobody at the kiosk: the new urgent notice is on the attract screen without a restart.
    h.tick_until("the example content", |text| text.contains("停水通知：12月3日9时至15时"));
    assert_eq!(publish(&fleet, "停电通知：今晚检修"), 1);
    h.tick_until("the published notice", |text| text.contains("停电通知：今晚检修"));
    assert_eq!(watch.report().0, Some(1));

    // A resident in the middle of a service: the next version is applied but not shown to them.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("社区公告");
    h.tick_until("the notices", |text| text.contains("停电通知：今晚检修"));
    assert_eq!(publish(&fleet, "燃气检修通知"), 2);
    wait_until("version 2 applied", || watch.report().0 == Some(2));
    for _ in 0..8 {
        h.ui.tick();
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = h.all_text();
    assert!(
        text.contains("停电通知：今晚检修") && !text.contains("燃气检修通知"),
        "the resident's page is unchanged:\n{text}"
    );
    assert_eq!(h.page(), "notices");

    // The session ends: the new content shows.
    h.tap("退出");
    h.tick_until("version 2 on the attract screen", |text| text.contains("燃气检修通知"));

    // The heartbeat tells the server which version the kiosk shows and that its stream is up.
    let heartbeat = wait_for_heartbeat(&rt, &fleet, |hb| hb.content_version == Some(2));
    let report = heartbeat.content.unwrap();
    assert_eq!((report.stream.as_str(), report.highest_version, report.previous_version), ("connected", 2, Some(1)));
}

fn wait_for_heartbeat(
    rt: &tokio::runtime::Runtime,
    fleet: &TestFleet,
    wanted: impl Fn(&citizen_window_protocol::heartbeat::Heartbeat) -> bool,
) -> citizen_window_protocol::heartbeat::Heartbeat {
    let mut found = None;
    wait_until("the heartbeat", || {
        let kiosks = rt.block_on(async { fleet.storage().await.kiosks().await.unwrap() });
        found = kiosks.into_iter().filter_map(|k| k.last_heartbeat).find(|hb| wanted(hb));
        found.is_some()
    });
    found.unwrap()
}

/// A kiosk's content task alone, on `rt`, through `url`; its events come out of the receiver.
struct ContentKiosk {
    watch: ContentWatch,
    events: std::sync::mpsc::Receiver<KioskEvent>,
    stop: CancellationToken,
    /// The kiosk's state folder, when the kiosk made its own.
    _state: Option<tempfile::TempDir>,
}

impl ContentKiosk {
    fn start(rt: &tokio::runtime::Runtime, fleet: &TestFleet, url: &str, push: PushTiming) -> Self {
        let state = tempfile::tempdir().unwrap();
        let identity = rt.block_on(fleet.enrol(state.path()));
        let mut kiosk = Self::start_in(rt, state.path(), &identity, url, push);
        kiosk._state = Some(state);
        kiosk
    }

    /// The content task of the kiosk whose state is in `state`.
    fn start_in(
        rt: &tokio::runtime::Runtime,
        state: &Path,
        identity: &citizen_window::sync::identity::KioskIdentity,
        url: &str,
        push: PushTiming,
    ) -> Self {
        let watch = ContentWatch::new(store(state, identity), "");
        let client = ServerClient::new(identity).unwrap().with_base(url);
        let (sender, events) = std::sync::mpsc::channel();
        let stop = CancellationToken::new();
        rt.spawn(content_sync::run(client, watch.clone(), updates(NO_POLL), push, sender, stop.clone()));
        Self { watch, events, stop, _state: None }
    }

    /// The urgent notice's title of the next content handed to the controller.
    fn next_shown(&self) -> String {
        match self.events.recv_timeout(Duration::from_secs(30)).expect("new content within 30 s") {
            KioskEvent::ContentArrived(content) => content.notices.iter().find(|n| n.urgent).unwrap().title.zh.clone(),
            other => panic!("not content: {other:?}"),
        }
    }

    fn stream(&self) -> String {
        self.watch.report().2.stream
    }
}

impl Drop for ContentKiosk {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[test]
fn the_push_stream_comes_back_by_itself_after_the_network_drops() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let proxy = rt.block_on(FaultProxy::start(fleet.server.addr));
    let push = PushTiming {
        silence: Duration::from_secs(60),
        retry_min: Duration::from_millis(200),
        retry_max: Duration::from_secs(2),
    };
    let kiosk = ContentKiosk::start(&rt, &fleet, &proxy.url(), push);
    wait_until("the stream connected", || kiosk.stream() == "connected");
    publish(&fleet, "第一版");
    assert_eq!(kiosk.next_shown(), "第一版");

    // The network drops: the stream is reported down, and nothing is lost meanwhile.
    proxy.drop_network();
    wait_until("the stream reported down", || kiosk.stream() != "connected");
    publish(&fleet, "断网期间发布");
    std::thread::sleep(Duration::from_secs(2));
    assert!(kiosk.events.try_recv().is_err(), "nothing arrives through a network that is down");

    // It comes back: the stream reconnects with no restart, and says what was published meanwhile.
    proxy.set(NetworkFault::Pass);
    assert_eq!(kiosk.next_shown(), "断网期间发布");
    wait_until("the stream connected again", || kiosk.stream() == "connected");
    let started = Instant::now();
    publish(&fleet, "恢复后发布");
    assert_eq!(kiosk.next_shown(), "恢复后发布");
    eprintln!("publish to content handed over after the reconnect: {:?}", started.elapsed());
}

#[test]
fn a_stream_that_goes_silent_is_taken_for_dead_and_opened_again() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let proxy = rt.block_on(FaultProxy::start(fleet.server.addr));
    // The server's keep-alives come every 20 s: a second of silence is death here.
    let push = PushTiming {
        silence: Duration::from_secs(1),
        retry_min: Duration::from_millis(200),
        retry_max: Duration::from_secs(1),
    };
    let kiosk = ContentKiosk::start(&rt, &fleet, &proxy.url(), push);
    wait_until("the stream connected", || kiosk.stream() == "connected");
    proxy.set(NetworkFault::BlackHole);
    wait_until("the silent stream reported", || {
        let report = kiosk.watch.report().2;
        report.stream != "connected"
            && report.stream_detail.is_some_and(|d| d.contains("nothing heard") || d.contains("in time"))
    });
    proxy.set(NetworkFault::Pass);
    wait_until("the stream connected again", || kiosk.stream() == "connected");
}

#[test]
fn a_file_damaged_on_disk_is_fetched_again_and_reported() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let state = tempfile::tempdir().unwrap();
    let identity = rt.block_on(fleet.enrol(state.path()));
    let kiosk = ContentKiosk::start_in(&rt, state.path(), &identity, &fleet.url, PushTiming::default());
    publish(&fleet, "完好的版本");
    assert_eq!(kiosk.next_shown(), "完好的版本");
    drop(kiosk);

    // The disk damages a file while the kiosk is off.
    let notices = state.path().join("content/current/notices.toml");
    let good = std::fs::read(&notices).unwrap();
    std::fs::write(&notices, b"[[notice]]\nid = \"garbage").unwrap();
    assert_eq!(store(state.path(), &identity).whole_dir(), None, "a damaged version is not shown as whole");

    // At the next start the file is found, fetched again, and the version shown whole.
    let kiosk = ContentKiosk::start_in(&rt, state.path(), &identity, &fleet.url, PushTiming::default());
    assert_eq!(kiosk.next_shown(), "完好的版本");
    assert_eq!(std::fs::read(&notices).unwrap(), good, "the file is whole again");
    assert_eq!(kiosk.watch.report().2.repaired_files, 1, "and the repair is reported");
}

#[test]
fn on_postgresql_a_publish_rings_the_kiosks_of_every_server_instance() {
    use citizen_central::server::ServeOptions;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = rt.block_on(support::postgres_test_database()) else { return };
    // Two instances on one database and one folder, as behind a district's load balancer.
    let fleet = rt.block_on(TestFleet::start(Some(&database)));
    let options = ServeOptions { database: Some(database.clone()), ..ServeOptions::default() };
    let listen = "127.0.0.1:0".parse().unwrap();
    let second = rt.block_on(citizen_central::server::start(fleet.path(), listen, &options)).unwrap();
    let token = rt.block_on(async {
        let storage = citizen_central::storage::Storage::open(&database, fleet.path()).await.unwrap();
        let ca = citizen_central::pki::Fleet::load(fleet.path()).unwrap().ca_pem;
        let token =
            format!("{}.{}", citizen_central::pki::random_hex(16), citizen_central::pki::ca_fingerprint(&ca).unwrap());
        storage.create_enrol_token(&citizen_central::storage::token_hash(&token), i64::MAX).await.unwrap();
        token
    });
    let state = tempfile::tempdir().unwrap();
    let enrolment = citizen_window::sync::enrolment::enrol(state.path(), &fleet.url, &token, None);
    let identity = rt.block_on(enrolment).unwrap();

    // The kiosk holds its stream on the second instance; the publish is told to the database.
    let url = format!("https://localhost:{}", second.addr.port());
    let kiosk = ContentKiosk::start_in(&rt, state.path(), &identity, &url, PushTiming::default());
    wait_until("the stream connected", || kiosk.stream() == "connected");
    let version = publish(&fleet, "多实例发布");
    rt.block_on(citizen_central::content_bell::announce(&database, version)).unwrap();
    // The wait (30 s at most) is shorter than an instance's own look on PostgreSQL (a minute): only
    // the notification brings the publish in time.
    assert!(Duration::from_secs(30) < citizen_central::content_bell::POSTGRES_FALLBACK);
    assert_eq!(kiosk.next_shown(), "多实例发布");
    second.shutdown.cancel();
}

fn kioskctl(state: &Path, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .arg("--state")
        .arg(state)
        .args(args)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn a_technicians_rollback_shows_the_previous_version_until_a_newer_one_is_published() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let state = tempfile::tempdir().unwrap();
    let identity = rt.block_on(fleet.enrol(state.path()));
    let (ok, said) = kioskctl(state.path(), &["content", "rollback"]);
    assert!(!ok && said.contains("nothing to roll back"), "{said}");
    let kiosk = ContentKiosk::start_in(&rt, state.path(), &identity, &fleet.url, PushTiming::default());
    publish(&fleet, "第一版");
    assert_eq!(kiosk.next_shown(), "第一版");
    publish(&fleet, "有错的第二版");
    assert_eq!(kiosk.next_shown(), "有错的第二版");

    let (ok, said) = kioskctl(state.path(), &["content", "rollback"]);
    assert!(ok && said.contains("rolled back from version 2 to 1"), "{said}");
    assert_eq!(kiosk.next_shown(), "第一版", "the running kiosk follows the rollback");
    let (_, said) = kioskctl(state.path(), &["content", "status"]);
    assert!(said.contains("showing: version 1") && said.contains("rolled back by a technician"), "{said}");

    publish(&fleet, "改好的第三版");
    assert_eq!(kiosk.next_shown(), "改好的第三版");
    let (_, said) = kioskctl(state.path(), &["content", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&said).unwrap();
    assert_eq!((status["current"].as_u64(), status["highest"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn a_kiosk_holds_two_push_streams_at_most_and_gets_its_place_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let kiosk = rt.block_on(support::TestKiosk::enrol(&fleet));
    rt.block_on(async {
        let first = kiosk.client.content_events("").await.unwrap();
        let second = kiosk.client.content_events("").await.unwrap();
        // A stolen kiosk's certificate cannot take the fleet's connections with streams.
        let third = kiosk.client.content_events("").await.unwrap_err();
        assert!(
            matches!(&third, citizen_window::sync::SyncError::Server { status: 429, code, .. } if code == "too_many_streams"),
            "{third:?}"
        );
        drop(first);
        // The server sees the stream gone at its next write (a keep-alive at the latest).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match kiosk.client.content_events("").await {
                Ok(_) => break,
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
                Err(e) => panic!("the place never came back: {e}"),
            }
        }
        drop(second);
    });
}

#[test]
fn a_stream_is_served_on_its_own_connection_or_after_other_requests_alike() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let kiosk = rt.block_on(support::TestKiosk::enrol(&fleet));
    let pem = format!("{}\n{}", kiosk.identity.key_pem.trim_end(), kiosk.identity.cert_pem);
    let pooled = citizen_window::sync::server_client::fleet_http_client(&kiosk.identity.ca_pem, Some(&pem)).unwrap();
    rt.block_on(async {
        let first_event = |mut response: reqwest::Response| async move {
            let mut seen = Vec::new();
            while !seen.windows(2).any(|w| w == b"\n\n") {
                seen.extend_from_slice(&response.chunk().await.unwrap().expect("the stream goes on"));
            }
            String::from_utf8(seen).unwrap()
        };
        // The kiosk's own way: a new connection, served without the router's buffers.
        let own = kiosk.client.content_events("north").await.unwrap();
        assert_eq!(own.headers()["content-type"], "text/event-stream");
        assert_eq!(own.headers()["connection"], "close", "served on its own connection");
        assert_eq!(first_event(own).await, "event: content\ndata: 0\n\n");
        // After another request on the same connection: the router serves it, the same way.
        let url = |path: &str| format!("{}{path}", fleet.url);
        let manifest = pooled.get(url("/v1/content/manifest")).send().await.unwrap();
        assert_eq!(manifest.status(), 404, "nothing published yet");
        let _ = manifest.bytes().await;
        let routed = pooled.get(url("/v1/content/events?group=north")).send().await.unwrap();
        assert_eq!(routed.headers()["content-type"], "text/event-stream");
        assert!(routed.headers().get("connection").is_none(), "served by the router");
        assert_eq!(first_event(routed).await, "event: content\ndata: 0\n\n");
    });
}

#[test]
fn a_kiosk_connection_whose_first_head_is_too_long_is_answered_and_closed_at_once() {
    use support::raw_tls;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let kiosk = rt.block_on(support::TestKiosk::enrol(&fleet));
    rt.block_on(async {
        let connector = raw_tls::connector(&kiosk.identity.ca_pem, Some(&kiosk.identity));
        let mut connection = raw_tls::connect(&connector, fleet.server.addr).await.unwrap();
        let long =
            format!("GET /v1/content/manifest HTTP/1.1\r\nHost: localhost\r\nX-Long: {}\r\n\r\n", "x".repeat(3000));
        assert_eq!(raw_tls::request_status(&mut connection, &long).await, Some(431));
        assert!(raw_tls::closed_by_server(&mut connection, Duration::from_secs(5)).await);
        // A head of an ordinary size on a new connection is served as before.
        let mut connection = raw_tls::connect(&connector, fleet.server.addr).await.unwrap();
        let short = "GET /v1/content/manifest HTTP/1.1\r\nHost: localhost\r\n\r\n";
        assert_eq!(raw_tls::request_status(&mut connection, short).await, Some(404), "nothing published yet");
    });
}
