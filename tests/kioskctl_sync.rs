//! `kioskctl enrol` and `kioskctl sync` as a technician runs them, against the real server.

mod support;

use std::process::{Command, Output};
use support::TestFleet;

fn kioskctl(state: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl")).arg("--state").arg(state).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread")]
async fn enrol_selftest_status_and_sync_now() {
    let fleet = TestFleet::start(None).await;
    let state = tempfile::tempdir().unwrap();

    let out = kioskctl(state.path(), &["sync", "selftest", "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("kioskctl enrol --server"), "{}", text(&out));

    let token = fleet.token().await;
    let out = tokio::task::spawn_blocking({
        let (state, url) = (state.path().to_path_buf(), fleet.url.clone());
        move || kioskctl(&state, &["enrol", "--server", &url, "--token", &token, "--label", "幸福里 1号机"])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("enrolled as kiosk-"));

    let run = |args: &'static [&'static str]| {
        let state = state.path().to_path_buf();
        tokio::task::spawn_blocking(move || kioskctl(&state, args))
    };
    let out = run(&["sync", "selftest"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("acknowledged by the server; round trip"));

    let out = run(&["sync", "status", "--json"]).await.unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((status["last_seq"].as_u64(), status["pending"].as_u64()), (Some(1), Some(0)));

    let out = run(&["sync", "now"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let kiosks = fleet.storage().await.kiosks().await.unwrap();
    assert_eq!(kiosks[0].label.as_deref(), Some("幸福里 1号机"));
    assert!(kiosks[0].last_heartbeat.is_some(), "sync now also sends a heartbeat");

    // The server goes away: a clear line and a non-zero exit; nothing recorded is lost.
    fleet.server.shutdown.cancel();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let out = run(&["sync", "selftest", "--timeout", "2"]).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("did not reach the server"), "{}", text(&out));
    let out = run(&["sync", "status"]).await.unwrap();
    assert!(text(&out).contains("backlog:               1"), "{}", text(&out));
    assert!(text(&out).contains("last error"), "{}", text(&out));
}
