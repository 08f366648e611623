//! The central server against hostile clients, over real mutual TLS on loopback: nobody marks an
//! order paid without the payment provider's signature, anonymous and slow clients cannot take
//! the kiosks' places, and one kiosk's stalled uploads do not stop the others'.

mod support;

use citizen_central::connection_limits::ConnectionLimits;
use citizen_central::server::ServeOptions;
use citizen_window::sync::server_client::fleet_http_client;
use citizen_window_protocol::paths;
use citizen_window_protocol::services::{
    PAYMENT_SIGNATURE_HEADER, PAYMENT_TIMESTAMP_HEADER, PaymentOrderRequest, PaymentStatus,
};
use citizen_window_protocol::sync::{Payload, TransactionRecord, UploadBatch};
use std::time::Duration;
use support::raw_tls::{closed_by_server, connect, connector, request_status};
use support::{TestFleet, TestKiosk};
use tokio::io::AsyncWriteExt;

/// Budgets small enough to fill in a test, deadlines short enough to wait for.
fn small_limits() -> ConnectionLimits {
    ConnectionLimits {
        handshaking: 64,
        anonymous: 4,
        kiosks: 64,
        handshake_timeout: Duration::from_secs(1),
        anonymous_header_timeout: Duration::from_secs(60),
        kiosk_header_timeout: Duration::from_secs(60),
        request_deadline: Duration::from_secs(30),
        upload_body_deadline: Duration::from_secs(3),
        uploads_per_kiosk: 2,
    }
}

async fn fleet_with(demo_payments: bool, limits: ConnectionLimits) -> TestFleet {
    let options =
        ServeOptions { database: None, demo_payments, limits: Some(limits), content_streams: None, console: None };
    TestFleet::start_with_options(&options, |router| router).await
}

fn now_ms() -> i64 {
    citizen_central::api::now_ms()
}

