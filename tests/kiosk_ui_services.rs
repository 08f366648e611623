//! The offline services end to end, the way a resident uses them: tap the tiles of the headless
//! UI, and the recording thread journals the transaction in a real SQLite file and prints its
//! receipt on the simulated ESC/POS printer over a pseudo-terminal. Then the printer runs out of
//! paper: the banner shows, the next ticket is still recorded, its receipt is marked unconfirmed
//! and the screen says so; with paper back it is reprinted from the reprint page, as a copy. An
//! identified resident votes once on a proposal, with a vote code on the receipt.

#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::config::PrinterSetup;
use citizen_window::journal::{Journal, ReceiptState};
use citizen_window::runtime::KioskRuntime;
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::receipt_render::FolderSink;
use slint::ComponentHandle;
use std::time::{Duration, Instant};
use ui_support::{Harness, receipts, wait_for_receipts};

const ID_NUMBER: &str = "330106199001010018";
/// Long enough that nothing a test records is pruned while it runs.
const KEEP_A_DAY: Duration = Duration::from_secs(86_400);

fn resident() -> citizen_window::session::Resident {
    use zeroize::Zeroizing;
    citizen_window::session::Resident {
        name: Zeroizing::new("张伟".into()),
        masked_id: Zeroizing::new("3301**********0018".into()),
        handle: citizen_window::resident_key::test_only_handle(ID_NUMBER),
    }
}

fn outcome(h: &Harness) -> citizen_window::ui::OutcomeView {
    h.ui.window.global::<citizen_window::ui::ServiceAdapter>().get_outcome()
}

