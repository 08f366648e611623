//! The votes' tallies and the closing of proposals, on SQLite and on PostgreSQL alike: counted
//! votes grouped by choice, comment, China day and kiosk; votes arriving after a close counted
//! apart, whatever date their kiosk gave them; odd values from a kiosk break no page.

#[path = "support/console_rig.rs"]
mod console_rig;
mod support;

use citizen_central::residents::{ResidentKeys, new_seal_key};
use citizen_central::storage::{Storage, VoteGroup};
use citizen_window_protocol::resident_seal::{SealPurpose, seal};
use citizen_window_protocol::sync::{Payload, TransactionRecord, UploadBatch};
use console_rig::id_number as id;
use serde_json::json;

/// 2026-12-01 10:00 in China.
const MORNING: i64 = 1_796_090_400_000;
const DAY: i64 = 86_400_000;

fn vote(keys: &ResidentKeys, kiosk: &str, seq: u64, resident: &str, choice: &str, at_ms: i64) -> TransactionRecord {
    let comment = (choice == "agree").then_some(("支持", "Yes"));
    let payload = Payload::from_value(&json!({
        "proposal": "p-1", "proposal_title": ["充电棚", "Shelters"], "choice": choice, "comment": comment, "vote_code": "K7M2-9QXD"
    }));
    let sealed = seal(&keys.seal_public_key(), kiosk, SealPurpose::Vote { proposal: "p-1" }, at_ms, resident).unwrap();
    TransactionRecord {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "vote".into(),
        payload_hash: payload.hash(),
        payload,
        resident: Some(sealed),
        created_at_ms: at_ms,
    }
}

async fn tally_contract(storage: &Storage) {
    let keys = ResidentKeys::new(&*new_seal_key(), vec![9; 32]).unwrap();
    // Counted by when they arrived: the server's clock, not the kiosk's.
    let upload = |kiosk: &'static str, records, received_ms: i64| {
        let keys = &keys;
        async move { storage.insert_upload(kiosk, UploadBatch::of(records), received_ms, Some(keys)).await.unwrap() }
    };
    upload(
        "kiosk-a",
        vec![
            vote(&keys, "kiosk-a", 1, &id(1), "agree", MORNING),
            vote(&keys, "kiosk-a", 2, &id(2), "disagree", MORNING + 60_000),
        ],
        MORNING + 120_000,
    )
    .await;
    let second = upload(
        "kiosk-b",
        vec![
            vote(&keys, "kiosk-b", 1, &id(3), "agree", MORNING + DAY),
            vote(&keys, "kiosk-b", 2, &id(1), "abstain", MORNING + DAY),
        ],
        MORNING + DAY,
    )
    .await;
    assert_eq!(second.refused.len(), 1, "resident 1 voted already");

    let (groups, late) = storage.vote_tally("p-1", None).await.unwrap();
    let day = citizen_window_protocol::china_time::day_number(MORNING);
    let group = |choice: &str, comment: bool, day: i64, kiosk: &str| VoteGroup {
        choice: choice.into(),
        comment: comment.then(|| ("支持".to_string(), "Yes".to_string())),
        day,
        kiosk_id: kiosk.into(),
        votes: 1,
    };
    assert_eq!(
        groups,
        [
            group("agree", true, day, "kiosk-a"),
            group("disagree", false, day, "kiosk-a"),
            group("agree", true, day + 1, "kiosk-b")
        ]
    );
    assert_eq!(late, 0);

    let proposals = storage.proposals().await.unwrap();
    assert_eq!(proposals.len(), 1);
    assert_eq!((proposals[0].votes, proposals[0].title.1.as_str(), proposals[0].closed_at_ms), (3, "Shelters", None));
    assert!(storage.close_proposal("p-1", MORNING + DAY - 1, "王芳").await.unwrap());
    assert!(!storage.close_proposal("p-1", MORNING + DAY, "王芳").await.unwrap(), "closed once");
    let (groups, late) = storage.vote_tally("p-1", Some(MORNING + DAY - 1)).await.unwrap();
    assert_eq!((groups.len(), late), (2, 1), "the vote of the next day came after the close");
    // A vote dated before the close by its kiosk's clock but arriving after it counts apart.
    let backdated = vote(&keys, "kiosk-b", 3, &id(4), "agree", MORNING);
    upload("kiosk-b", vec![backdated], MORNING + 2 * DAY).await;
    let (groups, late) = storage.vote_tally("p-1", Some(MORNING + DAY - 1)).await.unwrap();
    assert_eq!((groups.len(), late), (2, 2));
    assert!(storage.note_result_published("p-1", 7).await.unwrap());
    assert!(!storage.note_result_published("p-2", 7).await.unwrap(), "p-2 was never closed");
    let closed = &storage.proposals().await.unwrap()[0];
    assert_eq!((closed.closed_by.as_deref(), closed.result_version), (Some("王芳"), Some(7)));

    // A kiosk's numbers where words belong break neither the list nor the tally.
    let mut odd = vote(&keys, "kiosk-a", 3, &id(6), "agree", MORNING);
    odd.payload = Payload::from_value(
        &json!({"proposal": "p-2", "proposal_title": 0, "choice": 7, "comment": 5, "vote_code": 1}),
    );
    odd.payload_hash = odd.payload.hash();
    odd.resident =
        Some(seal(&keys.seal_public_key(), "kiosk-a", SealPurpose::Vote { proposal: "p-2" }, MORNING, &id(6)).unwrap());
    upload("kiosk-a", vec![odd], MORNING + 3 * DAY).await;
    let listed = storage.proposals().await.unwrap();
    assert!(listed.iter().any(|p| p.proposal == "p-2" && p.title == (String::new(), String::new())), "{listed:?}");
    let (groups, _) = storage.vote_tally("p-2", None).await.unwrap();
    assert_eq!((groups.len(), groups[0].choice.as_str(), groups[0].comment.clone()), (1, "7", None));
}

#[tokio::test]
async fn sqlite_tallies_votes() {
    let dir = tempfile::tempdir().unwrap();
    tally_contract(&Storage::open("central.sqlite", dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_tallies_votes() {
    let Some(url) = support::postgres_test_database().await else { return };
    tally_contract(&Storage::open(&url, std::path::Path::new(".")).await.unwrap()).await;
}
