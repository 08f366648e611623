//! Residents under a stolen kiosk and a copied database: the kiosk holds no key that turns the
//! server's pseudonyms back into ID numbers, a ballot links to no other record, and one vote per
//! resident per proposal holds across kiosks, the second kiosk told so for its resident's screen.
//! Through the real server over mutual TLS.

mod support;

use citizen_window::journal::{NewTransaction, ReceiptPlan, now_ms};
use citizen_window::kiosk::messages::KioskEvent;
use citizen_window::sync::uploader::{OutboxUploader, with_journal};
use serde_json::json;
use support::{TestFleet, TestKiosk};

const ZHANG: &str = "330106199001010018";

/// Records `resident`'s vote on `proposal` at `kiosk` as the recording thread does; its seq.
async fn vote(kiosk: &TestKiosk, resident: &citizen_window::resident_key::ResidentHandle, proposal: &str) -> u64 {
    let sealed = resident.vote_seal(proposal, now_ms()).unwrap();
    let once_key = resident.vote_once_key(proposal);
    let payload = json!({ "proposal": proposal, "choice": "agree", "vote_code": "K7QF" });
    with_journal(&kiosk.journal, move |j| {
        let new = NewTransaction {
            kind: "vote",
            payload: &payload,
            resident: Some(&sealed),
            receipt: ReceiptPlan::NotNeeded,
        };
        j.record_once(&new, &once_key, now_ms())
    })
    .await
    .unwrap()
    .expect("the first vote here on this proposal")
    .seq
}

#[tokio::test(flavor = "multi_thread")]
async fn one_vote_per_resident_per_proposal_across_kiosks_and_the_second_kiosk_is_told() {
    let fleet = TestFleet::start(None).await;
    let (east, west) = (TestKiosk::enrol(&fleet).await, TestKiosk::enrol(&fleet).await);
    let (events, told) = std::sync::mpsc::channel();
    let upload =
        |kiosk: &TestKiosk| OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).telling(events.clone());

    vote(&east, &east.resident(ZHANG), "p-1").await;
    assert_eq!(upload(&east).sync_once().await.unwrap().inserted, 1);
    // The same resident at another kiosk: that kiosk's own rule cannot know, the server does.
    let second = vote(&west, &west.resident(ZHANG), "p-1").await;
    let report = upload(&west).sync_once().await.unwrap();
    assert_eq!((report.refused, report.acknowledged_through), (1, second), "set aside, and the outbox goes on");
    assert_eq!(told.try_recv().unwrap(), KioskEvent::VoteNotCounted { seq: second });
    let status = with_journal(&west.journal, |j| j.sync_status()).await.unwrap();
    assert_eq!(status.refused, 1);
    // Another proposal, and another resident, count.
    vote(&west, &west.resident(ZHANG), "p-2").await;
    vote(&west, &west.resident("11010519491231002X"), "p-1").await;
    let report = upload(&west).sync_once().await.unwrap();
    assert_eq!((report.inserted, report.refused), (2, 0));
    // Sent again (a lost answer), nothing changes: the counted ones stay counted, the refused stays aside.
    let storage = fleet.storage().await;
    let votes = |stored: &[citizen_central::storage::StoredTransaction]| {
        stored
            .iter()
            .filter(|t| t.record.kind == "vote")
            .map(|t| t.record.resident.clone().unwrap())
            .collect::<Vec<_>>()
    };
    let ballots = votes(&storage.export(None).await.unwrap());
    assert_eq!(ballots.len(), 3);
    for kiosk in [&east, &west] {
        let records: Vec<citizen_window::journal::JournalRecord> =
            with_journal(&kiosk.journal, |j| (1..=j.last_seq()?).map(|s| j.get(s)).collect()).await.unwrap();
        let records: Vec<_> = records.into_iter().map(citizen_window::sync::uploader::to_wire).collect();
        let ack = kiosk.client.upload(&citizen_window_protocol::sync::UploadBatch::of(records)).await.unwrap();
        assert_eq!(ack.inserted, 0, "{ack:?}");
    }
    assert_eq!(votes(&storage.export(None).await.unwrap()), ballots);
    // Ballots are pseudonyms per proposal: the same resident's two ballots share nothing.
    assert!(ballots.iter().all(|b| b.len() == 64 && !b.contains(ZHANG)));
    let unique: std::collections::HashSet<_> = ballots.iter().collect();
    assert_eq!(unique.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stolen_kiosk_holds_no_key_to_the_servers_pseudonyms() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let resident = kiosk.resident(ZHANG);
    vote(&kiosk, &resident, "p-1").await;
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();

    // Every byte the kiosk keeps (identity, secrets, journal), as text and as hex.
    let mut kept = Vec::new();
    let mut folders = vec![kiosk.state.path().to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                kept.extend(std::fs::read(&path).unwrap());
            }
        }
    }
    let kept_text = String::from_utf8_lossy(&kept).to_lowercase();
    for secret in ["resident-pepper.secret", "resident-seal.key"] {
        let server_secret = std::fs::read_to_string(fleet.path().join(secret)).unwrap();
        assert!(!kept_text.contains(server_secret.trim()), "the kiosk holds the server's {secret}");
        let raw = hex::decode(server_secret.trim()).unwrap();
        assert!(!kept.windows(raw.len()).any(|w| w == raw.as_slice()), "the kiosk holds the server's {secret} raw");
    }
    // Nor does the database hold either secret, or the ID number, or anything the kiosk sent as is.
    let stored = fleet.storage().await.export(None).await.unwrap();
    let ballot = stored.iter().find(|t| t.record.kind == "vote").unwrap().record.resident.clone().unwrap();
    let database = std::fs::read(fleet.path().join("central.sqlite")).unwrap();
    let database = String::from_utf8_lossy(&database).to_string();
    assert!(!database.contains(ZHANG) && !database.contains("s1:"), "no ID number, no seal in the database");
    assert!(!kept_text.contains(&ballot), "the kiosk never sees the ballot pseudonym");
    // The kiosk's journal holds the vote's seal; it opens only with the server's key.
    let journal = with_journal(&kiosk.journal, |j| j.get(1)).await.unwrap();
    let sealed = journal.resident.unwrap();
    assert!(!sealed.contains(ZHANG) && !sealed.contains("19900101"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_with_other_residents_keys_refuses_to_start() {
    let fleet = TestFleet::start(None).await;
    // The pepper lost (a restore that forgot it): a new one would make every resident new.
    std::fs::remove_file(fleet.path().join(citizen_central::pki::RESIDENT_PEPPER)).unwrap();
    let options = citizen_central::server::ServeOptions {
        database: None,
        demo_payments: false,
        limits: None,
        content_streams: None,
        console: None,
    };
    let listen = "127.0.0.1:0".parse().unwrap();
    let refused = citizen_central::server::start_with(fleet.path(), listen, &options, |router| router).await;
    let said = format!("{:#}", refused.err().expect("refused"));
    assert!(said.contains("not the residents' keys this database was made with"), "{said}");
    assert!(said.contains("restore both from the backup"), "{said}");
}
