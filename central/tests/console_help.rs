//! 呼叫工作人员 over real HTTPS: a kiosk calls for staff, the call shows on the fleet's live view
//! at once (the row on top, marked for the page's chime), one tap again is the same call, staff
//! answer from the kiosk's page, the kiosk reads the answer, a second answer is refused; and the
//! storage of calls on SQLite and PostgreSQL alike.

#[path = "support/console_rig.rs"]
mod console_rig;
mod support;

use citizen_central::storage::Storage;
use console_rig::{LiveView, PASSWORD, Rig, SimKiosk, form_token, post, signed_in};
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn a_call_for_staff_shows_live_and_the_answer_reaches_the_kiosk() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-h", "幸福里 1号机")).await;
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-h");
    assert_eq!(kiosk.heartbeat("ok").await, StatusCode::OK);
    let (session, _) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    let mut live = LiveView::open(web, at("/fleet/events"), &session).await;

    let call = kiosk.call_help().await;
    assert!(call.reply.is_none());
    let (took, html) = live.row_with("kiosk-h", "居民呼叫", Duration::from_secs(20)).await;
    eprintln!("the call showed on the live view after {took:?}");
    assert!(html.contains(r#"data-help="1""#) && html.contains(r#"data-problem="1""#), "{html}");
    assert_eq!(kiosk.call_help().await.call_id, call.call_id, "one open call per kiosk");

    let page = web.get(at("/kiosks/kiosk-h")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("居民呼叫工作人员") && page.contains("已收到，工作人员约 5 分钟到"), "{page}");
    let token = form_token(&page);
    let answer = |reply: String| {
        let (session, token, call_id) = (session.clone(), token.clone(), call.call_id.clone());
        async move {
            let form = [("csrf", token.as_str()), ("call_id", call_id.as_str()), ("reply", reply.as_str())];
            post(web, at("/help/answer"), &session, &form).await.status()
        }
    };
    assert_eq!(answer("到".repeat(61)).await, StatusCode::BAD_REQUEST, "too long for the kiosk's screen");
    assert_eq!(answer("已收到，工作人员约 5 分钟到".into()).await, StatusCode::SEE_OTHER);
    assert_eq!(answer("已收到，请稍候".into()).await, StatusCode::CONFLICT, "the first answer counts");
    live.row_with("kiosk-h", "正常 fine", Duration::from_secs(20)).await;

    let (status, read) = kiosk.help_state(&call.call_id).await;
    assert_eq!(status, StatusCode::OK);
    let read = read.unwrap();
    assert_eq!(read.reply.as_deref(), Some("已收到，工作人员约 5 分钟到"));
    assert!(read.answered_at_ms.is_some_and(|t| t >= read.called_at_ms));
    assert_eq!(kiosk.help_state("hc-nosuchcall").await.0, StatusCode::NOT_FOUND);
    assert_ne!(kiosk.call_help().await.call_id, call.call_id, "an answered call is closed: a new tap is a new call");
    let detail = rig.storage.audit_log(1).await.unwrap().remove(0).detail;
    assert!(detail.contains("kiosk-h") && detail.contains("5 分钟"), "{detail}");
    rig.server.shutdown.cancel();
}

async fn help_call_contract(storage: &Storage) {
    let first = storage.call_for_help("kiosk-a", "hc-1", 1_000, 0).await.unwrap();
    assert_eq!((first.call_id.as_str(), first.called_at_ms), ("hc-1", 1_000));
    assert_eq!(storage.call_for_help("kiosk-a", "hc-2", 2_000, 0).await.unwrap().call_id, "hc-1", "still open");
    assert_eq!(storage.call_for_help("kiosk-b", "hc-3", 2_000, 0).await.unwrap().call_id, "hc-3");
    assert_eq!(storage.help_call("kiosk-b", "hc-1").await.unwrap(), None, "a kiosk sees its own calls only");
    assert_eq!(storage.kiosk("kiosk-a").await.unwrap(), None, "calls of kiosks not enrolled show nowhere");
    let answer =
        |call: &'static str, reply: &'static str, at: i64| storage.answer_help_call(call, reply, "staff.li", at);
    assert_eq!(answer("hc-1", "已收到", 3_000).await.unwrap().as_deref(), Some("kiosk-a"));
    assert_eq!(answer("hc-1", "again", 4_000).await.unwrap(), None, "the first answer counts");
    let answered = storage.help_call("kiosk-a", "hc-1").await.unwrap().unwrap();
    assert_eq!((answered.reply.as_deref(), answered.answered_at_ms), (Some("已收到"), Some(3_000)));
    // Unanswered and older than the open window: a new call, which closes the old one unanswered
    // (it can no longer be answered; the console shows the new one).
    assert_eq!(storage.call_for_help("kiosk-b", "hc-4", 900_000, 500_000).await.unwrap().call_id, "hc-4");
    let superseded = storage.help_call("kiosk-b", "hc-3").await.unwrap().unwrap();
    assert_eq!((superseded.reply, superseded.answered_at_ms), (None, Some(900_000)));
    assert_eq!(answer("hc-3", "late", 901_000).await.unwrap(), None);
    assert_eq!(answer("hc-4", "已收到", 901_000).await.unwrap().as_deref(), Some("kiosk-b"));
}

#[tokio::test]
async fn sqlite_keeps_calls_for_staff() {
    let dir = tempfile::tempdir().unwrap();
    help_call_contract(&Storage::open("central.sqlite", dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_keeps_calls_for_staff() {
    let Some(url) = support::postgres_test_database().await else { return };
    help_call_contract(&Storage::open(&url, std::path::Path::new(".")).await.unwrap()).await;
}
