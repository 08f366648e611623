//! One storage contract, run against SQLite and against PostgreSQL: exactly-once inserts keyed by
//! (kiosk, id), the highest contiguous sequence, conflicts reported not overwritten, single-use
//! enrolment tokens, idempotent payment orders and bookings.
//!
//! PostgreSQL comes from `CITIZEN_CENTRAL_TEST_POSTGRES` (a postgres:// URL of a server where the
//! test may create databases); scripts/test.sh starts one. Under CI it must be there.

mod support;

use citizen_central::residents::ResidentKeys;
use citizen_central::storage::{HeartbeatArrival, PAYMENT_ORDER_LIFETIME_MS, Storage, postgres_tls, token_hash};
use support::postgres_test_database;

/// A moment within every test order's lifetime (they are made at 1 ms).
const NOW: i64 = 2;
use citizen_window_protocol::heartbeat::Heartbeat;
use citizen_window_protocol::services::{Appointment, PaymentOrder, PaymentStatus};
use citizen_window_protocol::sync::{Payload, TransactionRecord, UploadBatch};
use serde_json::json;

fn record(seq: u64, payload: serde_json::Value) -> TransactionRecord {
    let kind = if payload.get("tracking_number").is_some() { "issue_report" } else { "queue_ticket" };
    let payload = Payload::from_value(&payload);
    TransactionRecord {
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(seq)),
        seq,
        kind: kind.into(),
        payload_hash: payload.hash(),
        payload,
        resident: None,
        created_at_ms: 1_764_000_000_000 + seq as i64,
    }
}

