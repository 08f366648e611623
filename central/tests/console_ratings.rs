//! The residents' ratings (好差评): counted per day, kiosk, service, score and reason on SQLite and
//! PostgreSQL alike, a score that is not a whole number 1 to 5 counted nowhere (and refused at
//! upload); and the console's 好差评 page over
//! real HTTPS, tallied per service, kiosk and day with the reasons given.

#[path = "support/console_rig.rs"]
mod console_rig;
mod support;

use citizen_central::storage::{RatingGroup, Storage};
use console_rig::{PASSWORD, Rig, SimKiosk, record, signed_in};
use reqwest::StatusCode;

fn rating(
    seq: u64,
    day: &str,
    service: &str,
    score: serde_json::Value,
    reason: Option<&str>,
) -> citizen_window_protocol::sync::TransactionRecord {
    let mut payload = serde_json::json!({"day": day, "service": service, "level": "satisfied", "score": score});
    if let Some(reason) = reason {
        payload["reason"] = reason.into();
        payload["reason_name"] = serde_json::json!(["等待时间太长", "Took too long"]);
    }
    record(seq, "service_rating", payload)
}

async fn rating_contract(storage: &Storage) {
    let ratings = vec![
        rating(1, "2026-12-03", "queue_ticket", 5.into(), None),
        rating(2, "2026-12-03", "queue_ticket", 5.into(), None),
        rating(3, "2026-12-03", "queue_ticket", 2.into(), Some("slow")),
        rating(4, "2026-12-02", "bill_payment", 4.into(), None),
        rating(5, "2026-11-01", "bill_payment", 4.into(), None),
        // Not whole numbers 1 to 5: refused (kept aside as refused records), counted nowhere.
        rating(6, "2026-12-03", "queue_ticket", "five".into(), None),
        rating(7, "2026-12-03", "queue_ticket", 2.0.into(), None),
        rating(8, "2026-12-03", "queue_ticket", "5".into(), None),
    ];
    storage.insert_batch("kiosk-r1", ratings, 1).await.unwrap();
    storage
        .insert_batch("kiosk-r2", vec![rating(1, "2026-12-03", "queue_ticket", 1.into(), Some("slow"))], 1)
        .await
        .unwrap();
    let days = ["2026-12-03".to_string(), "2026-12-02".to_string()];
    let mut groups = storage.rating_groups(&days).await.unwrap();
    groups.sort_by(|a, b| (&a.day, &a.kiosk_id, a.score).cmp(&(&b.day, &b.kiosk_id, b.score)));
    let counted: Vec<(&str, &str, &str, u8, &str, u64)> = groups
        .iter()
        .map(|g| (g.day.as_str(), g.kiosk_id.as_str(), g.service.as_str(), g.score, g.reason.as_str(), g.count))
        .collect();
    assert_eq!(
        counted,
        [
            ("2026-12-02", "kiosk-r1", "bill_payment", 4, "", 1),
            ("2026-12-03", "kiosk-r1", "queue_ticket", 2, "slow", 1),
            ("2026-12-03", "kiosk-r1", "queue_ticket", 5, "", 2),
            ("2026-12-03", "kiosk-r2", "queue_ticket", 1, "slow", 1),
        ]
    );
    let named = |g: &RatingGroup| (g.reason.clone(), g.reason_name.clone());
    let slow = ("slow".to_string(), ("等待时间太长".to_string(), "Took too long".to_string()));
    assert!(groups.iter().filter(|g| !g.reason.is_empty()).all(|g| named(g) == slow), "{groups:?}");
}

#[tokio::test]
async fn sqlite_counts_the_ratings() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    rating_contract(&storage).await;
}

#[tokio::test]
async fn postgres_counts_the_ratings() {
    let Some(url) = support::postgres_test_database().await else { return };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    rating_contract(&storage).await;
}

#[tokio::test]
async fn staff_read_the_ratings_per_service_kiosk_and_day() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-s", "服务站")).await;
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-s");
    let today = citizen_window_protocol::china_time::date_text(citizen_central::api::now_ms());
    let ratings = vec![
        rating(1, &today, "queue_ticket", 5.into(), None),
        rating(2, &today, "queue_ticket", 4.into(), None),
        rating(3, &today, "bill_payment", 3.into(), None),
        rating(4, &today, "bill_payment", 1.into(), Some("slow")),
    ];
    assert_eq!(kiosk.upload(ratings).await, StatusCode::OK);
    let odd = vec![rating(5, &today, "bill_payment", 2.5.into(), None)];
    let refused = kiosk.upload(odd).await;
    assert_eq!(refused, StatusCode::OK, "a refused record is answered as refused, within the batch's answer");

    let unsigned = web.get(at("/ratings")).send().await.unwrap();
    assert_eq!(unsigned.status(), StatusCode::SEE_OTHER, "signed-in staff only");
    let (session, fleet) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    assert!(fleet.contains(r#"href="/ratings""#), "the menu leads there");
    let page = web.get(at("/ratings")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("满意率 <strong>75.0%</strong>") && page.contains("共 4 条评价"), "{page}");
    assert!(page.contains("排队取号 Queue ticket") && page.contains("便民缴费 Bill payment"), "{page}");
    assert!(page.contains("kiosk-s") && page.contains(&today), "{page}");
    assert!(page.contains("等待时间太长"), "the reason given: {page}");
    let week = web.get(at("/ratings?days=7")).header("cookie", &session).send().await.unwrap();
    assert_eq!(week.status(), StatusCode::OK);
    let odd = web.get(at("/ratings?days=3")).header("cookie", &session).send().await.unwrap();
    assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
    rig.server.shutdown.cancel();
}
