//! The running kiosk and the central server: the real server on loopback with mutual TLS, the
//! kiosk's server link and recording threads, the headless UI. With the server down the offline
//! banner shows, the online-only tiles say why they cannot be used, and a queue ticket still
//! works, and calling staff says to phone; once the server is back the banner goes, the ticket
//! reaches the server, once, and a call for staff is answered on the help page.

mod support;
#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::sync::link_worker::LinkTiming;
use citizen_window::voice::recording_output::{Notes, RecordingOutput};
use slint::ComponentHandle;
use std::time::{Duration, Instant};
use support::TestFleet;
use support::fault_proxy::{FaultProxy, NetworkFault};
use ui_support::{Harness, wait_for_receipts};

/// Long enough that nothing a test records is pruned while it runs.
const KEEP_A_DAY: Duration = Duration::from_secs(86_400);

#[test]
fn a_server_that_goes_down_shows_offline_and_the_backlog_goes_when_it_is_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let proxy = rt.block_on(FaultProxy::start(fleet.server.addr));
    let state = tempfile::tempdir().unwrap();
    let mut identity = rt.block_on(fleet.enrol(state.path()));
    identity.enrolment.server_url = proxy.url();
    proxy.set(NetworkFault::Down);

    let h = Harness::new(1080, 1920);
    let notes = Notes::default();
    let journal_path = support::journal_path(state.path());
    let timing = LinkTiming {
        heartbeat_online: Duration::from_millis(300),
        heartbeat_offline: Duration::from_millis(300),
        upload_idle: Duration::from_secs(60),
        ..LinkTiming::default()
    };
    h.ui.with_runtime(|runtime| {
        runtime.start_link(&identity, &journal_path, state.path(), timing).unwrap();
        runtime.start_recording(&journal_path, None, KEEP_A_DAY).unwrap();
        let voice = Box::new(RecordingOutput::new(notes.clone(), 4));
        runtime.start_voice(voice, citizen_window::config::VoiceSetup::default(), "recording").unwrap();
    });

    // Down: the banner says what still works, and the bill tile says why it cannot be used.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tick_until("the offline banner", |text| text.contains("本机暂时离线"));
    assert!(h.all_text().contains("需要联网，暂不可用"));

    // Offline, staff cannot be called from the help page: it says so and gives the phone.
    h.tap("帮助");
    assert!(h.all_text().contains("呼叫工作人员（需联网，请电话联系服务站）"), "{}", h.all_text());
    h.tap("首页");

    // An offline service still works: a queue ticket, journaled, waiting for the server.
    h.tap("预约取号");
    h.tap("社保：取号");
    h.tick_until("the ticket", |text| text.contains("A001"));
    let exported = rt.block_on(async { fleet.storage().await.export(None).await.unwrap() });
    assert!(exported.is_empty(), "nothing reached a server that is down");

    // Back: the banner goes, and the backlog reaches the server at once, exactly once.
    proxy.set(NetworkFault::Pass);
    h.tick_until("the banner gone", |text| !text.contains("本机暂时离线"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let tickets = loop {
        let exported = rt.block_on(async { fleet.storage().await.export(None).await.unwrap() });
        let tickets: Vec<_> = exported.into_iter().filter(|t| t.record.kind == "queue_ticket").collect();
        if !tickets.is_empty() || Instant::now() > deadline {
            break tickets;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(tickets.len(), 1, "the ticket is on the server once");
    assert!(tickets[0].record.payload.as_str().contains("A001"));

    // Online again: the help page calls staff; the office's answer shows on the page and, with
    // the voice switched on, is said.
    h.tap("帮助");
    h.tap("语音：关");
    h.tap("呼叫工作人员");
    h.tick_until("the call made", |text| text.contains("已呼叫工作人员"));
    let kiosk_id = identity.enrolment.kiosk_id.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    let call_id = loop {
        let row = rt.block_on(async { fleet.storage().await.kiosk(&kiosk_id).await.unwrap() });
        if let Some((call_id, _)) = row.and_then(|r| r.help_call) {
            break call_id;
        }
        assert!(Instant::now() < deadline, "the call reaches the office");
        h.ui.tick();
        std::thread::sleep(Duration::from_millis(100));
    };
    let answered = rt.block_on(async {
        fleet.storage().await.answer_help_call(&call_id, "已收到，工作人员约 5 分钟到", "staff.zhao", 1).await.unwrap()
    });
    assert_eq!(answered.as_deref(), Some(kiosk_id.as_str()));
    // The kiosk asks every two seconds of its (test) clock.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !h.all_text().contains("工作人员约 5 分钟到") {
        assert!(Instant::now() < deadline, "the office's answer shows: {}", h.all_text());
        h.advance(2);
        std::thread::sleep(Duration::from_millis(300));
        h.ui.tick();
    }
    assert!(h.all_text().contains("服务站答复"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !notes.started().contains(&"zh/help_ready_1".to_string()) {
        assert!(Instant::now() < deadline, "the answer is said: {:?}", notes.started());
        h.ui.tick();
        std::thread::sleep(Duration::from_millis(50));
    }
    let said = notes.started();
    let calling = said.iter().position(|p| p == "zh/help_calling").expect("the call is said");
    assert_eq!(said[calling + 1..], ["zh/help_answered", "zh/help_ready_1"], "{said:?}");
}

/// From the home screen: the bill of `account`, its amount checked, and its payment code shown;
/// returns the payment order's id.
fn show_payment_code(h: &Harness, account: &str, amount: &str) -> String {
    h.tap("便民缴费");
    h.type_digits(account);
    h.tap("查询");
    h.tick_until("the bill", |text| text.contains(&format!("应缴金额：{amount}")));
    h.tap("手机扫码缴费");
    h.tick_until("the payment code", |text| text.contains("等待付款"));
    let pay_url = h.ui.controller.borrow().screen(h.now.get()).online.pay_url.unwrap();
    pay_url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn a_bill_paid_by_phone_a_report_looked_up_and_a_statement_printed_through_the_real_server() {
    use citizen_window::config::PrinterSetup;
    use citizen_window_hardware::printer::PrinterProfile;
    use citizen_window_hardware::sim::printer::SimPrinter;
    use citizen_window_hardware::sim::pty_host::PtyHost;
    use citizen_window_hardware::sim::receipt_render::FolderSink;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let state = tempfile::tempdir().unwrap();
    let identity = rt.block_on(fleet.enrol(state.path()));
    let receipts_dir = state.path().join("receipts");
    let profile = PrinterProfile::default_profile();
    let port = state.path().join("printer");
    let sink = FolderSink::new(&receipts_dir).unwrap();
    let _printer =
        PtyHost::start(Box::new(SimPrinter::new(profile.clone(), Box::new(sink))), &port, profile.baud).unwrap();

    let h = Harness::new(1080, 1920);
    let journal_path = support::journal_path(state.path());
    let timing = LinkTiming { heartbeat_online: Duration::from_secs(1), ..LinkTiming::default() };
    let printer = PrinterSetup { port, profile };
    h.ui.with_runtime(|runtime| {
        runtime.start_link(&identity, &journal_path, state.path(), timing).unwrap();
        runtime.start_recording(&journal_path, Some(&printer), KEEP_A_DAY).unwrap();
    });
    let exported = |kind: &str| {
        let all = rt.block_on(async { fleet.storage().await.export(None).await.unwrap() });
        all.into_iter().filter(|t| t.record.kind == kind).collect::<Vec<_>>()
    };

    // A water bill by account number, paid on a "phone" through the server's demo payment page.
    h.tap("请触摸屏幕开始 / Touch to start");
    let order_id = show_payment_code(&h, "330102881742", "￥41.40");
    let phone = citizen_window::sync::server_client::fleet_http_client(&identity.ca_pem, None).unwrap();
    let confirm = format!("{}/pay/{order_id}/confirm", fleet.url);
    let paid = rt.block_on(async { phone.post(&confirm).send().await }).unwrap();
    assert!(paid.status().is_success(), "{}", paid.status());
    // The kiosk asks for the payment's status every 2 s of its clock, which this test moves.
    h.advance(3);
    h.tick_until("the paid receipt", |text| {
        text.contains("缴费成功：￥41.40") && text.contains("请从屏幕下方出纸口取走凭条")
    });
    h.assert_within_three_taps("a bill paid by phone");
    let printed = wait_for_receipts(&receipts_dir, 1);
    assert!(printed[0].contains("41.40") && printed[0].contains(&order_id), "{}", printed[0]);

    // Cancel: the order is closed at the server, and the phone can no longer pay it.
    h.tap("返回首页");
    let cancelled_order = show_payment_code(&h, "510277810031", "￥118.60");
    h.tap("取消缴费");
    h.tick_until("the cancellation", |text| text.contains("已取消缴费"));
    let late_confirm = format!("{}/pay/{cancelled_order}/confirm", fleet.url);
    let late = rt.block_on(async { phone.post(&late_confirm).send().await });
    assert_eq!(late.unwrap().status(), 409, "a cancelled code cannot be paid");

    // A report made here, synced, then looked up by its tracking number.
    h.tap("返回首页");
    h.tap("报事报修");
    h.tap("路灯照明损坏");
    h.tap("3 号楼");
    h.tick_until("the tracking number", |text| text.contains("查询编号"));
    let tracking = h.ui.window.global::<citizen_window::ui::ServiceAdapter>().get_outcome().number.replace(' ', "");
    let deadline = Instant::now() + Duration::from_secs(20);
    while exported("issue_report").is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    h.tap("返回首页");
    h.tap("报事报修");
    h.tap("查询报事进度");
    h.type_digits(&tracking);
    h.tap("查询");
    h.tick_until("the report's status", |text| text.contains("已受理"));
    h.assert_within_three_taps("a report's status");

    // The social-insurance record of an identified resident, and its printed statement.
    h.tap("首页");
    h.tap("社保查询");
    assert_eq!(h.page(), "place_card");
    let resident = citizen_window::session::Resident {
        name: zeroize::Zeroizing::new("张伟".into()),
        masked_id: zeroize::Zeroizing::new("3301**********0018".into()),
        handle: citizen_window::resident_key::ResidentSealer::new(
            &identity.enrolment.resident_seal_public_key_hex,
            &identity.enrolment.kiosk_id,
            citizen_window::sync::identity::local_resident_secret(state.path()).unwrap(),
        )
        .unwrap()
        .hold(&citizen_window_hardware::sam::IdNumber::parse("330106199001010018").unwrap()),
    };
    h.ui.update(|k, now| k.identified(resident, now));
    h.tick_until("the record", |text| text.contains("缴费记录"));
    h.tap("打印对账单");
    h.tick_until("the statement", |text| text.contains("请取回身份证和凭条"));
    h.assert_within_three_taps("a social-insurance statement");
    let printed = wait_for_receipts(&receipts_dir, 3);
    assert!(printed.iter().any(|r| r.contains("社保对账单") && r.contains("2026-10")), "{printed:?}");
    let statement = printed.iter().find(|r| r.contains("社保对账单")).unwrap();
    assert!(statement.contains("张* 3301**********0018"), "a statement names its holder, masked: {statement}");
    assert!(!statement.contains("凭条号"), "and is never reprinted, so it has no number: {statement}");

    // Bills by ID card: the household's bills, one chosen, its amount shown.
    h.tap("首页");
    h.tap("便民缴费");
    h.tap("改用身份证查询");
    h.tick_until("the household's bills", |text| text.contains("您家的账单如下"));
    // Which accounts depend on the resident's pseudonym, keyed with this server's own secret.
    let shown = h.all_text();
    let account =
        citizen_central::demo_data::ACCOUNTS.into_iter().find(|a| shown.contains(a)).expect("a bill is listed");
    h.tap_containing(account);
    assert_eq!(h.page(), "bill");
    let amount = citizen_window::records::yuan(citizen_central::demo_data::bill(account).unwrap().amount_fen);
    assert!(h.all_text().contains(&format!("应缴金额：{amount}")), "{}", h.all_text());

    // An appointment tomorrow at the legal-aid window, booked at the server for this resident.
    h.tap("首页");
    h.tap("预约取号");
    h.tap("法律援助：预约明天");
    assert_eq!(h.page(), "slots", "the resident is still identified: the window's times at once");
    h.tick_until("tomorrow's times", |text| text.contains("请点按选择"));
    h.tap_containing("09:30");
    h.tick_until("the booking", |text| text.contains("预约成功") && text.contains("请取回身份证和凭条"));
    h.assert_within_three_taps("an appointment");
    let printed = wait_for_receipts(&receipts_dir, 4);
    let booking = &printed[3];
    assert!(booking.contains("09:30") && booking.contains("持有人") && booking.contains("张* 3301"), "{booking}");
    assert!(!booking.contains("ap-"), "the server's booking id is not for residents: {booking}");

    // The server holds the payment once; the statement reached it without its figures.
    let deadline = Instant::now() + Duration::from_secs(20);
    while exported("social_insurance_statement").is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let payments = exported("bill_payment");
    assert_eq!(payments.len(), 1, "one paid bill, recorded once");
    assert!(payments[0].record.payload.as_str().contains(&order_id));
    let deadline = Instant::now() + Duration::from_secs(20);
    while exported("appointment").is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(exported("appointment").len(), 1);
    let statements = exported("social_insurance_statement");
    assert_eq!(statements.len(), 1);
    assert!(!statements[0].record.payload.as_str().contains("384"), "no figures on disk or on the wire");

    // The heartbeat tells the server each device's state in XFS words, the paper and the backlog.
    let deadline = Instant::now() + Duration::from_secs(20);
    let heartbeat = loop {
        let kiosks = rt.block_on(async { fleet.storage().await.kiosks().await.unwrap() });
        let last = kiosks.into_iter().find_map(|k| k.last_heartbeat);
        let printer_seen = last.as_ref().is_some_and(|h| h.devices.iter().any(|d| d.paper.is_some()));
        if printer_seen || Instant::now() > deadline {
            break last.expect("a heartbeat reached the server");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let device = |name: &str| heartbeat.devices.iter().find(|d| d.device == name).cloned();
    let printer = device("receipt_printer").expect("the printer is reported");
    assert_eq!((printer.status.as_str(), printer.paper.as_deref()), ("online", Some("ok")), "{printer:?}");
    let reader = device("card_reader").expect("the reader is reported");
    assert_eq!(reader.status, "no_device", "this kiosk has no reader: {reader:?}");
    assert!(heartbeat.oldest_pending_ms.is_none() || heartbeat.backlog > 0);
}
