//! Journal unit tests on real SQLite files in temporary folders.

use super::*;
use serde_json::json;

fn open() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
    (dir, journal)
}

fn record(journal: &mut Journal, n: i64, receipt: ReceiptPlan) -> Committed {
    let payload = json!({"ticket": n, "window": "社保"});
    journal
        .record(
            &NewTransaction { kind: "queue_ticket", payload: &payload, resident: None, receipt },
            1_700_000_000_000 + n,
        )
        .unwrap()
}

#[test]
fn pragmas_are_wal_and_synchronous_full() {
    let (_dir, journal) = open();
    let mode: String = journal.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = journal.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2));
}

#[test]
fn sequence_has_no_gaps_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    let first: Vec<u64> = (0..5).map(|n| record(&mut journal, n, ReceiptPlan::NotNeeded).seq).collect();
    assert_eq!(first, vec![1, 2, 3, 4, 5]);
    drop(journal);
    let mut journal = Journal::open(&path).unwrap();
    let next = record(&mut journal, 5, ReceiptPlan::NotNeeded);
    assert_eq!(next.seq, 6);
    let stored = journal.get(6).unwrap();
    assert_eq!(stored.id, next.id);
    assert_eq!(stored.payload_hash, payload_hash(&serde_json::to_string(&stored.payload).unwrap()));
    assert_eq!(stored.id.get_version_num(), 7);
}

#[test]
fn pending_is_in_order_after_the_watermark_and_lying_acks_are_refused() {
    let (_dir, mut journal) = open();
    for n in 0..10 {
        record(&mut journal, n, ReceiptPlan::NotNeeded);
    }
    assert_eq!(journal.pending(3).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(journal.acknowledge_through(4, 1).unwrap());
    assert!(!journal.acknowledge_through(2, 2).unwrap(), "a lower acknowledgement changes nothing");
    assert_eq!(journal.pending(100).unwrap().first().map(|r| r.seq), Some(5));
    let err = journal.acknowledge_through(11, 3).unwrap_err();
    assert!(err.to_string().contains("only 10"), "{err}");
    assert_eq!(journal.acknowledged_through().unwrap(), 4);
    let status = journal.sync_status().unwrap();
    assert_eq!((status.last_seq, status.acknowledged_through, status.pending), (10, 4, 6));
    assert_eq!(status.oldest_pending_ms, Some(1_700_000_000_004));
}

#[test]
fn receipt_intent_outcome_and_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    let none = record(&mut journal, 1, ReceiptPlan::NotNeeded).seq;
    let printed = record(&mut journal, 2, ReceiptPlan::Intended).seq;
    let cut_off = record(&mut journal, 3, ReceiptPlan::Intended).seq;
    journal.receipt_printed(printed, 10).unwrap();
    assert_eq!(journal.receipt_state(none).unwrap(), ReceiptState::NotNeeded);
    assert_eq!(journal.receipt_state(cut_off).unwrap(), ReceiptState::Intended);
    // Power is cut while the third receipt prints; at start-up it becomes unconfirmed.
    drop(journal);
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.recover_unconfirmed_receipts(20).unwrap(), vec![cut_off]);
    assert_eq!(journal.recover_unconfirmed_receipts(21).unwrap(), Vec::<u64>::new(), "recovery runs once per receipt");
    assert_eq!(journal.receipt_state(printed).unwrap(), ReceiptState::Printed);
    assert_eq!(journal.unconfirmed_receipts().unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), vec![cut_off]);
    journal.receipt_reprinted(cut_off, 30).unwrap();
    assert_eq!(journal.receipt_state(cut_off).unwrap(), ReceiptState::Reprinted);
    assert!(journal.unconfirmed_receipts().unwrap().is_empty());
    assert!(matches!(journal.receipt_printed(99, 40), Err(JournalError::NoSuchRecord(99))));
}

