//! Appointments and tickets in the console over real HTTPS: bookings made at a kiosk show in
//! their slot with the resident as a pseudonym, staff change a slot's capacity and the kiosks'
//! slot list follows it (a full slot refuses the next booking), and tickets are counted per
//! window and day.

#[path = "support/console_rig.rs"]
mod console_rig;

use console_rig::{PASSWORD, Rig, SimKiosk, form_token, post, record, signed_in};
use reqwest::StatusCode;

#[tokio::test]
async fn staff_see_bookings_and_tickets_and_set_a_slot_s_capacity() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-s", "服务站")).await;
    let dir = rig.fleet.path();
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(dir, rig.server.addr, "kiosk-s");
    let now = citizen_central::api::now_ms();
    let today = citizen_window_protocol::china_time::date_text(now);
    let tomorrow = citizen_window_protocol::china_time::date_text(now + 86_400_000);
    let slot = format!("si-{}-0930", tomorrow.replace('-', ""));

    // Two residents book the same slot of tomorrow; two tickets today at window A.
    for resident in [1, 2] {
        assert_eq!(kiosk.book(&slot, resident).await, StatusCode::OK);
    }
    let ticket = |seq: u64, number: &str| {
        let payload = serde_json::json!({"window": "social_insurance", "window_number": 1, "window_name": ["社保", "Social insurance"], "number": number, "day": today});
        record(seq, "queue_ticket", payload)
    };
    assert_eq!(kiosk.upload(vec![ticket(1, "A001"), ticket(2, "A002")]).await, StatusCode::OK);

    let (session, _) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    let page = web.get(at("/appointments")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("明天 tomorrow") && page.contains(&tomorrow) && page.contains("2 / 4"), "{page}");
    assert!(page.contains("A002") && page.contains(&today), "tickets today: {page}");
    assert!(!page.contains("11010519800101"), "no ID number shown: {page}");

    // Capacity 2: the slot is full for the kiosks; capacity 3: one more place.
    let token = form_token(&page);
    let set = |capacity: &'static str| {
        let (session, slot, token) = (session.clone(), slot.clone(), token.clone());
        async move {
            let form = [("csrf", token.as_str()), ("slot_id", slot.as_str()), ("capacity", capacity)];
            post(web, at("/appointments/capacity"), &session, &form).await.status()
        }
    };
    assert_eq!(set("2").await, StatusCode::SEE_OTHER);
    assert_eq!(kiosk.free_places(&tomorrow, &slot).await, 0);
    assert_eq!(kiosk.book(&slot, 3).await, StatusCode::CONFLICT, "full");
    assert_eq!(set("3").await, StatusCode::SEE_OTHER);
    assert_eq!(kiosk.free_places(&tomorrow, &slot).await, 1);
    assert_eq!(kiosk.book(&slot, 3).await, StatusCode::OK);
    assert_eq!(set("51").await, StatusCode::BAD_REQUEST);
    assert_eq!(set("lots").await, StatusCode::BAD_REQUEST);
    let detail = rig.storage.audit_log(1).await.unwrap().remove(0).detail;
    assert_eq!(detail, format!("{slot}: 3"));
    rig.server.shutdown.cancel();
}
