//! The station's slot capacities, bookings and tickets, and the export's pages, on SQLite and on
//! PostgreSQL alike.

#[path = "support/console_rig.rs"]
mod console_rig;
mod support;

use citizen_central::storage::{Storage, TicketCount};
use citizen_window_protocol::services::{Appointment, AppointmentSlot};
use citizen_window_protocol::station::WindowId;
use console_rig::record;

async fn station_contract(storage: &Storage) {
    let slot = |id: &str| AppointmentSlot {
        slot_id: id.into(),
        window: WindowId::fixed("social_insurance"),
        starts_at: "2026-12-04 09:30".into(),
        free: 4,
    };
    for (n, slot_id) in [(1, "si-20261204-0930"), (2, "si-20261204-0930"), (3, "si-20261204-1000")] {
        let appointment = Appointment { appointment_id: format!("ap-{n}"), slot: slot(slot_id) };
        storage
            .book_appointment("kiosk-s", &format!("key-{n}"), &appointment, &format!("resident-{n}"), 4)
            .await
            .unwrap();
    }
    let ids = ["si-20261204-0930".to_string(), "si-20261204-1000".to_string(), "si-20261204-1030".to_string()];
    let counts = storage.booked_counts(&ids).await.unwrap();
    assert_eq!((counts["si-20261204-0930"], counts["si-20261204-1000"], counts.get("si-20261204-1030")), (2, 1, None));
    let bookings = storage.bookings(&ids[..1]).await.unwrap();
    assert_eq!(bookings.iter().map(|b| b.resident.as_str()).collect::<Vec<_>>(), ["resident-1", "resident-2"]);

    assert!(storage.slot_capacities(&ids).await.unwrap().is_empty(), "all at the default");
    storage.set_slot_capacity("si-20261204-1000", 6).await.unwrap();
    storage.set_slot_capacity("si-20261204-1000", 0).await.unwrap();
    let set = storage.slot_capacities(&ids).await.unwrap();
    assert_eq!((set.len(), set["si-20261204-1000"]), (1, 0));

    let ticket = |seq: u64, window: &str, number: &str, day: &str| {
        record(seq, "queue_ticket", serde_json::json!({"window": window, "number": number, "day": day}))
    };
    let tickets = vec![
        ticket(1, "social_insurance", "A001", "2026-12-03"),
        ticket(2, "social_insurance", "A002", "2026-12-03"),
        ticket(3, "civil_affairs", "B001", "2026-12-03"),
        ticket(4, "social_insurance", "A001", "2026-12-02"),
        ticket(5, "social_insurance", "A001", "2026-11-01"),
    ];
    storage.insert_batch("kiosk-s", tickets, 1).await.unwrap();
    let days = ["2026-12-03".to_string(), "2026-12-02".to_string()];
    let count = |day: &str, window: &str, tickets: u64, last: &str| TicketCount {
        day: day.into(),
        window: window.into(),
        tickets,
        last_number: last.into(),
    };
    assert_eq!(
        storage.tickets_by_day(&days).await.unwrap(),
        [
            count("2026-12-03", "civil_affairs", 1, "B001"),
            count("2026-12-03", "social_insurance", 2, "A002"),
            count("2026-12-02", "social_insurance", 1, "A001"),
        ]
    );
}

/// The console's export walks a period's transactions a page at a time, in the database's order.
async fn export_contract(storage: &Storage) {
    use citizen_central::storage::ExportCursor;
    let at = |seq: u64, ms: i64| {
        let mut r = record(seq, "queue_ticket", serde_json::json!({"number": format!("A{seq:03}")}));
        r.created_at_ms = ms;
        r
    };
    storage.insert_batch("kiosk-x1", vec![at(1, 100), at(2, 200), at(3, 300)], 1).await.unwrap();
    storage.insert_batch("kiosk-x2", vec![at(1, 150), at(2, 5_000)], 1).await.unwrap();
    let (mut seen, mut cursor) = (Vec::new(), Some(ExportCursor::default()));
    while let Some(after) = cursor {
        let (page, next) = storage.export_page(100, 1_000, &after, 2).await.unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.into_iter().map(|t| (t.kiosk_id, t.seq)));
        cursor = next;
    }
    let expected: Vec<(String, i64)> = [("kiosk-x1", 1), ("kiosk-x1", 2), ("kiosk-x1", 3), ("kiosk-x2", 1)]
        .into_iter()
        .map(|(k, s)| (k.to_string(), s))
        .collect();
    assert_eq!(seen, expected, "made from 100 to before 1,000, each once");
}

#[tokio::test]
async fn sqlite_counts_the_station_s_bookings_and_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    station_contract(&storage).await;
    export_contract(&storage).await;
}

#[tokio::test]
async fn postgres_counts_the_station_s_bookings_and_tickets() {
    let Some(url) = support::postgres_test_database().await else { return };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    station_contract(&storage).await;
    export_contract(&storage).await;
}