#[test]
fn pruning_keeps_unacknowledged_records_and_the_sequence_goes_on() {
    let (_dir, mut journal) = open();
    for n in 0..6 {
        record(&mut journal, n, ReceiptPlan::NotNeeded);
    }
    journal.acknowledge_through(4, 1).unwrap();
    // Everything is old enough, but only acknowledged records go.
    assert_eq!(journal.prune_acknowledged(i64::MAX).unwrap(), 4);
    assert_eq!(journal.pending(10).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), vec![5, 6]);
    journal.acknowledge_through(6, 2).unwrap();
    assert_eq!(journal.prune_acknowledged(i64::MAX).unwrap(), 2);
    assert_eq!(record(&mut journal, 7, ReceiptPlan::NotNeeded).seq, 7, "numbers are never reused");
    // A cutoff before the records' time prunes nothing.
    journal.acknowledge_through(7, 3).unwrap();
    assert_eq!(journal.prune_acknowledged(0).unwrap(), 0);
}

#[test]
fn disk_full_refuses_the_transaction_and_loses_nothing() {
    let (_dir, mut journal) = open();
    for n in 0..3 {
        record(&mut journal, n, ReceiptPlan::NotNeeded);
    }
    // A size-limited file: the database may not grow past its current pages.
    let pages: i64 = journal.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    journal.conn.pragma_update(None, "max_page_count", pages).unwrap();
    let big = json!({"blob": "x".repeat(64 * 1024)});
    let err = journal
        .record(
            &NewTransaction { kind: "issue_report", payload: &big, resident: None, receipt: ReceiptPlan::NotNeeded },
            5,
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::DiskFull { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing already recorded is lost"));
    assert_eq!(journal.pending(10).unwrap().len(), 3);
    assert!(journal.refusal().is_none(), "a full disk can clear; the next transaction tries again");
    journal.conn.pragma_update(None, "max_page_count", 1_000_000).unwrap();
    assert_eq!(record(&mut journal, 9, ReceiptPlan::NotNeeded).seq, 4, "no number was used by the failed attempt");
}

#[test]
fn a_damaged_file_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    std::fs::write(&path, b"this is not a database, it is a damaged file of some length........").unwrap();
    let err = Journal::open(&path).err().expect("opening a damaged file fails");
    assert!(matches!(err, JournalError::Corrupt { .. }), "{err:?}");
    assert!(err.is_permanent());
}

#[test]
fn sync_attempts_give_last_success_and_the_error_since() {
    let (_dir, mut journal) = open();
    journal.record_sync_attempt(false, "server down", 1).unwrap();
    journal.record_sync_attempt(true, "uploaded 3", 2).unwrap();
    let status = journal.sync_status().unwrap();
    assert_eq!((status.last_success_ms, status.last_error.clone()), (Some(2), None));
    journal.record_sync_attempt(false, "connection reset", 3).unwrap();
    assert_eq!(journal.sync_status().unwrap().last_error, Some((3, "connection reset".into())));
    for n in 0..(SYNC_EVENTS_KEPT + 50) {
        journal.record_sync_attempt(true, "ok", 10 + n).unwrap();
    }
    let kept: i64 = journal.conn.query_row("SELECT COUNT(*) FROM sync_events", [], |r| r.get(0)).unwrap();
    assert!(kept <= SYNC_EVENTS_KEPT + 1);
}

#[test]
fn a_payload_too_large_to_upload_is_refused_before_anything_is_written() {
    let (_dir, mut journal) = open();
    let huge = json!({"blob": "x".repeat(MAX_PAYLOAD_BYTES)});
    let err = journal
        .record(
            &NewTransaction { kind: "issue_report", payload: &huge, resident: None, receipt: ReceiptPlan::NotNeeded },
            5,
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::PayloadTooLarge { .. }), "{err:?}");
    assert!(journal.refusal().is_none(), "other transactions still go through");
    assert_eq!(record(&mut journal, 1, ReceiptPlan::NotNeeded).seq, 1, "no number was used");
}

