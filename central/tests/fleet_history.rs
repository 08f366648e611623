//! The kiosks' histories, certificates' ends and labels, on SQLite and on PostgreSQL alike: a
//! heartbeat after a silence writes the offline spell (from when the kiosk counted as offline), an
//! unchanged condition writes nothing, entries older than 31 days go but the one in force then.

mod support;

use citizen_central::storage::{HISTORY_KEPT_MS, HeartbeatArrival, HistoryEntry, Storage, token_hash};
use citizen_window_protocol::heartbeat::Heartbeat;

const DAY: i64 = 86_400_000;

fn heartbeat() -> Heartbeat {
    Heartbeat {
        sent_at_ms: 0,
        devices: Vec::new(),
        backlog: 0,
        oldest_pending_ms: None,
        content_version: None,
        software_version: "0.1.0".into(),
        free_disk_bytes: None,
        rejected_bundles: Vec::new(),
        content: None,
        refused_records: 0,
    }
}

async fn history_contract(storage: &Storage) {
    storage.create_enrol_token(&token_hash("h"), i64::MAX).await.unwrap();
    storage.enrol_kiosk(&token_hash("h"), "kiosk-h", Some("西门"), 1).await.unwrap();
    let beat = heartbeat();
    let arrive = |condition: &str, at_ms: i64, ends: Option<i64>| HeartbeatArrival {
        kiosk_id: "kiosk-h",
        heartbeat: &beat,
        condition: condition.into(),
        certificate_ends_ms: ends,
        at_ms,
        offline_after_ms: 45_000,
    };
    let start = 100 * DAY;
    storage.save_heartbeat(&arrive("", start, Some(400 * DAY))).await.unwrap();
    storage.save_heartbeat(&arrive("", start + 30_000, None)).await.unwrap();
    storage.save_heartbeat(&arrive("paper_out", start + 60_000, None)).await.unwrap();
    storage.save_heartbeat(&arrive("paper_out", start + 90_000, None)).await.unwrap();
    // Ten minutes of silence, then back without the problem.
    storage.save_heartbeat(&arrive("", start + 690_000, Some(500 * DAY))).await.unwrap();
    let entry = |at_ms: i64, condition: &str| HistoryEntry { at_ms, condition: condition.into() };
    let history = storage.kiosk_history("kiosk-h", 0).await.unwrap();
    assert_eq!(
        history,
        [
            entry(start, ""),
            entry(start + 60_000, "paper_out"),
            entry(start + 90_000 + 45_000, "offline"),
            entry(start + 690_000, ""),
        ]
    );
    // From a moment on: the entry in force then comes first.
    let since = storage.kiosk_history("kiosk-h", start + 100_000).await.unwrap();
    assert_eq!(since[0], entry(start + 60_000, "paper_out"));
    assert_eq!(since.len(), 3);

    // The certificate's end follows the one the kiosk connects with; a label can change.
    let row = storage.kiosk("kiosk-h").await.unwrap().unwrap();
    assert_eq!(row.certificate_ends_ms, Some(500 * DAY));
    assert_eq!(row.last_heartbeat_ms, Some(start + 690_000));
    assert!(storage.rename_kiosk("kiosk-h", "西门 2号机").await.unwrap());
    assert!(!storage.rename_kiosk("kiosk-nobody", "x").await.unwrap());
    assert!(storage.rename_kiosk("kiosk-h", "a\u{7}b").await.is_err(), "no control characters");
    assert!(storage.rename_kiosk("kiosk-h", &"长".repeat(65)).await.is_err(), "at most 64 characters");
    assert_eq!(storage.kiosks().await.unwrap()[0].label.as_deref(), Some("西门 2号机"));
    assert!(storage.kiosk("kiosk-nobody").await.unwrap().is_none());

    // Forty days later (silent since) the old entries go, but the one in force 31 days back: offline.
    let later = start + 690_000 + 40 * DAY;
    storage.save_heartbeat(&arrive("paper_low", later, None)).await.unwrap();
    let kept = storage.kiosk_history("kiosk-h", 0).await.unwrap();
    assert!(later - HISTORY_KEPT_MS > start + 690_000);
    assert_eq!(kept, [entry(start + 735_000, "offline"), entry(later, "paper_low")]);
}

#[tokio::test]
async fn sqlite_keeps_the_kiosks_histories() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    history_contract(&storage).await;
}

#[tokio::test]
async fn postgres_keeps_the_kiosks_histories() {
    let Some(url) = support::postgres_test_database().await else { return };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    history_contract(&storage).await;
}
