//! The console's export over real HTTPS: a period's transactions as CSV or JSON lines, with no
//! resident in them, refused for a period that is not one; and the enrolment token's QR code.

#[path = "support/console_rig.rs"]
mod console_rig;

use console_rig::{PASSWORD, Rig, SimKiosk, form_token, issue_report, post, record, signed_in, vote};
use reqwest::StatusCode;

#[tokio::test]
async fn a_period_s_transactions_export_as_csv_and_json_lines_without_residents() {
    let rig = Rig::start(&[("admin.li", "admin")], ("kiosk-e", "东门")).await;
    let dir = rig.fleet.path();
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(dir, rig.server.addr, "kiosk-e");
    let ticket = record(
        1,
        "queue_ticket",
        serde_json::json!({"window": "social_insurance", "number": "=A001", "day": "2026-12-03"}),
    );
    let records = vec![
        ticket,
        issue_report(2, "2611270003000001", ("b3", "3 号楼")),
        vote(dir, "kiosk-e", 3, "p-1", 7, "agree", None),
    ];
    assert_eq!(kiosk.upload(records).await, StatusCode::OK);
    let (session, _) = signed_in(web, &at, "admin.li", PASSWORD).await;
    let today = citizen_window_protocol::china_time::date_text(citizen_central::api::now_ms());
    let get =
        |query: String| web.get(at(&format!("/export/transactions?{query}"))).header("cookie", session.clone()).send();

    let csv = get(format!("from={today}&to={today}&format=csv")).await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "kiosk_id,seq,id,kind,created_at,received_at,payload");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("kiosk-e,1,") && lines[1].contains(r#"""number"":""=A001"""#), "{csv}");
    assert!(!csv.contains("s1:") && !csv.contains("resident"), "no resident: {csv}");

    let jsonl = get(format!("from={today}&to={today}&format=jsonl")).await.unwrap().text().await.unwrap();
    let rows: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        rows.iter().map(|r| r["kind"].as_str().unwrap()).collect::<Vec<_>>(),
        ["queue_ticket", "issue_report", "vote"]
    );
    assert_eq!(rows[1]["payload"]["place"], "b3");
    assert!(rows.iter().all(|r| r.get("resident").is_none()));

    // Another period has none; a period that is not one is refused.
    let before = get("from=2020-01-01&to=2020-01-02".into()).await.unwrap().text().await.unwrap();
    assert_eq!(before.lines().count(), 1, "the header only");
    for bad in [
        "from=2026-12-03&to=2026-12-01",
        "from=2024-01-01&to=2026-01-01",
        "from=x&to=y",
        "from=2026-12-01&to=2026-12-01&format=xls",
    ] {
        assert_eq!(get(bad.into()).await.unwrap().status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let logged = rig.storage.audit_log(1).await.unwrap().remove(0);
    assert_eq!(
        (logged.action.as_str(), logged.detail.as_str()),
        ("export transactions", "2020-01-01 to 2020-01-02 as csv")
    );

    // The enrolment token comes with the command as a QR code, drawn in the page.
    let fleet = web.get(at("/")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    let made = post(web, at("/kiosks/enrol-token"), &session, &[("csrf", &form_token(&fleet))]).await;
    let page = made.text().await.unwrap();
    assert!(page.contains(r#"<svg role="img""#) && !page.contains("<?xml"), "{page}");
    rig.server.shutdown.cancel();
}