#[test]
fn a_once_key_records_once_and_gives_the_refused_number_back() {
    let (_dir, mut journal) = open();
    let payload = serde_json::json!({ "proposal": "p-1" });
    let sealed = crate::resident_key::test_only_handle("110101196005010019").vote_seal("p-1", 1).unwrap();
    let new =
        NewTransaction { kind: "vote", payload: &payload, resident: Some(&sealed), receipt: ReceiptPlan::Intended };
    let first = journal.record_once(&new, "vote:p-1:r", 1).unwrap().unwrap();
    assert_eq!(journal.record_once(&new, "vote:p-1:r", 2).unwrap(), None, "the same key again");
    let other = journal.record_once(&new, "vote:p-2:r", 3).unwrap().unwrap();
    assert_eq!(other.seq, first.seq + 1, "the refused record gave its number back");
    // The key outlives the record: pruned after acknowledgement, the vote still counts as cast.
    journal.acknowledge_through(other.seq, 4).unwrap();
    journal.prune_acknowledged(i64::MAX).unwrap();
    assert_eq!(journal.record_once(&new, "vote:p-1:r", 5).unwrap(), None);
}

#[test]
fn the_delivery_floor_passes_what_was_pruned_but_not_a_kept_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
    let payload = serde_json::json!({ "window": "legal_aid" });
    for n in 0..6 {
        let new =
            NewTransaction { kind: "queue_ticket", payload: &payload, resident: None, receipt: ReceiptPlan::NotNeeded };
        journal.record(&new, n).unwrap();
    }
    // The identity that made these acknowledgements starts from nothing.
    assert_eq!(journal.delivery_floor("kiosk-a", false).unwrap(), 0);
    journal.acknowledge_through(4, 10).unwrap();
    let refused = journal.get(2).unwrap();
    journal.record_refusal(2, &refused.id, "unknown kind", 10).unwrap();
    journal.prune_acknowledged(i64::MAX).unwrap();
    // 1, 3 and 4 pruned, 2 kept aside: nothing at or below 4 will be sent again.
    assert_eq!(journal.get(2).unwrap().seq, 2, "the refused record is kept");
    assert_eq!(journal.delivery_floor("kiosk-a", false).unwrap(), 4);
    // A new identity starts at the watermark it first sees.
    assert_eq!(journal.delivery_floor("kiosk-b", true).unwrap(), 4);
    assert_eq!(journal.records_after(4, 10).unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 6]);
}

#[test]
fn standings_page_in_order_from_a_moment_with_each_receipt_s_fate_and_delivery() {
    let (_dir, mut j) = open();
    for n in 0..5 {
        record(&mut j, n, if n % 2 == 0 { ReceiptPlan::Intended } else { ReceiptPlan::NotNeeded });
    }
    j.receipt_printed(1, 1).unwrap();
    j.receipt_unconfirmed(3, 2).unwrap();
    j.receipt_reprinted(3, 3).unwrap();
    j.acknowledge_through(2, 4).unwrap();
    let refused = j.get(4).unwrap();
    j.record_refusal(4, &refused.id, "unknown kind", 5).unwrap();

    let all = j.standings(i64::MIN, 0, 10).unwrap();
    let seen: Vec<(u64, ReceiptState, Delivery)> = all.iter().map(|s| (s.record.seq, s.receipt, s.delivery)).collect();
    assert_eq!(
        seen,
        vec![
            (1, ReceiptState::Printed, Delivery::Acknowledged),
            (2, ReceiptState::NotNeeded, Delivery::Acknowledged),
            (3, ReceiptState::Reprinted, Delivery::Pending),
            (4, ReceiptState::NotNeeded, Delivery::Refused),
            (5, ReceiptState::Intended, Delivery::Pending),
        ]
    );
    // Pages after a sequence, from a moment (records 3 to 5 were made from +2 ms on).
    let page: Vec<u64> = j.standings(1_700_000_000_002, 3, 10).unwrap().iter().map(|s| s.record.seq).collect();
    assert_eq!(page, vec![4, 5]);
    assert_eq!(j.count_since(1_700_000_000_002).unwrap(), 3);
    assert_eq!(j.standing(3).unwrap().receipt, ReceiptState::Reprinted);
    assert!(matches!(j.standing(9), Err(JournalError::NoSuchRecord(9))));
    let history: Vec<String> = j.receipt_history(3).unwrap().into_iter().map(|(event, _)| event).collect();
    assert_eq!(history, vec!["unconfirmed", "reprinted"]);
}