fn record(seq: u64) -> TransactionRecord {
    let payload = Payload::from_value(&serde_json::json!({ "n": seq }));
    TransactionRecord {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "queue_ticket".into(),
        payload_hash: payload.hash(),
        payload,
        resident: None,
        created_at_ms: now_ms(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_payment_providers_signed_notification_marks_an_order_paid() {
    let fleet = fleet_with(false, small_limits()).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let request = PaymentOrderRequest { account: "3301-0288-1742".into(), amount_fen: 4140 };
    let order = kiosk.client.create_payment_order(&request, "attack-order-1").await.unwrap();
    let anyone = fleet_http_client(&kiosk.identity.ca_pem, None).unwrap();

    // The demo page is not there without --demo-payments: the QR code's order id is worth nothing.
    let confirm = format!("{}{}", fleet.url, paths::fill(paths::DEMO_PAY_CONFIRM, &[&order.order_id]));
    assert_eq!(anyone.post(&confirm).send().await.unwrap().status().as_u16(), 404);
    let doc: serde_json::Value =
        anyone.get(format!("{}{}", fleet.url, paths::OPENAPI)).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"].get(paths::DEMO_PAY_CONFIRM).is_none(), "not documented either");
    assert_eq!(kiosk.client.payment_order(&order.order_id).await.unwrap().status, PaymentStatus::Pending);

    let secret = citizen_central::pki::Fleet::load(fleet.path()).unwrap().payment_notify_secret;
    let notify = |body: String, timestamp: i64, signature: String| {
        anyone
            .post(format!("{}{}", fleet.url, paths::PAYMENT_NOTIFICATIONS))
            .header(PAYMENT_TIMESTAMP_HEADER, timestamp.to_string())
            .header(PAYMENT_SIGNATURE_HEADER, signature)
            .body(body)
            .send()
    };
    let body = |order_id: &str, amount: u64| format!(r#"{{"order_id":"{order_id}","amount_fen":{amount}}}"#);
    let signed = |body: &str, at: i64| citizen_central::api::sign_payment_notification(&secret, at, body.as_bytes());
    let code = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let answer: serde_json::Value = response.json().await.unwrap();
        (status, answer["code"].as_str().unwrap_or_default().to_string(), answer)
    };

    // Unsigned, signed with another secret, stale, or for another amount: refused, order untouched.
    let good = body(&order.order_id, 4140);
    let (status, error, _) = code(notify(good.clone(), now_ms(), "00".repeat(32)).await.unwrap()).await;
    assert_eq!((status, error.as_str()), (401, "bad_signature"));
    let forged = citizen_central::api::sign_payment_notification(b"guessed", now_ms(), good.as_bytes());
    assert_eq!(code(notify(good.clone(), now_ms(), forged).await.unwrap()).await.0, 401);
    let stale = now_ms() - citizen_central::api::NOTIFICATION_WINDOW_MS - 1000;
    assert_eq!(code(notify(good.clone(), stale, signed(&good, stale)).await.unwrap()).await.0, 401);
    let cheap = body(&order.order_id, 1);
    let (status, error, _) = code(notify(cheap.clone(), now_ms(), signed(&cheap, now_ms())).await.unwrap()).await;
    assert_eq!((status, error.as_str()), (409, "amount_mismatch"));
    assert_eq!(kiosk.client.payment_order(&order.order_id).await.unwrap().status, PaymentStatus::Pending);

    // The provider's signed notification pays it; the same notification again changes nothing.
    let at = now_ms();
    let (status, _, answer) = code(notify(good.clone(), at, signed(&good, at)).await.unwrap()).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("paid")));
    assert_eq!(kiosk.client.payment_order(&order.order_id).await.unwrap().status, PaymentStatus::Paid);
    assert_eq!(code(notify(good.clone(), at, signed(&good, at)).await.unwrap()).await.0, 200);

    // An order the kiosk cancelled cannot be paid by a notification arriving after.
    let second = kiosk.client.create_payment_order(&request, "attack-order-2").await.unwrap();
    kiosk.client.cancel_payment_order(&second.order_id).await.unwrap();
    let late = body(&second.order_id, 4140);
    let (status, error, _) = code(notify(late.clone(), now_ms(), signed(&late, now_ms())).await.unwrap()).await;
    assert_eq!((status, error.as_str()), (409, "order_closed"));
    assert_eq!(kiosk.client.payment_order(&second.order_id).await.unwrap().status, PaymentStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_connections_beyond_their_budget_are_closed_and_kiosks_still_get_in() {
    let limits = small_limits();
    let fleet = fleet_with(false, limits.clone()).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let addr = fleet.server.addr;
    let anonymous = connector(&kiosk.identity.ca_pem, None);

    // Twelve anonymous clients hold their connections; four fit the budget, the rest are closed.
    let mut held = Vec::new();
    for _ in 0..12 {
        held.push(connect(&anonymous, addr).await.unwrap());
    }
    let mut closed = 0;
    for connection in &mut held {
        if closed_by_server(connection, Duration::from_secs(2)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 12 - limits.anonymous, "only the anonymous budget stays open");

    // With the anonymous budget full, kiosks still connect and sync.
    let batch = UploadBatch::of(vec![record(1)]);
    assert_eq!(kiosk.client.upload(&batch).await.unwrap().highest_contiguous_seq, 1);
    // And the anonymous clients that got a place are served.
    let mut served = 0;
    for connection in &mut held {
        let get = format!("GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n", paths::FLEET_CA);
        if request_status(connection, &get).await == Some(200) {
            served += 1;
        }
    }
    assert_eq!(served, limits.anonymous);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_idle_and_silent_clients_are_cut_off_at_their_deadlines() {
    let limits = ConnectionLimits {
        anonymous_header_timeout: Duration::from_secs(1),
        kiosk_header_timeout: Duration::from_secs(1),
        ..small_limits()
    };
    let fleet = fleet_with(false, limits).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let addr = fleet.server.addr;
    let patience = Duration::from_secs(15);

    // A client that sends its headers one byte at a time, never finishing.
    let anonymous = connector(&kiosk.identity.ca_pem, None);
    let mut slow = connect(&anonymous, addr).await.unwrap();
    let trickle = async {
        for byte in b"GET /v1/fleet-ca.pem HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        false
    };
    let cut_off =
        tokio::time::timeout(patience, trickle).await.unwrap_or(false) || closed_by_server(&mut slow, patience).await;
    assert!(cut_off, "a client trickling its headers is cut off");

    // A kiosk connection left idle after a request is closed, as is an anonymous one.
    let with_certificate = connector(&kiosk.identity.ca_pem, Some(&kiosk.identity));
    for connector in [&anonymous, &with_certificate] {
        let mut idle = connect(connector, addr).await.unwrap();
        let get = format!("GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n", paths::FLEET_CA);
        assert_eq!(request_status(&mut idle, &get).await, Some(200));
        assert!(closed_by_server(&mut idle, patience).await, "an idle keep-alive connection is closed");
    }

    // A TCP connection that never starts its TLS handshake is closed too.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(patience, tokio::io::AsyncReadExt::read(&mut silent, &mut buffer)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "a silent client is closed: {read:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kiosk_with_stalled_uploads_holds_only_its_own_share_and_others_keep_syncing() {
    let limits = small_limits();
    let fleet = fleet_with(false, limits.clone()).await;
    let stalled_kiosk = TestKiosk::enrol(&fleet).await;
    let honest = TestKiosk::enrol(&fleet).await;
    let addr = fleet.server.addr;
    let with_certificate = connector(&stalled_kiosk.identity.ca_pem, Some(&stalled_kiosk.identity));

    // Sixteen uploads announce a body and send a few bytes of it, then nothing (a link that died).
    let mut stalled = Vec::new();
    for _ in 0..16 {
        let mut connection = connect(&with_certificate, addr).await.unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"records\":",
            paths::TRANSACTIONS
        );
        connection.write_all(head.as_bytes()).await.unwrap();
        stalled.push(connection);
    }
    // The honest kiosk's uploads go through while they stall, every one of them.
    let uploads = async {
        for seq in 1..=20 {
            let batch = UploadBatch::of(vec![record(seq)]);
            assert_eq!(honest.client.upload(&batch).await.unwrap().highest_contiguous_seq, seq);
        }
    };
    tokio::time::timeout(Duration::from_secs(60), uploads).await.expect("the other kiosk's uploads are not held up");

    // The stalled kiosk got two places; every upload past them was refused at once, and the two
    // that stalled are answered when their body deadline passes.
    let mut statuses = Vec::new();
    for connection in &mut stalled {
        statuses.push(support::raw_tls::read_status(connection, Duration::from_secs(20)).await);
    }
    let refused = statuses.iter().filter(|s| **s == Some(429)).count();
    let timed_out = statuses.iter().filter(|s| **s == Some(408)).count();
    assert_eq!((refused, timed_out), (16 - limits.uploads_per_kiosk, limits.uploads_per_kiosk), "{statuses:?}");

    // Its places are given back: the kiosk syncs again.
    let batch = UploadBatch::of(vec![record(1)]);
    assert_eq!(stalled_kiosk.client.upload(&batch).await.unwrap().highest_contiguous_seq, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_the_server_refuses_is_set_aside_and_the_rest_still_syncs() {
    use citizen_window::journal::{NewTransaction, ReceiptPlan};
    use citizen_window::sync::uploader::{OutboxUploader, with_journal};
    let fleet = fleet_with(false, small_limits()).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let record_ticket = |n: u64| {
        with_journal(&kiosk.journal, move |j| {
            let payload = serde_json::json!({ "window": "legal_aid", "n": n });
            let new = NewTransaction {
                kind: "queue_ticket",
                payload: &payload,
                resident: None,
                receipt: ReceiptPlan::NotNeeded,
            };
            j.record(&new, now_ms()).map(|c| c.seq)
        })
    };
    record_ticket(1).await.unwrap();
    // A record no kiosk of this version would journal (an older one's, or a damaged file's): a
    // payload nested 5,000 deep, which the server's database cannot index. Written straight into
    // the journal's SQLite file, as the damage would be.
    let poison = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    {
        let path = support::journal_path(kiosk.state.path());
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "INSERT INTO transactions (id, kind, payload, payload_hash, resident, created_at_ms, receipt_needed)
             VALUES (?1, 'queue_ticket', ?2, ?3, NULL, ?4, 0)",
            rusqlite::params![
                uuid::Uuid::now_v7().to_string(),
                poison,
                Payload::from_text(poison.clone()).unwrap().hash(),
                now_ms()
            ],
        )
        .unwrap();
    }
    record_ticket(3).await.unwrap();
    record_ticket(4).await.unwrap();

    let report = OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    assert_eq!((report.acknowledged_through, report.refused), (4, 1), "{report:?}");
    let stored = fleet.storage().await.export(None).await.unwrap();
    let kinds: Vec<&str> = stored.iter().map(|t| t.record.kind.as_str()).collect();
    assert_eq!(kinds, ["queue_ticket", "refused", "queue_ticket", "queue_ticket"]);

    // The kiosk keeps the refused record, says so, never sends it again, and never prunes it.
    let status = with_journal(&kiosk.journal, |j| j.sync_status()).await.unwrap();
    assert_eq!((status.pending, status.refused), (0, 1));
    let shown = citizen_window::technician::sync_commands::render_status(&status, now_ms());
    assert!(shown.contains("refused by the server: 1 kept aside"), "{shown}");
    with_journal(&kiosk.journal, |j| j.prune_acknowledged(i64::MAX)).await.unwrap();
    assert_eq!(with_journal(&kiosk.journal, |j| j.get(2)).await.unwrap().payload.as_str(), poison);
    let again = OutboxUploader::new(kiosk.journal.clone(), kiosk.client.clone()).sync_once().await.unwrap();
    assert_eq!(again.sent, 0);

    // The heartbeat tells the fleet's operator.
    citizen_window::sync::heartbeat::send(&kiosk.client, &kiosk.journal, Vec::new(), None, kiosk.state.path())
        .await
        .unwrap();
    let kiosks = fleet.storage().await.kiosks().await.unwrap();
    assert_eq!(kiosks[0].last_heartbeat.as_ref().unwrap().refused_records, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn smaller_holes_are_closed() {
    use std::os::unix::fs::PermissionsExt;
    let fleet = fleet_with(false, small_limits()).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

    // Files: the server's database and configuration (which may hold a PostgreSQL password), the
    // kiosk's journal and identity folder, for their owner alone.
    for file in ["central.toml", "central.sqlite", "fleet-ca.key", "payment-notify.secret"] {
        assert_eq!(mode(&fleet.path().join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&support::journal_path(kiosk.state.path())), 0o600);
    assert_eq!(mode(&citizen_window::sync::identity::identity_dir(kiosk.state.path())), 0o700);
    let new_fleet = tempfile::tempdir().unwrap();
    let folder = new_fleet.path().join("fleet");
    std::fs::create_dir(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    citizen_central::pki::init_fleet(&folder, &["localhost".into()]).unwrap();
    assert_eq!(mode(&folder), 0o700, "the fleet's folder");

    // An idempotency key sent again with another request is refused, not answered with the first.
    let request = PaymentOrderRequest { account: "3301-0288-1742".into(), amount_fen: 4140 };
    kiosk.client.create_payment_order(&request, "reused-key-1").await.unwrap();
    let other = citizen_central::demo_data::bill("3301-0288-1743").unwrap();
    let second = PaymentOrderRequest { account: other.account, amount_fen: other.amount_fen };
    let err = kiosk.client.create_payment_order(&second, "reused-key-1").await.unwrap_err();
    assert!(
        matches!(&err, citizen_window::sync::SyncError::Server { status: 409, code, .. } if code == "idempotency_key_reused"),
        "{err:?}"
    );

    // axum's own refusals come in the documented error JSON, not as plain text.
    let pem = format!("{}\n{}", kiosk.identity.key_pem.trim_end(), kiosk.identity.cert_pem);
    let with_certificate = fleet_http_client(&kiosk.identity.ca_pem, Some(&pem)).unwrap();
    let heartbeat = format!("{}{}", fleet.url, paths::HEARTBEAT);
    for (content_type, body, status) in
        [("text/plain", "hello", 415), ("application/json", "{", 400), ("application/json", "{}", 422)]
    {
        let answer =
            with_certificate.post(&heartbeat).header("content-type", content_type).body(body).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), status);
        let error: citizen_window_protocol::error::ApiError = answer.json().await.unwrap();
        assert!(error.message.contains("openapi"), "{error:?}");
    }

    // Enrolment: a label with terminal escape codes or of megabytes is refused; a bad token is
    // refused before the CSR is looked at.
    let anyone = fleet_http_client(&kiosk.identity.ca_pem, None).unwrap();
    let enrol = |body: serde_json::Value| anyone.post(format!("{}{}", fleet.url, paths::ENROL)).json(&body).send();
    let token = fleet.token().await;
    let answer =
        enrol(serde_json::json!({"token": token, "csr_pem": "x", "label": "\u{1b}[2J\u{1b}[31mowned"})).await.unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let answer = enrol(serde_json::json!({"token": "nope", "csr_pem": "not a CSR", "label": null})).await.unwrap();
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "invalid_token", "the token is checked before the CSR");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_or_removed_kiosk_is_refused_on_every_request() {
    let fleet = fleet_with(false, small_limits()).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let neighbour = TestKiosk::enrol(&fleet).await;
    let batch = UploadBatch::of(vec![record(1)]);
    kiosk.client.upload(&batch).await.unwrap();

    // The operator revokes it (the command, as run on the server).
    let central = citizen_window::demo::system::central_binary().unwrap();
    let revoked = std::process::Command::new(central)
        .args(["kiosks", "revoke", &kiosk.identity.enrolment.kiosk_id, "--dir"])
        .arg(fleet.path())
        .output()
        .unwrap();
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    tokio::time::sleep(citizen_central::api::kiosk_register::REGISTER_REFRESH * 2).await;
    let err = kiosk.client.upload(&UploadBatch::of(vec![record(2)])).await.unwrap_err();
    assert!(
        matches!(&err, citizen_window::sync::SyncError::Server { status: 403, code, .. } if code == "kiosk_revoked"),
        "{err:?}"
    );
    assert!(err.to_string().contains("enrol it again"), "the kiosk's error says what to do: {err}");
    assert!(kiosk.client.bill("3301-0288-1742").await.is_err(), "every endpoint");
    // The others go on.
    neighbour.client.upload(&batch).await.unwrap();

    // A kiosk removed from the server's records is refused too, though its certificate is valid.
    let storage = rusqlite::Connection::open(fleet.path().join("central.sqlite")).unwrap();
    storage.execute("DELETE FROM kiosks WHERE kiosk_id = ?1", [&neighbour.identity.enrolment.kiosk_id]).unwrap();
    tokio::time::sleep(citizen_central::api::kiosk_register::REGISTER_REFRESH * 2).await;
    let err = neighbour.client.upload(&batch).await.unwrap_err();
    assert!(
        matches!(&err, citizen_window::sync::SyncError::Server { status: 403, code, .. } if code == "kiosk_unknown"),
        "{err:?}"
    );
}
