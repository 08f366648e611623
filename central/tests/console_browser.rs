//! The console in a real browser (Debian's Chromium over WebDriver) against the real server and
//! its storage: staff sign in, watch a simulated kiosk (heartbeats over mutual TLS) go offline,
//! come back and run out of paper without reloading the page, move a report to resolved and see
//! the kiosk's lookup return it, count votes from two kiosks, and revoke a kiosk whose next upload
//! is then refused.

#[path = "support/console_rig.rs"]
mod console_rig;
#[path = "support/webdriver.rs"]
mod webdriver;

use console_rig::{PASSWORD, Rig, RigOptions, SimKiosk, issue_report, vote};
use reqwest::StatusCode;
use std::time::Duration;
use webdriver::Browser;

/// Generous: the goal is 2 s, but the machines running tests are shared and noisy.
const SHOWS_WITHIN: Duration = Duration::from_secs(15);
const PROPOSAL: &str = "p-2026-12-parking";

#[tokio::test]
async fn staff_run_the_console_in_a_browser() {
    let Some(browser) = Browser::start().await else { return };
    let options = RigOptions { heartbeat_interval_seconds: 1, ..RigOptions::default() };
    let rig = Rig::start_with(&[("admin.li", "admin")], ("kiosk-a", "东门 1号机"), options).await;
    rig.enrol("kiosk-b", "西门 2号机").await;
    let dir = rig.fleet.path();
    let (east, west) = (SimKiosk::new(dir, rig.server.addr, "kiosk-a"), SimKiosk::new(dir, rig.server.addr, "kiosk-b"));
    let at = |path: &str| format!("https://localhost:{}{path}", rig.console.port());

    // Signing in: a wrong password first, then the right one.
    browser.goto(&at("/")).await;
    assert!(browser.url().await.ends_with("/sign-in"), "to sign-in without a session");
    browser.type_into("#name", "admin.li").await;
    browser.type_into("#password", "not the password").await;
    browser.click("form[action='/sign-in'] button").await;
    browser.wait_for("main", "Wrong name or password", SHOWS_WITHIN).await;
    browser.type_into("#name", "admin.li").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form[action='/sign-in'] button").await;
    browser.wait_for("h1", "机器状态", SHOWS_WITHIN).await;
    browser.wait_for("#live-status", "Live", SHOWS_WITHIN).await;

    // The kiosk's row follows it without a reload: online, offline, back with paper out, fine.
    let row = "#k-kiosk-a";
    assert_eq!(east.heartbeat("ok").await, StatusCode::OK);
    let took = browser.wait_for(row, "在线 online", SHOWS_WITHIN).await;
    eprintln!("the browser showed a heartbeat after {took:?}");
    browser.wait_for(row, "离线 offline", SHOWS_WITHIN).await;
    assert_eq!(east.heartbeat("out").await, StatusCode::OK);
    browser.wait_for(row, "缺纸 paper out", SHOWS_WITHIN).await;
    assert_eq!(east.heartbeat("ok").await, StatusCode::OK);
    browser.wait_for(row, "正常 fine", SHOWS_WITHIN).await;

    // A report moved to resolved with a note; the kiosk's lookup returns both.
    assert_eq!(east.upload(vec![issue_report(1, "2611270004000001", ("b3", "3 号楼"))]).await, StatusCode::OK);
    browser.goto(&at("/reports")).await;
    browser.wait_for("main", "2611 2700 0400 0001", SHOWS_WITHIN).await;
    browser.click("a[href='/reports/2611270004000001']").await;
    browser.wait_for("h1", "2611 2700 0400 0001", SHOWS_WITHIN).await;
    browser.click("#to option[value='resolved']").await;
    browser.type_into("#note", "水管已更换").await;
    browser.click("form[action='/reports/move'] button").await;
    browser.wait_for("main", "已办结 resolved", SHOWS_WITHIN).await;
    let status = east.report_status("2611270004000001").await;
    assert_eq!((status.status.as_str(), status.note.as_deref()), ("resolved", Some("水管已更换")));

    // Votes from both kiosks, counted once per resident.
    let votes_east =
        vec![vote(dir, "kiosk-a", 2, PROPOSAL, 1, "agree", None), vote(dir, "kiosk-a", 3, PROPOSAL, 2, "agree", None)];
    assert_eq!(east.upload(votes_east).await, StatusCode::OK);
    let votes_west = vec![
        vote(dir, "kiosk-b", 1, PROPOSAL, 3, "disagree", None),
        vote(dir, "kiosk-b", 2, PROPOSAL, 1, "disagree", None),
    ];
    assert_eq!(west.upload(votes_west).await, StatusCode::OK);
    browser.goto(&at("/votes")).await;
    browser.click(&format!("a[href='/votes/{PROPOSAL}']")).await;
    browser.wait_for("main", "共 3 票", SHOWS_WITHIN).await;
    browser.wait_for("main", "66.7%", SHOWS_WITHIN).await;

    // Revoking the west kiosk from its page: its next upload is refused.
    browser.goto(&at("/kiosks/kiosk-b")).await;
    browser.click("form[action='/kiosks/revoke'] button").await;
    browser.goto(&at("/")).await;
    browser.wait_for("#k-kiosk-b", "已吊销 revoked", SHOWS_WITHIN).await;
    let late = vec![vote(dir, "kiosk-b", 3, PROPOSAL, 4, "agree", None)];
    assert_eq!(west.upload(late).await, StatusCode::FORBIDDEN);
    rig.server.shutdown.cancel();
}