async fn contract(storage: Storage) {
    // Enrolment tokens: used once, never after expiry.
    storage.create_enrol_token(&token_hash("t-1"), 2_000).await.unwrap();
    storage.create_enrol_token(&token_hash("t-old"), 500).await.unwrap();
    let first = storage.enrol_kiosk(&token_hash("t-1"), "kiosk-a", Some("一号机"), 1_000).await.unwrap();
    assert!(first.is_some_and(|n| n >= 1), "an enrolled kiosk gets its number: {first:?}");
    assert!(
        storage.enrol_kiosk(&token_hash("t-1"), "kiosk-b", None, 1_000).await.unwrap().is_none(),
        "a token works once"
    );
    assert!(
        storage.enrol_kiosk(&token_hash("t-old"), "kiosk-c", None, 1_000).await.unwrap().is_none(),
        "an expired token does not work"
    );
    assert!(storage.enrol_kiosk(&token_hash("t-unknown"), "kiosk-d", None, 1_000).await.unwrap().is_none());
    // A token is looked at without being used up; revocation marks an enrolled kiosk only.
    storage.create_enrol_token(&token_hash("t-2"), 2_000).await.unwrap();
    assert!(storage.enrol_token_usable(&token_hash("t-2"), 1_000).await.unwrap());
    assert!(storage.enrol_token_usable(&token_hash("t-2"), 1_000).await.unwrap(), "still usable");
    assert!(!storage.enrol_token_usable(&token_hash("t-1"), 1_000).await.unwrap(), "used");
    let second = storage.enrol_kiosk(&token_hash("t-2"), "kiosk-e", None, 1_000).await.unwrap();
    assert!(second > first, "numbers are given out in order, never twice: {first:?} then {second:?}");
    assert_eq!(storage.kiosk_standing("kiosk-e").await.unwrap(), Some(None));
    assert!(storage.revoke_kiosk("kiosk-e", 1_500).await.unwrap());
    assert!(storage.revoke_kiosk("kiosk-e", 1_600).await.unwrap(), "again: nothing changes");
    assert!(!storage.revoke_kiosk("kiosk-nobody", 1_500).await.unwrap());
    assert_eq!(storage.kiosk_standing("kiosk-e").await.unwrap(), Some(Some(1_500)));
    assert_eq!(storage.kiosk_standing("kiosk-nobody").await.unwrap(), None);
    let mut standings = storage.kiosk_standings().await.unwrap();
    standings.sort();
    assert_eq!(standings, [("kiosk-a".to_string(), None), ("kiosk-e".to_string(), Some(1_500))]);

    // Out of order: 1, 2, 4 then 3 fills the gap.
    let ack = storage
        .insert_batch(
            "kiosk-a",
            vec![record(1, json!({"n": 1})), record(2, json!({"n": 2})), record(4, json!({"n": 4}))],
            10,
        )
        .await
        .unwrap();
    assert_eq!((ack.inserted, ack.highest_contiguous_seq), (3, 2));
    let ack = storage.insert_batch("kiosk-a", vec![record(3, json!({"n": 3}))], 11).await.unwrap();
    assert_eq!(ack.highest_contiguous_seq, 4);
    // Replays count nothing twice; another kiosk's numbers are its own.
    let ack = storage
        .insert_batch("kiosk-a", vec![record(1, json!({"n": 1})), record(2, json!({"n": 2}))], 12)
        .await
        .unwrap();
    assert_eq!((ack.inserted, ack.duplicates, ack.highest_contiguous_seq), (0, 2, 4));
    let ack = storage.insert_batch("kiosk-b", vec![record(1, json!({"n": 1}))], 12).await.unwrap();
    assert_eq!((ack.inserted, ack.highest_contiguous_seq), (1, 1));
    // Same id, other payload: a conflict, the first one stays.
    let ack = storage.insert_batch("kiosk-a", vec![record(2, json!({"n": "forged"}))], 13).await.unwrap();
    assert_eq!(ack.conflicts.len(), 1);
    // Another id on a used sequence number: also a conflict.
    let mut other = record(3, json!({"n": 3}));
    other.id = uuid::Uuid::from_u128(42);
    let ack = storage.insert_batch("kiosk-a", vec![other], 14).await.unwrap();
    assert!(ack.conflicts[0].reason.contains("already used"), "{:?}", ack.conflicts);
    let exported = storage.export(Some("kiosk-a")).await.unwrap();
    assert_eq!(exported.iter().map(|t| t.record.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(exported[1].record.payload.to_value(), json!({"n": 2}));
    // A record that breaks the record rules is refused for good: a note is stored in its place,
    // so the watermark passes it instead of stopping there for ever, and the same record sent again
    // is a duplicate of the note. A hash that does not match:
    let mut bad = record(5, json!({"n": 5}));
    bad.payload_hash = "00".repeat(32);
    let ack = storage.insert_batch("kiosk-a", vec![bad.clone()], 15).await.unwrap();
    assert_eq!((ack.inserted, ack.refused.len(), ack.highest_contiguous_seq), (1, 1, 5), "{ack:?}");
    assert!(ack.refused[0].reason.contains("hash"), "{:?}", ack.refused);
    let again = storage.insert_batch("kiosk-a", vec![bad], 15).await.unwrap();
    assert_eq!((again.duplicates, again.refused.len(), again.conflicts.len()), (1, 1, 0), "{again:?}");
    // A hash not spelt as 64 lowercase hex digits, even one of the right value; a kind the protocol
    // does not know; a resident given as a clear ID number; a payload too deep for the database.
    for spelling in [|h: &str| h.to_uppercase(), |h: &str| h[..62].to_string(), |h: &str| format!("{}zz", &h[..62])] {
        let seq = storage.export(Some("kiosk-a")).await.unwrap().len() as u64 + 1;
        let mut misspelt = record(seq, json!({"n": seq}));
        misspelt.payload_hash = spelling(&misspelt.payload_hash);
        let ack = storage.insert_batch("kiosk-a", vec![misspelt], 15).await.unwrap();
        assert!(ack.refused[0].reason.contains("64 lowercase hex digits"), "{ack:?}");
    }
    let mut unknown_kind = record(9, json!({"n": 9}));
    unknown_kind.kind = "anything\0".into();
    let mut clear_id = record(10, json!({"n": 10}));
    clear_id.resident = Some("11010519491231002X".into());
    let mut deep = record(11, json!(null));
    deep.payload = Payload::from_text(format!("{}{}", "[".repeat(5000), "]".repeat(5000))).unwrap();
    deep.payload_hash = deep.payload.hash();
    let ack = storage.insert_batch("kiosk-a", vec![unknown_kind, clear_id, deep], 15).await.unwrap();
    assert_eq!((ack.refused.len(), ack.highest_contiguous_seq), (3, 11), "{ack:?}");
    let stored = storage.export(Some("kiosk-a")).await.unwrap();
    assert_eq!(stored.len(), 11);
    for note in &stored[4..] {
        assert_eq!(note.record.kind, "refused");
        assert_eq!(note.record.resident, None, "no clear ID number is kept");
        assert!(!note.record.payload.as_str().contains("11010519491231002X"));
    }
    // A sequence number out of range refuses the whole batch: no kiosk makes one.
    let mut out_of_range = record(12, json!({"n": 12}));
    out_of_range.seq = u64::MAX;
    assert!(storage.insert_batch("kiosk-a", vec![out_of_range], 15).await.is_err());
    // A payload is kept byte for byte as the kiosk hashed it, whatever its spacing or key order.
    let mut verbatim = record(2101, json!(null));
    verbatim.payload = Payload::from_text(r#"{ "z": 1,  "a": "社保" }"#.to_string()).unwrap();
    verbatim.payload_hash = verbatim.payload.hash();
    storage.insert_batch("kiosk-c", vec![verbatim.clone()], 15).await.unwrap();
    assert_eq!(storage.export(Some("kiosk-c")).await.unwrap()[0].record, verbatim);
    // Large batches advance the watermark past a thousand in one go.
    let many: Vec<_> = (5..=2100).map(|s| record(s, json!({"n": s}))).collect();
    assert_eq!(storage.insert_batch("kiosk-a", many, 16).await.unwrap().highest_contiguous_seq, 2100);

    // Heartbeats: the last one per kiosk.
    let mut heartbeat = Heartbeat {
        sent_at_ms: 1,
        devices: Vec::new(),
        backlog: 7,
        oldest_pending_ms: None,
        content_version: Some(3),
        software_version: "0.1.0".into(),
        free_disk_bytes: Some(1 << 30),
        rejected_bundles: Vec::new(),
        content: None,
        refused_records: 0,
    };
    fn arrival(heartbeat: &Heartbeat, at_ms: i64) -> HeartbeatArrival<'_> {
        let (kiosk_id, condition, certificate_ends_ms, offline_after_ms) = ("kiosk-a", String::new(), None, 45_000);
        HeartbeatArrival { kiosk_id, heartbeat, condition, certificate_ends_ms, at_ms, offline_after_ms }
    }
    storage.save_heartbeat(&arrival(&heartbeat, 20)).await.unwrap();
    heartbeat.backlog = 0;
    storage.save_heartbeat(&arrival(&heartbeat, 30)).await.unwrap();
    let kiosks = storage.kiosks().await.unwrap();
    assert_eq!(kiosks.len(), 2);
    assert_eq!((kiosks[1].kiosk_id.as_str(), kiosks[1].revoked_at_ms), ("kiosk-e", Some(1_500)));
    assert_eq!(kiosks[0].revoked_at_ms, None);
    assert_eq!((kiosks[0].last_heartbeat_ms, kiosks[0].last_heartbeat.as_ref().unwrap().backlog), (Some(30), 0));
    assert_eq!(kiosks[0].highest_contiguous_seq, 2100);
    assert_eq!(kiosks[0].label.as_deref(), Some("一号机"));

    // Payment orders: one per idempotency key; paid once.
    let order = |id: &str| PaymentOrder {
        order_id: id.into(),
        account: "3301-0288-1742".into(),
        amount_fen: 4140,
        status: PaymentStatus::Pending,
        pay_url: format!("https://x/pay/{id}"),
        created_at_ms: 1,
    };
    let first = storage.create_payment_order("kiosk-a", "key-00001", &order("po-1")).await.unwrap();
    let retry = storage.create_payment_order("kiosk-a", "key-00001", &order("po-2")).await.unwrap();
    assert_eq!(retry.order_id, first.order_id);
    assert!(storage.payment_order("po-2", None, NOW).await.unwrap().is_none());
    // Another kiosk neither sees nor cancels the order; its own kiosk and the payer's page do.
    assert!(storage.payment_order("po-1", Some("kiosk-b"), NOW).await.unwrap().is_none());
    assert!(
        storage.close_payment_order("po-1", Some("kiosk-b"), PaymentStatus::Cancelled, NOW).await.unwrap().is_none()
    );
    assert_eq!(
        storage.payment_order("po-1", Some("kiosk-a"), NOW).await.unwrap().unwrap().status,
        PaymentStatus::Pending,
        "another kiosk's cancel changed nothing"
    );
    assert_eq!(
        storage.close_payment_order("po-1", None, PaymentStatus::Paid, NOW).await.unwrap().unwrap().status,
        PaymentStatus::Paid
    );
    let after_payment =
        storage.close_payment_order("po-1", Some("kiosk-a"), PaymentStatus::Cancelled, NOW).await.unwrap().unwrap();
    assert_eq!(after_payment.status, PaymentStatus::Paid, "a cancel after the payment leaves it paid");
    assert_eq!(storage.payment_order("po-1", None, NOW).await.unwrap().unwrap().status, PaymentStatus::Paid);
    assert!(storage.close_payment_order("po-none", None, PaymentStatus::Paid, NOW).await.unwrap().is_none());
    storage.create_payment_order("kiosk-a", "key-00002", &order("po-3")).await.unwrap();
    let cancelled =
        storage.close_payment_order("po-3", Some("kiosk-a"), PaymentStatus::Cancelled, NOW).await.unwrap().unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    let paid_late = storage.close_payment_order("po-3", None, PaymentStatus::Paid, NOW).await.unwrap().unwrap();
    assert_eq!(paid_late.status, PaymentStatus::Cancelled, "a cancelled order cannot be paid");
    // An order left pending past its lifetime (its kiosk never cancelled it) can no longer be paid.
    storage.create_payment_order("kiosk-a", "key-00003", &order("po-4")).await.unwrap();
    let late = 1 + PAYMENT_ORDER_LIFETIME_MS;
    assert_eq!(storage.payment_order("po-4", None, late - 1).await.unwrap().unwrap().status, PaymentStatus::Pending);
    assert_eq!(
        storage.payment_order("po-4", Some("kiosk-a"), late).await.unwrap().unwrap().status,
        PaymentStatus::Expired
    );
    let paid_expired = storage.close_payment_order("po-4", None, PaymentStatus::Paid, late).await.unwrap().unwrap();
    assert_eq!(paid_expired.status, PaymentStatus::Expired);
    storage.create_payment_order("kiosk-a", "key-00004", &order("po-5")).await.unwrap();
    let paid_expired = storage.close_payment_order("po-5", None, PaymentStatus::Paid, late).await.unwrap().unwrap();
    assert_eq!(paid_expired.status, PaymentStatus::Expired, "closed as expired, even without a look first");

    // Appointments: idempotent per key, refused when the slot is full.
    let slot = citizen_central::demo_data::slot("si-20261127-0900").unwrap();
    let booking = |id: &str| Appointment { appointment_id: id.into(), slot: slot.clone() };
    let a = storage.book_appointment("kiosk-a", "book-1", &booking("ap-1"), "r1", 2).await.unwrap();
    assert_eq!(storage.book_appointment("kiosk-a", "book-1", &booking("ap-x"), "r1", 2).await.unwrap(), a);
    storage.book_appointment("kiosk-a", "book-2", &booking("ap-2"), "r2", 2).await.unwrap();
    assert!(storage.book_appointment("kiosk-a", "book-3", &booking("ap-3"), "r3", 2).await.is_err(), "slot full");
    assert_eq!(storage.booked_counts(std::slice::from_ref(&slot.slot_id)).await.unwrap()[&slot.slot_id], 2);
    // One booking per resident per window per day, whichever kiosk asks.
    let later = citizen_central::demo_data::slot("si-20261127-1000").unwrap();
    let at = |slot: &citizen_window_protocol::services::AppointmentSlot, id: &str| Appointment {
        appointment_id: id.into(),
        slot: slot.clone(),
    };
    let again = storage.book_appointment("kiosk-b", "book-4", &at(&later, "ap-4"), "r1", 2).await;
    assert!(matches!(again, Err(citizen_central::storage::StorageError::AlreadyBooked(_))), "{again:?}");
    let elsewhere = citizen_central::demo_data::slot("la-20261127-1000").unwrap();
    storage.book_appointment("kiosk-b", "book-5", &at(&elsewhere, "ap-5"), "r1", 2).await.unwrap();
    let next_day = citizen_central::demo_data::slot("si-20261128-1000").unwrap();
    storage.book_appointment("kiosk-b", "book-6", &at(&next_day, "ap-6"), "r1", 2).await.unwrap();

    // Issue reports are found by their tracking number once synced.
    storage
        .insert_batch("kiosk-b", vec![record(2, json!({"tracking_number": "R-1", "category": "路灯"}))], 40)
        .await
        .unwrap();
    assert_eq!(storage.issue_report_received("R-1").await.unwrap(), Some(40));
    assert_eq!(storage.issue_report_received("R-2").await.unwrap(), None);

    ballots(&storage).await;
}

/// A vote of `id_number` on `proposal`, sealed at `kiosk` for the server holding `keys`.
fn vote(keys: &ResidentKeys, seq: u64, kiosk: &str, proposal: &str, id_number: &str) -> TransactionRecord {
    let purpose = citizen_window_protocol::resident_seal::SealPurpose::Vote { proposal };
    let sealed = citizen_window_protocol::resident_seal::seal(&keys.seal_public_key(), kiosk, purpose, 1, id_number);
    let payload = Payload::from_value(&json!({ "proposal": proposal, "choice": "agree" }));
    TransactionRecord {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "vote".into(),
        payload_hash: payload.hash(),
        payload,
        resident: Some(sealed.unwrap()),
        created_at_ms: 1_764_000_000_000,
    }
}

/// One counted ballot per resident and proposal, whichever kiosk sends it; a replay of the counted
/// one stays counted, the second stays aside.
async fn ballots(storage: &Storage) {
    let keys = ResidentKeys::new(&*citizen_central::residents::new_seal_key(), vec![7; 32]).unwrap();
    let upload = |kiosk: &'static str, records: Vec<TransactionRecord>| {
        let batch = UploadBatch::of(records);
        async { storage.insert_upload(kiosk, batch, NOW, Some(&keys)).await.unwrap() }
    };
    let (zhang, li) = ("330106199001010018", "11010519491231002X");
    let first = vote(&keys, 1, "kiosk-v1", "p-1", zhang);
    let ack = upload("kiosk-v1", vec![first.clone()]).await;
    assert_eq!((ack.inserted, ack.refused.len()), (1, 0));
    let batch = vec![
        vote(&keys, 1, "kiosk-v2", "p-1", zhang),
        vote(&keys, 2, "kiosk-v2", "p-2", zhang),
        vote(&keys, 3, "kiosk-v2", "p-1", li),
        vote(&keys, 4, "kiosk-v2", "p-1", li),
        // Sealed for another proposal than the one it names: it does not open.
        {
            let mut moved = vote(&keys, 5, "kiosk-v2", "p-3", li);
            moved.payload = Payload::from_value(&json!({ "proposal": "p-4", "choice": "agree" }));
            moved.payload_hash = moved.payload.hash();
            moved
        },
    ];
    let ack = upload("kiosk-v2", batch.clone()).await;
    assert_eq!(ack.highest_contiguous_seq, 5, "{ack:?}");
    let codes: Vec<(u64, Option<&str>)> = ack.refused.iter().map(|r| (r.seq, r.code.as_deref())).collect();
    assert_eq!(codes, [(5, None), (1, Some("already_voted")), (4, Some("already_voted"))]);
    // Both sent again: nothing new, nothing counted twice.
    assert_eq!(upload("kiosk-v1", vec![first]).await.duplicates, 1);
    let again = upload("kiosk-v2", batch).await;
    assert_eq!((again.inserted, again.duplicates), (0, 5), "{again:?}");
    let stored = storage.export(None).await.unwrap();
    let counted: Vec<_> = stored.iter().filter(|t| t.record.kind == "vote").collect();
    assert_eq!(counted.len(), 3);
    assert!(counted.iter().all(|t| t.record.resident.as_ref().is_some_and(|r| r.len() == 64)));
    // Without the residents' keys, a vote cannot be counted: set aside, never stored with its seal.
    let alone = storage.insert_batch("kiosk-v3", vec![vote(&keys, 1, "kiosk-v3", "p-1", zhang)], NOW).await.unwrap();
    assert_eq!(alone.refused.len(), 1);
}

#[tokio::test]
async fn sqlite_storage_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(Storage::open("central.sqlite", dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_storage_keeps_the_contract() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    contract(Storage::open(&url, std::path::Path::new(".")).await.unwrap()).await;
}

/// Uploads of one kiosk that reach two server instances at once (a retry through another
/// instance, say), in any order: every record is stored once and the watermark ends at the top.
async fn concurrent_uploads_of_one_kiosk(first: Storage, second: Storage) {
    let instances = [std::sync::Arc::new(first), std::sync::Arc::new(second)];
    let mut uploads = Vec::new();
    // 40 batches of 5 records (1..=200), each sent twice, through alternating instances.
    for copy in 0..2 {
        for batch in 0..40u64 {
            let storage = instances[((batch + copy) % 2) as usize].clone();
            let records: Vec<_> = (batch * 5 + 1..=batch * 5 + 5).map(|seq| record(seq, json!({"n": seq}))).collect();
            uploads.push(tokio::spawn(async move { storage.insert_batch("kiosk-busy", records, 1).await.unwrap() }));
        }
    }
    let mut inserted = 0;
    for upload in uploads {
        let ack = upload.await.unwrap();
        assert!(ack.conflicts.is_empty(), "{:?}", ack.conflicts);
        inserted += ack.inserted;
    }
    assert_eq!(inserted, 200, "each record stored once");
    let last = instances[0].insert_batch("kiosk-busy", vec![record(200, json!({"n": 200}))], 2).await.unwrap();
    assert_eq!((last.duplicates, last.highest_contiguous_seq), (1, 200));
    assert_eq!(instances[1].export(Some("kiosk-busy")).await.unwrap().len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_uploads_of_one_kiosk_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let first = Storage::open("central.sqlite", dir.path()).await.unwrap();
    let second = Storage::open("central.sqlite", dir.path()).await.unwrap();
    concurrent_uploads_of_one_kiosk(first, second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_concurrent_uploads_of_one_kiosk_are_exact() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let first = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    let second = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    concurrent_uploads_of_one_kiosk(first, second).await;
}

/// An issue-report status lookup goes through the tracking-number index, not through every
/// transaction the district ever stored.
#[tokio::test]
async fn sqlite_issue_report_lookup_uses_its_index() {
    let dir = tempfile::tempdir().unwrap();
    drop(Storage::open("central.sqlite", dir.path()).await.unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("central.sqlite")).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", citizen_central::storage::SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER))
        .unwrap()
        .query_map(["R-1"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|step| step.contains("USING INDEX transactions_tracking_number")), "{plan:?}");
}

#[tokio::test]
async fn postgres_issue_report_lookup_uses_its_index() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    drop(Storage::open(&url, std::path::Path::new(".")).await.unwrap());
    let client = postgres_tls::connect_one(&url).await.unwrap();
    // An empty table is cheaper to scan than to look up: forbid the scan to see that the index fits.
    client.batch_execute("SET enable_seqscan = off").await.unwrap();
    let query = citizen_central::storage::POSTGRES_ISSUE_REPORT_BY_TRACKING_NUMBER.replace("$1", "'R-1'");
    let plan: Vec<String> =
        client.query(&format!("EXPLAIN {query}"), &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert!(plan.iter().any(|step| step.contains("transactions_tracking_number")), "{plan:?}");
}

/// Many kiosks uploading at once (their batches are stored in groups): each answer is the one the
/// batch would get alone, a conflict in one batch is reported without touching the others'.
async fn many_kiosks_at_once(storage: Storage) {
    let storage = std::sync::Arc::new(storage);
    let mut kiosks = Vec::new();
    for k in 0..30 {
        let storage = storage.clone();
        kiosks.push(tokio::spawn(async move {
            let kiosk_id = format!("kiosk-many-{k:02}");
            let first: Vec<_> = (1..=10).map(|seq| record(seq, json!({"k": k, "n": seq}))).collect();
            let first = storage.insert_batch(&kiosk_id, first, 1).await.unwrap();
            // A retry of the whole first batch with five more; kiosk 0 changed record 3 meanwhile.
            let mut second: Vec<_> = (1..=15).map(|seq| record(seq, json!({"k": k, "n": seq}))).collect();
            if k == 0 {
                second[2] = record(3, json!({"k": 0, "n": "changed"}));
            }
            let second = storage.insert_batch(&kiosk_id, second, 2).await.unwrap();
            (first, second)
        }));
    }
    for (k, kiosk) in kiosks.into_iter().enumerate() {
        let (first, second) = kiosk.await.unwrap();
        assert_eq!((first.inserted, first.duplicates, first.highest_contiguous_seq), (10, 0, 10));
        let duplicates = if k == 0 { 9 } else { 10 };
        assert_eq!(
            (second.inserted, second.duplicates, second.highest_contiguous_seq),
            (5, duplicates, 15),
            "kiosk {k}"
        );
        assert_eq!(second.conflicts.len(), usize::from(k == 0), "kiosk {k}: {:?}", second.conflicts);
    }
    let kept = storage.export(Some("kiosk-many-00")).await.unwrap();
    assert_eq!(kept.len(), 15);
    assert_eq!(kept[2].record.payload.to_value(), json!({"k": 0, "n": 3}), "the stored one is kept");
    assert_eq!(storage.export(None).await.unwrap().len(), 30 * 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_many_kiosks_at_once_are_answered_as_if_alone() {
    let dir = tempfile::tempdir().unwrap();
    many_kiosks_at_once(Storage::open("central.sqlite", dir.path()).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_many_kiosks_at_once_are_answered_as_if_alone() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    many_kiosks_at_once(Storage::open(&url, std::path::Path::new(".")).await.unwrap()).await;
}

/// A batch PostgreSQL refuses (here by a trigger of the test's: the record rules keep out what
/// the database cannot hold) fails alone: the batches stored with it are not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_batch_the_database_refuses_fails_alone() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let storage = std::sync::Arc::new(Storage::open(&url, std::path::Path::new(".")).await.unwrap());
    postgres_tls::connect_one(&url)
        .await
        .unwrap()
        .batch_execute(
            "CREATE FUNCTION refuse_kiosk_07() RETURNS trigger LANGUAGE plpgsql AS $f$
             BEGIN RAISE EXCEPTION 'refused for the test'; END $f$;
             CREATE TRIGGER refuse_kiosk_07 BEFORE INSERT ON transactions FOR EACH ROW
             WHEN (NEW.kiosk_id = 'kiosk-group-07') EXECUTE FUNCTION refuse_kiosk_07();",
        )
        .await
        .unwrap();
    let mut uploads = Vec::new();
    for k in 0..20 {
        let storage = storage.clone();
        uploads.push(tokio::spawn(async move {
            storage.insert_batch(&format!("kiosk-group-{k:02}"), vec![record(1, json!({"n": k}))], 1).await
        }));
    }
    for (k, upload) in uploads.into_iter().enumerate() {
        let result = upload.await.unwrap();
        if k == 7 {
            assert!(result.is_err(), "the refused batch reports its failure");
        } else {
            assert_eq!(result.unwrap().highest_contiguous_seq, 1, "kiosk {k}");
        }
    }
    assert_eq!(storage.export(None).await.unwrap().len(), 19);
}

/// A server file from before schema version 1 (kiosk, id and hash stored as text) is brought up
/// to date when it is opened: every transaction, its hash and each kiosk's watermark carried over.
#[tokio::test]
async fn sqlite_file_with_text_keys_is_migrated_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let old = rusqlite::Connection::open(dir.path().join("central.sqlite")).unwrap();
    old.execute_batch(
        "CREATE TABLE transactions (
            kiosk_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
            payload TEXT NOT NULL, payload_hash TEXT NOT NULL, resident TEXT,
            created_at_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL,
            PRIMARY KEY (kiosk_id, id), UNIQUE (kiosk_id, seq));
         CREATE TABLE kiosk_progress (kiosk_id TEXT PRIMARY KEY, contiguous INTEGER NOT NULL);",
    )
    .unwrap();
    let written: Vec<(&str, TransactionRecord)> = vec![
        ("kiosk-a", record(1, json!({"n": 1}))),
        ("kiosk-a", record(2, json!({"tracking_number": "R-9"}))),
        ("kiosk-b", record(1, json!({"n": "一"}))),
    ];
    for (kiosk, r) in &written {
        old.execute(
            "INSERT INTO transactions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 77)",
            rusqlite::params![
                kiosk,
                r.id.to_string(),
                r.seq as i64,
                r.kind,
                r.payload.as_str(),
                r.payload_hash,
                r.resident,
                r.created_at_ms
            ],
        )
        .unwrap();
    }
    old.execute_batch("INSERT INTO kiosk_progress VALUES ('kiosk-a', 2), ('kiosk-b', 1);").unwrap();
    drop(old);

    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    let exported = storage.export(None).await.unwrap();
    let carried: Vec<(&str, &TransactionRecord)> = exported.iter().map(|t| (t.kiosk_id.as_str(), &t.record)).collect();
    assert_eq!(carried, written.iter().map(|(k, r)| (*k, r)).collect::<Vec<_>>());
    assert!(exported.iter().all(|t| t.received_at_ms == 77));
    assert_eq!(storage.issue_report_received("R-9").await.unwrap(), Some(77));
    // The watermark goes on from where it was, and a replay is still a duplicate.
    let ack = storage
        .insert_batch("kiosk-a", vec![record(2, json!({"tracking_number": "R-9"})), record(3, json!({"n": 3}))], 80)
        .await
        .unwrap();
    assert_eq!((ack.inserted, ack.duplicates, ack.highest_contiguous_seq), (1, 1, 3));
    drop(storage);
    // Opening it again changes nothing.
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    assert_eq!(storage.export(None).await.unwrap().len(), 4);
}

/// A file written by a newer server is refused with a message saying what to run, and left alone.
#[tokio::test]
async fn sqlite_file_from_a_newer_server_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    rusqlite::Connection::open(dir.path().join("central.sqlite"))
        .unwrap()
        .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
        .unwrap();
    let refused = Storage::open("central.sqlite", dir.path()).await.err().expect("refused");
    assert!(refused.to_string().contains("newer citizen-central"), "{refused}");
    let version: i64 = rusqlite::Connection::open(dir.path().join("central.sqlite"))
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

/// A fresh, empty database on the test PostgreSQL server.
/// The server's connections are TLS, verified as the URL says; a certificate from another CA is
/// refused; a wrong password never shows in the error. (scripts/test-postgres.sh serves TLS with a
/// test-only CA and gives its URL with sslmode=verify-full.)
#[tokio::test]
async fn postgres_is_reached_over_verified_tls() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    drop(storage);
    let client = postgres_tls::connect_one(&url).await.unwrap();
    let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
    let encrypted: bool = row.get(0);
    assert_eq!(encrypted, url.contains("sslmode=verify-full"), "{url}");
    if !url.contains("sslmode=verify-full") {
        return;
    }
    // Another CA: the server's certificate does not verify, and nothing is sent in the clear.
    let elsewhere = tempfile::tempdir().unwrap();
    let other_ca = rcgen::generate_simple_self_signed(vec!["other CA".into()]).unwrap();
    let other_ca_file = elsewhere.path().join("other-ca.pem");
    std::fs::write(&other_ca_file, other_ca.cert.pem()).unwrap();
    let (before, _) = url.split_once("sslrootcert=").unwrap();
    let wrong_root =
        format!("{before}sslrootcert={}", other_ca_file.display()).replace("postgres@", "postgres:hunter2@");
    let err = Storage::open(&wrong_root, std::path::Path::new(".")).await.err().expect("refused");
    let shown = format!("{err}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(postgres_tls::connect_one(&wrong_root).await.is_err());
}
