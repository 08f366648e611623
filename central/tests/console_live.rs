//! The fleet page's live view over real HTTPS against the real server: a simulated kiosk's
//! heartbeats over mutual TLS show within seconds (online, paper out, back to fine), its silence
//! shows as offline, a new label and a revocation show too, and the kiosk's page keeps the
//! history; with two server instances on one PostgreSQL, a heartbeat arriving at one shows on the
//! console of the other.

#[path = "support/console_rig.rs"]
mod console_rig;
mod support;

use console_rig::{LiveView, PASSWORD, Rig, RigOptions, SimKiosk, form_token, post, signed_in};
use reqwest::StatusCode;
use std::time::Duration;

/// Generous: the goal is 2 s, but the machines running tests are shared and noisy.
const SHOWS_WITHIN: Duration = Duration::from_secs(10);

#[tokio::test]
async fn the_fleet_page_follows_a_kiosk_live_and_its_page_keeps_its_history() {
    let options = RigOptions { heartbeat_interval_seconds: 1, ..RigOptions::default() };
    let rig = Rig::start_with(&[("admin.li", "admin")], ("kiosk-live", "东门 1号机"), options).await;
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-live");

    // The live view needs a session; its script is the only one the page may run.
    let refused = web.get(at("/fleet/events")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let (session, page) = signed_in(web, &at, "admin.li", PASSWORD).await;
    assert!(page.contains(r#"<script src="/console.js" defer>"#), "{page}");
    let script = web.get(at("/console.js")).send().await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    let policy = script.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("script-src 'self';") && policy.contains("connect-src 'self'"), "{policy}");
    assert!(script.text().await.unwrap().contains("EventSource"));

    // A lying kiosk's figures break neither the heartbeat nor the pages.
    let lie = |beat: &mut citizen_window_protocol::heartbeat::Heartbeat| {
        (beat.oldest_pending_ms, beat.sent_at_ms, beat.backlog) = (Some(i64::MIN), i64::MAX, u64::MAX);
    };
    assert_eq!(kiosk.heartbeat_with("ok", lie).await, StatusCode::OK);
    let fleet = web.get(at("/")).header("cookie", &session).send().await.unwrap();
    assert_eq!(fleet.status(), StatusCode::OK);
    assert!(fleet.text().await.unwrap().contains("同步积压 sync behind"));
    let lie = |beat: &mut citizen_window_protocol::heartbeat::Heartbeat| beat.oldest_pending_ms = Some(i64::MAX);
    assert_eq!(kiosk.heartbeat_with("ok", lie).await, StatusCode::OK);
    assert_eq!(web.get(at("/")).header("cookie", &session).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        web.get(at("/kiosks/kiosk-live")).header("cookie", &session).send().await.unwrap().status(),
        StatusCode::OK
    );

    let mut live = LiveView::open(web, at("/fleet/events"), &session).await;
    assert_eq!(kiosk.heartbeat("ok").await, StatusCode::OK);
    let (took, _) = live.row_with("kiosk-live", "在线 online", SHOWS_WITHIN).await;
    eprintln!("a heartbeat showed on the live view after {took:?}");
    // Silent for over 1.5 intervals: offline, though no request said so.
    live.row_with("kiosk-live", "离线 offline", SHOWS_WITHIN).await;
    assert_eq!(kiosk.heartbeat("out").await, StatusCode::OK);
    let (_, html) = live.row_with("kiosk-live", "缺纸 paper out", SHOWS_WITHIN).await;
    assert!(html.contains(r#"data-problem="1""#) && html.contains("在线 online"), "{html}");
    assert_eq!(kiosk.heartbeat("ok").await, StatusCode::OK);
    live.row_with("kiosk-live", "正常 fine", SHOWS_WITHIN).await;

    // The kiosk's page: the offline spell and the paper-out are in its history, its certificate's
    // end (seen at its heartbeats) is shown.
    let kiosk_page = web.get(at("/kiosks/kiosk-live")).header("cookie", &session).send().await.unwrap();
    assert_eq!(kiosk_page.status(), StatusCode::OK);
    let kiosk_page = kiosk_page.text().await.unwrap();
    assert!(kiosk_page.contains("Offline 1 times; paper out 1 times"), "{kiosk_page}");
    assert!(
        kiosk_page.contains("纸 paper: ok") && kiosk_page.contains("0.1.0"),
        "the devices and versions: {kiosk_page}"
    );
    let row = rig.storage.kiosk("kiosk-live").await.unwrap().unwrap();
    let ends = row.certificate_ends_ms.expect("the certificate's end, from the heartbeat's connection");
    let days_left = (ends - citizen_central::api::now_ms()) / 86_400_000;
    assert!((363..=365).contains(&days_left), "{days_left}");
    let ends_text = citizen_window_protocol::china_time::date_time_text(ends);
    assert!(kiosk_page.contains(&ends_text), "{kiosk_page}");

    // A new label shows as text on the live view; a revocation shows, and the kiosk is refused.
    let token = form_token(&kiosk_page);
    let label = [("csrf", token.as_str()), ("kiosk_id", "kiosk-live"), ("label", "<b>北门</b>")];
    assert_eq!(post(web, at("/kiosks/rename"), &session, &label).await.status(), StatusCode::SEE_OTHER);
    live.row_with("kiosk-live", "&lt;b&gt;北门&lt;/b&gt;", SHOWS_WITHIN).await;
    let too_long = "长".repeat(65);
    let label = [("csrf", token.as_str()), ("kiosk_id", "kiosk-live"), ("label", too_long.as_str())];
    assert_eq!(post(web, at("/kiosks/rename"), &session, &label).await.status(), StatusCode::BAD_REQUEST);
    let revoke = [("csrf", token.as_str()), ("kiosk_id", "kiosk-live")];
    assert_eq!(post(web, at("/kiosks/revoke"), &session, &revoke).await.status(), StatusCode::SEE_OTHER);
    live.row_with("kiosk-live", "已吊销 revoked", SHOWS_WITHIN).await;
    assert_eq!(kiosk.heartbeat("ok").await, StatusCode::FORBIDDEN);
    let actions: Vec<String> = rig.storage.audit_log(2).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["revoke kiosk", "rename kiosk"]);
    rig.server.shutdown.cancel();
}

#[tokio::test]
async fn a_heartbeat_at_one_instance_shows_live_on_the_console_of_another() {
    let Some(url) = support::postgres_test_database().await else { return };
    let options = RigOptions { database: Some(url), ..RigOptions::default() };
    let rig = Rig::start_with(&[("staff.zhao", "staff")], ("kiosk-pg", "南门"), options).await;
    let other = rig.another_instance().await;
    let (session, _) = signed_in(&rig.web, &|path: &str| rig.at(path), "staff.zhao", PASSWORD).await;
    let mut live = LiveView::open(&rig.web, rig.at("/fleet/events"), &session).await;
    // The kiosk talks to the other instance; the console is served by the first.
    let kiosk = SimKiosk::new(rig.fleet.path(), other.addr, "kiosk-pg");
    assert_eq!(kiosk.heartbeat("low").await, StatusCode::OK);
    let (took, _) = live.row_with("kiosk-pg", "纸将用完 paper low", SHOWS_WITHIN).await;
    eprintln!("a heartbeat at one instance showed on the other's console after {took:?}");
    other.shutdown.cancel();
    rig.server.shutdown.cancel();
}
