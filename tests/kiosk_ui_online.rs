//! The running kiosk and the central server: the real server on loopback with mutual TLS, the
//! kiosk's server link and recording threads, the headless UI. With the server down the offline
//! banner shows, the online-only tiles say why they cannot be used, and a queue ticket still
//! works; once the server is back the banner goes and the ticket reaches the server, once.

mod support;
#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::devices::RecordingWorker;
use citizen_window::sync::link_worker::{LinkTiming, ServerLink};
use std::time::{Duration, Instant};
use support::TestFleet;
use support::fault_proxy::{FaultProxy, NetworkFault};
use ui_support::Harness;

#[test]
fn a_server_that_goes_down_shows_offline_and_the_backlog_goes_when_it_is_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let proxy = rt.block_on(FaultProxy::start(fleet.server.addr));
    let state = tempfile::tempdir().unwrap();
    let mut identity = rt.block_on(fleet.enrol(state.path()));
    identity.enrolment.server_url = proxy.url();
    proxy.set(NetworkFault::Down);

    let h = Harness::new(1080, 1920);
    let (events, reports) = std::sync::mpsc::channel();
    let (requests, recorder_requests) = std::sync::mpsc::channel();
    h.ui.listen(reports);
    h.ui.record_with(requests);
    let journal_path = support::journal_path(state.path());
    let timing = LinkTiming {
        heartbeat_online: Duration::from_millis(300),
        heartbeat_offline: Duration::from_millis(300),
        upload_idle: Duration::from_secs(60),
    };
    let link =
        ServerLink::start(&identity, journal_path.clone(), state.path().to_path_buf(), events.clone(), timing).unwrap();
    let _recorder = RecordingWorker::start(journal_path, None, recorder_requests, events, Some(link.wake())).unwrap();

    // Down: the banner says what still works, and the bill tile says why it cannot be used.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tick_until("the offline banner", |text| text.contains("本机暂时离线"));
    assert!(h.all_text().contains("需要联网，暂不可用"));

    // An offline service still works: a queue ticket, journaled, waiting for the server.
    h.tap("预约取号");
    h.tap("社保");
    h.tick_until("the ticket", |text| text.contains("A001"));
    let exported = rt.block_on(async { fleet.storage().await.export(None).await.unwrap() });
    assert!(exported.is_empty(), "nothing reached a server that is down");

    // Back: the banner goes, and the backlog reaches the server at once, exactly once.
    proxy.set(NetworkFault::Pass);
    h.tick_until("the banner gone", |text| !text.contains("本机暂时离线"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let tickets = loop {
        let exported = rt.block_on(async { fleet.storage().await.export(None).await.unwrap() });
        let tickets: Vec<_> = exported.into_iter().filter(|t| t.record.kind == "queue_ticket").collect();
        if !tickets.is_empty() || Instant::now() > deadline {
            break tickets;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(tickets.len(), 1, "the ticket is on the server once");
    assert!(tickets[0].record.payload.as_str().contains("A001"));
    drop(link);
}