#[test]
fn tickets_and_reports_are_journaled_then_printed_and_survive_a_printer_out_of_paper() {
    let dir = tempfile::tempdir().unwrap();
    let receipts_dir = dir.path().join("receipts");
    let profile = PrinterProfile::default_profile();
    let port = dir.path().join("printer");
    let sink = FolderSink::new(&receipts_dir).unwrap();
    let printer =
        PtyHost::start(Box::new(SimPrinter::new(profile.clone(), Box::new(sink))), &port, profile.baud).unwrap();
    let journal_path = dir.path().join("journal.sqlite");

    let h = Harness::new(1080, 1920);
    let setup = PrinterSetup { port, profile };
    h.ui.with_runtime(|runtime| runtime.start_recording(&journal_path, Some(&setup), KEEP_A_DAY)).unwrap();

    // A queue ticket: the tile, the window, the number on screen and on paper.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("预约取号");
    assert_eq!(h.page(), "tickets");
    h.tap("法律援助：取号");
    assert_eq!(h.page(), "done");
    h.tick_until("the printed ticket", |text| text.contains("D001") && text.contains("请从屏幕下方出纸口取走凭条"));
    assert!(h.all_text().contains("4 号窗口：法律援助"), "{}", h.all_text());
    h.assert_within_three_taps("queue ticket");
    let printed = wait_for_receipts(&receipts_dir, 1);
    assert!(printed[0].contains("D001"), "{}", printed[0]);

    // An issue report: category, place, tracking number on screen and on paper.
    h.tap("返回首页");
    h.tap("报事报修");
    h.tap("管道漏水");
    assert_eq!(h.page(), "report_place");
    h.tap("小区东门");
    h.tick_until("the printed report", |text| text.contains("查询编号") && text.contains("请从屏幕下方出纸口取走凭条"));
    h.assert_within_three_taps("problem report");
    let tracking_number = outcome(&h).number.to_string();
    let digits = tracking_number.replace(' ', "");
    assert_eq!(digits.len(), 10, "the kiosk's four digits, four of the sequence, two check digits: {tracking_number}");
    let printed = wait_for_receipts(&receipts_dir, 2);
    assert!(printed[1].contains(&tracking_number), "{}", printed[1]);

    // A notice and a directory slip, printed on request (journaled like every receipt).
    h.tap("返回首页");
    h.tap("社区公告");
    h.tap_containing("关于冬季供暖的通知");
    h.tap("打印此公告");
    h.tick_until("the printed notice", |text| text.contains("请从屏幕下方出纸口取走凭条"));
    h.assert_within_three_taps("a notice, printed");
    h.tap("首页");
    h.tap("服务指南");
    h.tap("打印");
    h.tick_until("the printed slip", |text| text.contains("请从屏幕下方出纸口取走凭条"));
    h.assert_within_three_taps("a directory slip");
    let printed = wait_for_receipts(&receipts_dir, 4);
    assert!(printed[2].contains("96069"), "the notice's body: {}", printed[2]);
    assert!(
        printed[3].contains("010-6401 2201") && printed[3].contains("[QR https://example.invalid/hall]"),
        "{}",
        printed[3]
    );

    // The journal holds both, each with a confirmed receipt, and no personal data.
    let mut journal = Journal::open(&journal_path).unwrap();
    let ticket = journal.get(1).unwrap();
    assert_eq!(ticket.kind, "queue_ticket");
    assert!(ticket.payload.as_str().contains("\"D001\""), "{}", ticket.payload.as_str());
    assert_eq!(journal.receipt_state(1).unwrap(), ReceiptState::Printed);
    let report = journal.get(2).unwrap();
    assert_eq!(report.kind, "issue_report");
    assert!(report.payload.as_str().contains(&tracking_number.replace(' ', "")));
    assert!(report.payload.as_str().contains("east-gate"));
    assert_eq!(journal.receipt_state(2).unwrap(), ReceiptState::Printed);

    // Out of paper: the banner shows before the next resident starts a service that prints.
    h.tap("返回首页");
    printer.control("paper out").unwrap();
    h.tick_until("the printer banner", |text| text.contains("打印机暂时无法打印"));
    h.tap("预约取号");
    h.tap("法律援助：取号");
    h.tick_until("the ticket without a receipt", |text| text.contains("D002") && text.contains("凭条未能打印"));
    let mut unconfirmed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while unconfirmed.is_empty() && Instant::now() < deadline {
        unconfirmed = journal.unconfirmed_receipts().unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(unconfirmed.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![5], "offered for reprint");
    assert_eq!(receipts(&receipts_dir).len(), 4, "nothing came out");

    // Paper loaded: the banner goes, and the ticket's receipt is reprinted, marked as a copy.
    printer.control("paper ok").unwrap();
    h.tick_until("the banner gone", |text| !text.contains("打印机暂时无法打印"));
    h.tap("返回首页");
    h.tap("补打凭条");
    assert_eq!(h.page(), "reprint");
    h.tap_containing("号票 D002");
    h.tick_until("the copy printed", |text| text.contains("副本") && text.contains("请从屏幕下方出纸口取走凭条"));
    h.assert_within_three_taps("a reprint");
    let printed = wait_for_receipts(&receipts_dir, 5);
    assert!(printed[4].contains("D002") && printed[4].contains("副本"), "{}", printed[4]);
    assert_eq!(journal.receipt_state(5).unwrap(), ReceiptState::Reprinted);
    assert_eq!(journal.last_seq().unwrap(), 5, "a reprint records nothing new");

    // Nothing of this visit is left to reprint; the report's receipt, by the number on it.
    h.tap("返回首页");
    h.tap("补打凭条");
    h.tick_until("nothing left of this visit", |text| text.contains("请输入凭条底部的凭条号"));
    let report_number = printed[1]
        .lines()
        .find(|line| line.contains("凭条号"))
        .map(|line| line.chars().filter(char::is_ascii_digit).collect::<String>())
        .expect("the report's receipt has its number");
    assert_eq!(report_number, tracking_number.replace(' ', ""), "a report's tracking number is its receipt's number");
    let mut typo = report_number.clone().into_bytes();
    typo[6] = if typo[6] == b'5' { b'6' } else { b'5' };
    h.type_digits(std::str::from_utf8(&typo).unwrap());
    h.tap("补打");
    h.tick_until("the typo caught", |text| text.contains("号码有误"));
    assert_eq!(h.page(), "reprint");
    for _ in 0..report_number.len() {
        h.tap("删除");
    }
    h.type_digits(&report_number);
    h.tap("补打");
    h.tick_until("the copy by number", |text| text.contains("副本") && text.contains("请从屏幕下方出纸口取走凭条"));
    let printed = wait_for_receipts(&receipts_dir, 6);
    assert!(printed[5].contains("副本") && printed[5].contains("管道漏水"), "{}", printed[5]);
    assert_eq!(journal.last_seq().unwrap(), 5, "a reprint by number records nothing new");

    // A vote needs the ID card first: "place your card", then the proposal opens by itself.
    h.tap("首页");
    h.tap("民意征集");
    assert_eq!(h.page(), "place_card");
    h.find("图示：读卡区在屏幕下方右侧");
    h.ui.update(|k, now| k.identified(resident(), now));
    assert_eq!(h.page(), "proposal", "the one open proposal opens by itself");
    h.tap("同意");
    h.tap("希望收费合理");
    h.tick_until("the vote code", |text| text.contains("投票码") && text.contains("请取回身份证和凭条"));
    h.assert_within_three_taps("a vote");
    let vote_code = outcome(&h).number.to_string();
    let printed = wait_for_receipts(&receipts_dir, 7);
    assert!(printed[6].contains(&vote_code), "{}", printed[6]);
    assert!(!printed[6].contains("张") && !printed[6].contains("3301"), "nobody's name or number: {}", printed[6]);
    let vote = journal.get(6).unwrap();
    // The journal holds the resident only sealed for the server: it opens there, for this vote.
    let sealed = vote.resident.as_deref().expect("a vote carries its resident");
    assert!(!sealed.contains(ID_NUMBER) && !sealed.contains("19900101"), "{sealed}");
    assert!(!vote.payload.as_str().contains(sealed), "the resident is in its own column only");
    let server = citizen_window_protocol::resident_seal::Unsealer::from_private_key(
        &citizen_window::resident_key::TEST_ONLY_SERVER_PRIVATE_KEY,
    )
    .unwrap();
    let proposal = serde_json::from_str::<serde_json::Value>(vote.payload.as_str()).unwrap()["proposal"].clone();
    let purpose = citizen_window_protocol::resident_seal::SealPurpose::Vote { proposal: proposal.as_str().unwrap() };
    assert_eq!(server.open(sealed, "test-kiosk", purpose).unwrap().id_number.as_str(), ID_NUMBER);

    // The same resident again on the same proposal: refused, first vote stands, nothing recorded.
    h.tap("返回首页");
    h.tap("民意征集");
    h.tap("不同意");
    h.tap("不附意见，直接提交");
    h.tick_until("the refusal", |text| text.contains("您已对此议题投过票"));
    assert_eq!(journal.last_seq().unwrap(), 6);
    h.tap("退出");

    // A restart of the recording thread keeps numbering where the journal left off.
    h.ui.attach(KioskRuntime::new());
    h.ui.with_runtime(|runtime| runtime.start_recording(&journal_path, Some(&setup), KEEP_A_DAY)).unwrap();
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("预约取号");
    h.tap("法律援助：取号");
    h.tick_until("the next number", |text| text.contains("D003"));
}

#[test]
fn without_a_recording_thread_a_service_says_nothing_was_recorded() {
    let h = Harness::new(1080, 1920);
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("预约取号");
    h.tap("社保：取号");
    assert_eq!(outcome(&h).kind, citizen_window::ui::OutcomeKind::Refused);
    assert!(h.all_text().contains("本次未办理"), "{}", h.all_text());
}

#[test]
fn a_service_is_rated_under_its_result_journaled_and_printing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let receipts_dir = dir.path().join("receipts");
    let profile = PrinterProfile::default_profile();
    let port = dir.path().join("printer");
    let sink = FolderSink::new(&receipts_dir).unwrap();
    let _printer =
        PtyHost::start(Box::new(SimPrinter::new(profile.clone(), Box::new(sink))), &port, profile.baud).unwrap();
    let journal_path = dir.path().join("journal.sqlite");
    let h = Harness::new(1080, 1920);
    let setup = PrinterSetup { port, profile };
    h.ui.with_runtime(|runtime| runtime.start_recording(&journal_path, Some(&setup), KEEP_A_DAY)).unwrap();

    // A ticket, rated 满意: 评价 beside the way home, then the level.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("预约取号");
    h.tap("法律援助：取号");
    h.tick_until("the rating offered with the ticket", |text| text.contains("D001") && text.contains("评价本次服务"));
    h.tap("评价本次服务");
    assert!(h.all_text().contains("请对本次服务进行评价"), "{}", h.all_text());
    h.tap("满意");
    h.tick_until("the thanks", |text| text.contains("感谢您的评价") && text.contains("D001"));

    // Another, rated 不满意: the content's reasons are offered, one tap each.
    h.tap("返回首页");
    h.tap("预约取号");
    h.tap("法律援助：取号");
    h.tick_until("the rating offered with the second ticket", |text| {
        text.contains("D002") && text.contains("评价本次服务")
    });
    h.tap("评价本次服务");
    h.tap("不满意");
    h.tick_until("the reasons", |text| text.contains("不满意：请选择原因") && text.contains("等待时间太长"));
    h.tap("等待时间太长");
    h.tick_until("the thanks", |text| text.contains("感谢您的评价"));

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut journal = Journal::open(&journal_path).unwrap();
    while journal.last_seq().unwrap() < 4 {
        assert!(Instant::now() < deadline, "the ratings are journaled");
        h.ui.tick();
        std::thread::sleep(Duration::from_millis(50));
    }
    let first = journal.get(2).unwrap();
    assert_eq!(first.kind, "service_rating");
    let payload: serde_json::Value = serde_json::from_str(first.payload.as_str()).unwrap();
    assert_eq!(
        (payload["service"].as_str(), payload["level"].as_str(), payload["score"].as_u64()),
        (Some("queue_ticket"), Some("satisfied"), Some(4))
    );
    assert!(first.resident.is_none(), "a rating names no one");
    let second: serde_json::Value = serde_json::from_str(journal.get(4).unwrap().payload.as_str()).unwrap();
    assert_eq!((second["score"].as_u64(), second["reason"].as_str()), (Some(2), Some("slow")));
    assert_eq!(wait_for_receipts(&receipts_dir, 2).len(), 2, "two tickets printed, the ratings nothing");
}
