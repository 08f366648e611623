//! The journal stays bounded: a year of simulated traffic, acknowledged by the server day by day
//! and pruned past its retention as the recording thread prunes it, keeps the journal's rows and
//! its file at the size of the retention period; and the recording thread prunes on its own, by
//! the configured retention, without touching what the server has not acknowledged.

use citizen_window::journal::{Journal, NewTransaction, ReceiptPlan, journal_path};
use citizen_window::records::{PaymentPayload, TicketPayload, WindowId, kinds, payment_once_key};
use citizen_window::runtime::KioskRuntime;
use std::path::Path;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;
/// 2026-01-01 00:00 UTC.
const NEW_YEAR_MS: i64 = 1_767_225_600_000;
const PER_DAY: i64 = 12;
const KEEP_DAYS: i64 = 30;

fn count(path: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// One day's traffic at `day_ms`: tickets, and every fourth a paid bill with its once-key.
fn one_day(journal: &mut Journal, day: i64, day_ms: i64) {
    // Order ids name their day, so that no two days share one.
    for n in 0..PER_DAY {
        let at = day_ms + 8 * 3_600_000 + n * 600_000;
        let committed = if n % 4 == 0 {
            let order_id = format!("o-{day}-{n}");
            let payload = serde_json::to_value(PaymentPayload {
                order_id: order_id.clone(),
                account: "330102881742".into(),
                utility: None,
                period: None,
                amount_fen: 4140,
            })
            .unwrap();
            let new = NewTransaction {
                kind: kinds::BILL_PAYMENT,
                payload: &payload,
                resident: None,
                receipt: ReceiptPlan::Intended,
            };
            journal.record_once(&new, &payment_once_key(&order_id), at).unwrap().unwrap()
        } else {
            let number = format!("A{:03}", n + 1);
            let day = citizen_window_protocol::china_time::date_text(at);
            let window = WindowId::fixed("social_insurance");
            let window_name = ("社保".to_string(), "Social insurance".to_string());
            let ticket = TicketPayload { window, window_number: 1, window_name, number, day };
            let payload = serde_json::to_value(ticket).unwrap();
            let new = NewTransaction {
                kind: kinds::QUEUE_TICKET,
                payload: &payload,
                resident: None,
                receipt: ReceiptPlan::Intended,
            };
            journal.record(&new, at).unwrap()
        };
        journal.receipt_printed(committed.seq, at + 5_000).unwrap();
    }
}

#[test]
fn a_year_of_traffic_keeps_the_journal_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let mut journal = Journal::open(&path).unwrap();
    let mut file_sizes = Vec::new();
    for day in 0..365 {
        let day_ms = NEW_YEAR_MS + day * DAY_MS;
        one_day(&mut journal, day, day_ms);
        // The server acknowledges the day's records that evening; that night, what is older than
        // the retention goes.
        let last = journal.last_seq().unwrap();
        journal.acknowledge_through(last, day_ms + 20 * 3_600_000).unwrap();
        journal.prune_acknowledged(day_ms + DAY_MS - KEEP_DAYS * DAY_MS).unwrap();
        file_sizes.push(std::fs::metadata(&path).unwrap().len());
    }
    drop(journal);

    let made = 365 * PER_DAY;
    let kept = count(&path, "transactions");
    assert!(kept <= (KEEP_DAYS + 1) * PER_DAY, "{kept} of {made} records kept, for {KEEP_DAYS} days");
    assert!(kept >= (KEEP_DAYS - 1) * PER_DAY, "the retention period's records are all kept: {kept}");
    assert!(count(&path, "receipt_events") <= kept, "receipt outcomes go with their records");
    let keys = count(&path, "once_keys");
    assert!(keys <= kept / 4 + 1, "a paid order's key goes with its record: {keys} keys for {kept} records");
    // Numbering never starts again: the next record follows the year's last.
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.last_seq().unwrap(), made as u64);

    // The file grows while the retention period fills, then stays: freed pages are reused.
    let filled = file_sizes[(2 * KEEP_DAYS) as usize];
    let at_year_end = *file_sizes.last().unwrap();
    assert!(
        at_year_end <= filled + filled / 4,
        "the file grew from {filled} bytes after {} days to {at_year_end} at the year's end",
        2 * KEEP_DAYS
    );
}

#[test]
fn the_recording_thread_prunes_by_the_configured_retention_and_never_what_is_unacknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let now = citizen_window::journal::now_ms();
    let mut journal = Journal::open(&path).unwrap();
    // Ten days ago: two records the server acknowledged, then one it has not.
    one_day(&mut journal, 0, now - 10 * DAY_MS - 9 * 3_600_000);
    journal.acknowledge_through(2, now - 10 * DAY_MS).unwrap();
    drop(journal);

    // The thread prunes as it starts; dropping the runtime waits for it.
    let mut runtime = KioskRuntime::new();
    runtime.start_recording(&path, None, Duration::from_secs(7 * 86_400)).unwrap();
    drop(runtime);
    assert_eq!(count(&path, "transactions"), PER_DAY - 2, "the two acknowledged records older than 7 days went");

    // A retention longer than their age keeps them.
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let mut journal = Journal::open(&path).unwrap();
    one_day(&mut journal, 0, now - 10 * DAY_MS - 9 * 3_600_000);
    journal.acknowledge_through(PER_DAY as u64, now - 10 * DAY_MS).unwrap();
    drop(journal);
    let mut runtime = KioskRuntime::new();
    runtime.start_recording(&path, None, Duration::from_secs(30 * 86_400)).unwrap();
    drop(runtime);
    assert_eq!(count(&path, "transactions"), PER_DAY);
}
