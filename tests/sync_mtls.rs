//! Sync and enrolment against the real central server on loopback, over real mutual TLS: exactly
//! once delivery, refusals of every kind of wrong certificate, conflicting replays, and the online
//! services end to end (the demo payment completed through the server's payment page).

mod support;

use citizen_window::journal::{NewTransaction, Payload, ReceiptPlan};
use citizen_window::sync::SyncError;
use citizen_window::sync::server_client::{ServerClient, fleet_http_client};
use citizen_window::sync::uploader::{OutboxUploader, with_journal};
use citizen_window_protocol::services::{AppointmentRequest, PaymentOrderRequest, PaymentStatus};
use citizen_window_protocol::sync::UploadBatch;
use serde_json::json;
use support::{TestFleet, TestKiosk};

async fn record(kiosk: &TestKiosk, n: usize, kind: &'static str, payload: serde_json::Value) -> Vec<u64> {
    with_journal(&kiosk.journal, move |j| {
        (0..n)
            .map(|i| {
                let mut p = payload.clone();
                p["n"] = json!(i);
                let tx = NewTransaction { kind, payload: &p, resident: None, receipt: ReceiptPlan::NotNeeded };
                j.record(&tx, 1_764_000_000_000 + i as i64).map(|c| c.seq)
            })
            .collect()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn transactions_arrive_exactly_once_in_batches() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    record(&kiosk, 250, "queue_ticket", json!({"window": "社保"})).await;
    let uploader = OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).with_batch_size(100);
    let report = uploader.sync_once().await.unwrap();
    assert_eq!((report.sent, report.inserted, report.acknowledged_through), (250, 250, 250));
    let again = uploader.sync_once().await.unwrap();
    assert_eq!(again.sent, 0, "nothing pending after the acknowledgement");
    let content = citizen_window_protocol::heartbeat::ContentReport {
        stream: "connected".into(),
        highest_version: 3,
        ..Default::default()
    };
    let refused = vec!["version 4: the bundle's signature does not verify".to_string()];
    citizen_window::sync::heartbeat::send(
        &kiosk.client,
        &kiosk.journal,
        Vec::new(),
        Some((Some(3), refused.clone(), content.clone())),
        kiosk.state.path(),
    )
    .await
    .unwrap();
    let kiosks = fleet.storage().await.kiosks().await.unwrap();
    let heartbeat = kiosks[0].last_heartbeat.as_ref().expect("the heartbeat is kept");
    assert_eq!((heartbeat.backlog, heartbeat.content_version), (0, Some(3)));
    assert_eq!((&heartbeat.rejected_bundles, heartbeat.content.as_ref()), (&refused, Some(&content)));
    assert!(heartbeat.free_disk_bytes.unwrap() > 0);
    assert_eq!(kiosks[0].highest_contiguous_seq, 250);

    // A replay of records the server already holds (a lost answer, a restart) counts nothing twice.
    let records = with_journal(&kiosk.journal, |j| {
        let all: Vec<_> = (1..=50).map(|s| j.get(s)).collect::<Result<_, _>>()?;
        Ok(all)
    })
    .await
    .unwrap();
    let batch = UploadBatch {
        records: records.into_iter().map(citizen_window::sync::uploader::to_wire).collect(),
        starts_after: 0,
    };
    let ack = kiosk.client.upload(&batch).await.unwrap();
    assert_eq!((ack.inserted, ack.duplicates, ack.highest_contiguous_seq), (0, 50, 250));
    let stored = fleet.storage().await.export(Some(&kiosk.identity.enrolment.kiosk_id)).await.unwrap();
    assert_eq!(stored.len(), 250);
    assert!(stored.iter().enumerate().all(|(i, t)| t.record.seq == i as u64 + 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflicting_replay_is_reported_not_overwritten() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    record(&kiosk, 1, "queue_ticket", json!({"proposal": "p-1", "choice": "agree"})).await;
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    let original = with_journal(&kiosk.journal, |j| j.get(1)).await.unwrap();
    let mut forged = original.clone();
    forged.payload = Payload::from_value(&json!({"proposal": "p-1", "choice": "disagree", "n": 0}));
    forged.payload_hash = forged.payload.hash();
    let batch = UploadBatch {
        records: vec![citizen_window_protocol::sync::TransactionRecord {
            id: forged.id,
            seq: forged.seq,
            kind: forged.kind,
            payload: forged.payload,
            payload_hash: forged.payload_hash,
            resident: None,
            created_at_ms: forged.created_at_ms,
        }],
        starts_after: 0,
    };
    let ack = kiosk.client.upload(&batch).await.unwrap();
    assert_eq!(ack.conflicts.len(), 1);
    assert!(ack.conflicts[0].reason.contains("different payload"));
    let stored = fleet.storage().await.export(None).await.unwrap();
    assert_eq!(stored[0].record.payload, original.payload, "the stored transaction is kept");

    // A record whose hash does not match its payload is refused for good; the stored one stays.
    let mut bad = batch.clone();
    bad.records[0].payload_hash = "00".repeat(32);
    let ack = kiosk.client.upload(&bad).await.unwrap();
    assert!(ack.refused.len() == 1 && ack.refused[0].reason.contains("hash"), "{ack:?}");
    let stored = fleet.storage().await.export(None).await.unwrap();
    assert_eq!(stored[0].record.payload, original.payload, "the stored transaction is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_without_the_right_certificate_are_refused_with_a_clear_message() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let batch = UploadBatch::of(Vec::new());

    // No client certificate at all: TLS succeeds (enrolment must work), the kiosk endpoint refuses.
    let anonymous = fleet_http_client(&kiosk.identity.ca_pem, None).unwrap();
    let response = anonymous.post(format!("{}/v1/transactions", fleet.url)).json(&batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "certificate_required");
    assert!(body["message"].as_str().unwrap().contains("enrol the kiosk"));

    // A certificate from another fleet's CA: the handshake is refused.
    let other = TestFleet::start(None).await;
    let stranger = TestKiosk::enrol(&other).await;
    let mut wrong_ca_identity = stranger.identity.clone();
    wrong_ca_identity.ca_pem = kiosk.identity.ca_pem.clone();
    let err = ServerClient::new(&wrong_ca_identity).unwrap().with_base(&fleet.url).upload(&batch).await.unwrap_err();
    assert!(matches!(err, SyncError::CertificateRefused(_)), "{err:?}");
    assert!(err.to_string().contains("refused this kiosk's certificate"), "{err}");

    // The kiosk talking to a server whose certificate is from another CA: the kiosk refuses it.
    let err = kiosk.client.clone().with_base(&other.url).upload(&batch).await.unwrap_err();
    assert!(matches!(err, SyncError::UntrustedServer(_)), "{err:?}");
    assert!(err.to_string().contains("not from this kiosk's fleet CA"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn enrolment_tokens_are_single_use_and_pinned_to_the_fleet() {
    let fleet = TestFleet::start(None).await;
    let token = fleet.token().await;
    let state = tempfile::tempdir().unwrap();
    let identity = citizen_window::sync::enrolment::enrol(state.path(), &fleet.url, &token, None).await.unwrap();
    assert!(identity.enrolment.kiosk_id.starts_with("kiosk-"));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(citizen_window::sync::identity::identity_dir(state.path()).join("kiosk.key"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    let again =
        citizen_window::sync::enrolment::enrol(tempfile::tempdir().unwrap().path(), &fleet.url, &token, None).await;
    assert!(matches!(again, Err(SyncError::Server { status: 403, .. })), "{again:?}");

    // A token whose fingerprint names another CA: the kiosk will not trust this server.
    let other = TestFleet::start(None).await;
    let foreign = other.token().await;
    let err = citizen_window::sync::enrolment::enrol(tempfile::tempdir().unwrap().path(), &fleet.url, &foreign, None)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::UntrustedServer(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn online_services_end_to_end_with_the_demo_payment() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let bill = kiosk.client.bill("3301-0288-1742").await.unwrap();
    assert_eq!(bill.amount_fen, 4140);
    let err = kiosk.client.bill("0000").await.unwrap_err();
    assert!(err.to_string().contains("check the number"), "{err}");

    let request = PaymentOrderRequest { account: bill.account.clone(), amount_fen: bill.amount_fen };
    let order = kiosk.client.create_payment_order(&request, "pay-key-0001").await.unwrap();
    let retried = kiosk.client.create_payment_order(&request, "pay-key-0001").await.unwrap();
    assert_eq!(order.order_id, retried.order_id, "a retry with the same key makes no second order");
    assert_eq!(order.status, PaymentStatus::Pending);
    assert!(order.pay_url.contains(&order.order_id));
    // Another kiosk of the fleet can neither read nor cancel this kiosk's order.
    let neighbour = TestKiosk::enrol(&fleet).await;
    let unseen = neighbour.client.payment_order(&order.order_id).await.unwrap_err();
    assert!(unseen.to_string().contains("no such payment order"), "{unseen}");
    assert!(neighbour.client.cancel_payment_order(&order.order_id).await.is_err());
    assert_eq!(kiosk.client.payment_order(&order.order_id).await.unwrap().status, PaymentStatus::Pending);

    // The resident's phone opens the QR code's page and presses 确认支付 (no client certificate).
    let phone = fleet_http_client(&kiosk.identity.ca_pem, None).unwrap();
    let page_path = format!("/pay/{}", order.order_id);
    let page = phone.get(format!("{}{page_path}", fleet.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("确认支付") && page.contains("￥41.40"));
    let done = phone.post(format!("{}{page_path}/confirm", fleet.url)).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("支付成功"));
    assert_eq!(kiosk.client.payment_order(&order.order_id).await.unwrap().status, PaymentStatus::Paid);

    // The resident's ID number goes to the server only sealed, fresh for each request.
    let now = citizen_window::journal::now_ms;
    let (here, there) = (kiosk.resident("330106199001010018"), neighbour.resident("330106199001010018"));
    let insurance = kiosk.client.social_insurance(&here.lookup_seal(now()).unwrap()).await.unwrap();
    assert_eq!(insurance.contributions.len(), 6);
    // A permanent resident's 2017 card number (15 characters) is sealed and opened the same way.
    let foreigner = kiosk.resident("DEU310072031521");
    assert_eq!(
        kiosk.client.social_insurance(&foreigner.lookup_seal(now()).unwrap()).await.unwrap().contributions.len(),
        6
    );
    // A seal copied to another kiosk, or kept past its lifetime, opens nothing.
    let copied = neighbour.client.social_insurance(&here.lookup_seal(now()).unwrap()).await.unwrap_err();
    assert!(matches!(&copied, SyncError::Server { status: 400, code, .. } if code == "bad_resident"), "{copied:?}");
    let stale = here.lookup_seal(now() - 11 * 60 * 1000).unwrap();
    let err = kiosk.client.social_insurance(&stale).await.unwrap_err();
    assert!(matches!(&err, SyncError::Server { status: 400, code, .. } if code == "bad_resident"), "{err:?}");
    let day = |days_ahead: i64| {
        use citizen_window_protocol::china_time;
        china_time::day_text(china_time::day_number(now()) + days_ahead)
    };
    let tomorrow = day(1);
    let slots = kiosk.client.appointment_slots(&tomorrow).await.unwrap();
    let slot = slots[0].clone();
    let booking = AppointmentRequest { slot_id: slot.slot_id.clone(), resident: here.lookup_seal(now()).unwrap() };
    let first = kiosk.client.book_appointment(&booking, "book-key-0001").await.unwrap();
    assert_eq!(kiosk.client.book_appointment(&booking, "book-key-0001").await.unwrap(), first);
    let after = kiosk.client.appointment_slots(&tomorrow).await.unwrap();
    assert_eq!(after[0].free, slot.free - 1);
    // The same resident at the same window that day, from another kiosk: refused, and said why.
    let second = AppointmentRequest { slot_id: slots[1].slot_id.clone(), resident: there.lookup_seal(now()).unwrap() };
    let err = neighbour.client.book_appointment(&second, "book-key-0002").await.unwrap_err();
    assert!(matches!(&err, SyncError::Server { status: 409, code, .. } if code == "already_booked"), "{err:?}");
    // Only days that exist, from tomorrow to the horizon (30 days).
    for bad in [day(0), day(31), "0000-00-00".into(), "2026-02-30".into()] {
        let err = kiosk.client.appointment_slots(&bad).await.unwrap_err();
        assert!(matches!(&err, SyncError::Server { status: 400, code, .. } if code == "bad_day"), "{bad}: {err:?}");
    }
    assert!(kiosk.client.appointment_slots(&day(30)).await.is_ok());

    // An issue report recorded offline is found by its tracking number once it has synced.
    assert!(kiosk.client.issue_report("R-20261126-0001").await.is_err());
    record(&kiosk, 1, "issue_report", json!({"tracking_number": "R-20261126-0001", "category": "路灯"})).await;
    OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    assert_eq!(kiosk.client.issue_report("R-20261126-0001").await.unwrap().status, "received");
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_lists_every_route_and_every_route_answers() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let pem = format!("{}\n{}", kiosk.identity.key_pem.trim_end(), kiosk.identity.cert_pem);
    let http = fleet_http_client(&kiosk.identity.ca_pem, Some(&pem)).unwrap();
    let doc: serde_json::Value =
        http.get(format!("{}/v1/openapi.json", fleet.url)).send().await.unwrap().json().await.unwrap();
    let routes = citizen_central::api::route_docs(true);
    assert!(routes.len() >= 13);
    for route in routes {
        let documented = route.path.replace("{*", "{");
        assert!(doc["paths"][&documented][route.method].is_object(), "{} {} not documented", route.method, route.path);
        let path = citizen_window_protocol::paths::fill(route.path, &["x", "y"]);
        let request = match route.method {
            "get" => http.get(format!("{}{path}", fleet.url)),
            _ => http.post(format!("{}{path}", fleet.url)).json(&json!({})),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        // A 404 of the route itself (no content published yet) is not the fallback's "no such endpoint".
        let streamed =
            response.headers().get("content-type").is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
        let unrouted = status == 404 && !streamed && {
            let body = response.text().await.unwrap();
            serde_json::from_str::<serde_json::Value>(&body).is_ok_and(|b| b["code"] == "not_found")
        };
        assert!(!unrouted || path.contains("/x"), "{} {path} answered 404", route.method);
        assert_ne!(status, 405, "{} {path} not routed", route.method);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_oversized_uploads_get_a_clear_answer_and_store_nothing() {
    let fleet = TestFleet::start(None).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let pem = format!("{}\n{}", kiosk.identity.key_pem.trim_end(), kiosk.identity.cert_pem);
    let http = fleet_http_client(&kiosk.identity.ca_pem, Some(&pem)).unwrap();
    let url = format!("{}{}", fleet.url, citizen_window_protocol::paths::TRANSACTIONS);

    let garbled = http.post(&url).body(r#"{"records": [{"id": "#).send().await.unwrap();
    assert_eq!(garbled.status().as_u16(), 422);
    let answer: citizen_window_protocol::error::ApiError = garbled.json().await.unwrap();
    assert_eq!(answer.code, "malformed_batch");
    assert!(answer.message.contains("openapi"), "{}", answer.message);

    // Too many records: refused whole, with the limits in the answer.
    let record = |seq: u64| {
        let payload = Payload::from_value(&json!({ "n": seq }));
        json!({"id": uuid::Uuid::from_u128(seq.into()), "seq": seq, "kind": "vote", "payload_hash": payload.hash(),
               "payload": payload, "resident": null, "created_at_ms": 1})
    };
    let too_many = json!({ "records": (1..=1001).map(record).collect::<Vec<_>>() });
    let oversized = http.post(&url).json(&too_many).send().await.unwrap();
    assert_eq!(oversized.status().as_u16(), 413);
    let answer: citizen_window_protocol::error::ApiError = oversized.json().await.unwrap();
    assert_eq!(answer.code, "batch_too_large");
    assert!(answer.message.contains("1000 records"), "{}", answer.message);

    // Too many bytes: answered before the body is read, so the sender may see only the answer or
    // only the connection closing while it still writes; either way nothing is stored.
    let huge = vec![b' '; citizen_window_protocol::sync::MAX_BATCH_BYTES + 1];
    if let Ok(answer) = http.post(&url).body(huge).send().await {
        assert_eq!(answer.status().as_u16(), 413);
    }
    assert!(fleet.storage().await.export(None).await.unwrap().is_empty());
    let valid = json!({ "records": [record(1)] });
    assert_eq!(http.post(&url).json(&valid).send().await.unwrap().status().as_u16(), 200, "the server still answers");
}
