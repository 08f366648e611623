//! Issue reports as the community office handles them, on SQLite and on PostgreSQL alike: each
//! report is filed as it is stored (and the ones stored before the table existed, once), staff
//! move it forward with a note, a move made meanwhile by someone else is refused, and the list
//! pages, filters and counts the overdue.

mod support;

use citizen_central::storage::{ReportFilter, ReportMove, ReportUpdate, Storage};
use citizen_window_protocol::sync::{Payload, TransactionRecord};
use serde_json::json;

const HOUR: i64 = 3_600_000;
const NOW: i64 = 1_800_000_000_000;

fn report(seq: u64, tracking_number: &str, place: &str) -> TransactionRecord {
    let payload = Payload::from_value(&json!({
        "tracking_number": tracking_number,
        "category": "leaking_pipe",
        "category_name": ["水管漏水", "Leaking pipe"],
        "place": place,
        "place_name": [format!("{place} 号楼"), format!("Building {place}")],
    }));
    TransactionRecord {
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(seq)),
        seq,
        kind: "issue_report".into(),
        payload_hash: payload.hash(),
        payload,
        resident: None,
        created_at_ms: NOW - 100 * HOUR,
    }
}

fn update(at_ms: i64, status: &str, note: &str) -> ReportUpdate {
    ReportUpdate { at_ms, staff: "王芳".into(), status: status.into(), note: note.into() }
}

async fn reports_contract(storage: &Storage) {
    // Four reports, received 80, 30, 10 and 1 hours ago.
    for (seq, (hours, place)) in [(80, "3"), (30, "5"), (10, "3"), (1, "5")].into_iter().enumerate() {
        let seq = seq as u64 + 1;
        let number = format!("26112700000000{seq:02}");
        storage.insert_batch("kiosk-r", vec![report(seq, &number, place)], NOW - hours * HOUR).await.unwrap();
    }
    let first = storage.report("2611270000000001").await.unwrap().unwrap();
    assert_eq!((first.kiosk_id.as_str(), first.status.as_str(), first.note.as_str()), ("kiosk-r", "received", ""));
    assert_eq!(first.category_name, ("水管漏水".to_string(), "Leaking pipe".to_string()));
    assert_eq!((first.place.as_str(), first.place_name.0.as_str()), ("3", "3 号楼"));
    assert_eq!(first.received_at_ms, NOW - 80 * HOUR);

    // Moved forward with notes; a move from a status it is no longer in is refused, and kept apart.
    let moved =
        storage.move_report("2611270000000001", "received", &update(NOW - 2 * HOUR, "assigned", "王师傅")).await;
    assert_eq!(moved.unwrap(), ReportMove::Moved);
    let again = storage.move_report("2611270000000001", "received", &update(NOW - HOUR, "rejected", "重复")).await;
    assert_eq!(again.unwrap(), ReportMove::Changed("assigned".into()));
    let resolved = update(NOW - HOUR, "resolved", "已更换水管");
    assert_eq!(storage.move_report("2611270000000001", "assigned", &resolved).await.unwrap(), ReportMove::Moved);
    let nobody = storage.move_report("9999", "received", &resolved).await.unwrap();
    assert_eq!(nobody, ReportMove::NotFound);
    let now = storage.report("2611270000000001").await.unwrap().unwrap();
    assert_eq!((now.status.as_str(), now.note.as_str(), now.updated_at_ms), ("resolved", "已更换水管", NOW - HOUR));
    let moves = storage.report_updates("2611270000000001").await.unwrap();
    assert_eq!(moves, [update(NOW - 2 * HOUR, "assigned", "王师傅"), resolved]);

    // The list: newest first, in pages; filtered by status, openness, place, age, overdue.
    let numbers = |rows: Vec<citizen_central::storage::ReportRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.tracking_number[14..].to_string()).collect()
    };
    let all = ReportFilter { limit: 2, ..ReportFilter::default() };
    let page = storage.reports(&all).await.unwrap();
    let last = page.last().map(|r| (r.received_at_ms, r.tracking_number.clone()));
    assert_eq!(numbers(page), ["04", "03"]);
    let next = storage.reports(&ReportFilter { after: last, ..all.clone() }).await.unwrap();
    assert_eq!(numbers(next), ["02", "01"]);
    let filter =
        |f: ReportFilter| async move { numbers(storage.reports(&ReportFilter { limit: 50, ..f }).await.unwrap()) };
    assert_eq!(filter(ReportFilter { status: Some("resolved".into()), ..Default::default() }).await, ["01"]);
    assert_eq!(filter(ReportFilter { open_only: true, ..Default::default() }).await, ["04", "03", "02"]);
    assert_eq!(filter(ReportFilter { place: Some("3".into()), ..Default::default() }).await, ["03", "01"]);
    let older_than_a_day = Some(NOW - 24 * HOUR);
    assert_eq!(filter(ReportFilter { received_before_ms: older_than_a_day, ..Default::default() }).await, ["02", "01"]);
    let overdue = Some((NOW - 24 * HOUR, NOW - 72 * HOUR));
    assert_eq!(filter(ReportFilter { overdue_before_ms: overdue, ..Default::default() }).await, ["02"]);

    let (counts, overdue) = storage.report_counts(NOW - 24 * HOUR, NOW - 72 * HOUR).await.unwrap();
    assert_eq!(counts, [("received".to_string(), 3), ("resolved".to_string(), 1)]);
    assert_eq!(overdue, 1, "report 02: a day and more without being assigned");
    let places = storage.report_places().await.unwrap();
    assert_eq!(
        places.iter().map(|(id, name)| (id.as_str(), name.1.as_str())).collect::<Vec<_>>(),
        [("3", "Building 3"), ("5", "Building 5")]
    );
}

#[tokio::test]
async fn sqlite_files_and_moves_reports_and_files_older_ones_once() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    reports_contract(&storage).await;
    drop(storage);
    // A database from before the reports table: its reports are filed when it is opened.
    let file = dir.path().join("central.sqlite");
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute_batch("DELETE FROM reports; DELETE FROM report_updates; DROP TABLE reports").unwrap();
    drop(conn);
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    let filed = storage.reports(&ReportFilter { limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(filed.len(), 4);
    assert!(filed.iter().all(|r| r.status == "received"));
}

#[tokio::test]
async fn postgres_files_and_moves_reports_and_files_older_ones_once() {
    let Some(url) = support::postgres_test_database().await else { return };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    reports_contract(&storage).await;
    drop(storage);
    let client = citizen_central::storage::postgres_tls::connect_one(&url).await.unwrap();
    client.batch_execute("DROP TABLE reports; DROP TABLE report_updates").await.unwrap();
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    let filed = storage.reports(&ReportFilter { limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(filed.len(), 4);
}
