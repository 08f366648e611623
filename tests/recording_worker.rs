//! The recording thread on an in-memory link to the simulated printer (no pseudo-terminal): each
//! request gets its answer, a paid order or a booking reported twice is recorded once and the
//! second report is answered with the first record, the receipt comes out on paper in the
//! session's language with its number, and a receipt is reprinted by that number, for a resident
//! or for a technician.

use citizen_window::devices::receipt_copy::{CopyOrder, CopyPrinted};
use citizen_window::devices::{DeviceBoard, ReceiptSetup, RecorderWiring, RecordingWorker};
use citizen_window::journal::{Journal, journal_path};
use citizen_window::kiosk::messages::{KioskEvent, Recorded, RecordedWhat, ReprintProblem, ServiceAsk, ServiceRequest};
use citizen_window::records::{
    NumberProblem, ReceiptHeading, ReceiptLanguage, ReceiptNumbering, ServiceWindow, WindowId,
};
use citizen_window_hardware::printer::{PrinterDriver, PrinterProfile};
use citizen_window_hardware::sim::memory_link::MemoryDeviceLink;
use citizen_window_hardware::sim::printer::{PrintedReceipt, ReceiptLog, SimPrinter};
use std::sync::mpsc::Receiver;
use std::time::Duration;

struct Recorder {
    requests: crossbeam_channel::Sender<ServiceRequest>,
    copies: crossbeam_channel::Sender<CopyOrder>,
    events: Receiver<KioskEvent>,
    printed: ReceiptLog,
    devices: DeviceBoard,
    _worker: RecordingWorker,
    _dir: tempfile::TempDir,
    journal: std::path::PathBuf,
}

fn recorder() -> Recorder {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_path(dir.path());
    let printed = ReceiptLog::default();
    let log = printed.clone();
    let profile = PrinterProfile::default_profile();
    let sink = move |receipt: PrintedReceipt, _: &PrinterProfile| log.lock().unwrap().push(receipt);
    let link = MemoryDeviceLink::new(SimPrinter::new(profile.clone(), Box::new(sink)));
    let (requests, taken) = crossbeam_channel::unbounded();
    let (told, events) = std::sync::mpsc::channel();
    let devices = DeviceBoard::new();
    let (copies, copy_orders) = crossbeam_channel::unbounded();
    let wiring = RecorderWiring {
        requests: taken,
        events: told,
        wake_sync: None,
        devices: devices.clone(),
        copies: copy_orders,
    };
    let printer = Some(PrinterDriver::new(link, profile));
    let receipts = ReceiptSetup { heading: heading(), numbering: numbering() };
    let worker = RecordingWorker::start(&journal, printer, Duration::from_secs(86_400), receipts, wiring).unwrap();
    Recorder { requests, copies, events, printed, devices, _worker: worker, _dir: dir, journal }
}

/// Kiosk 42, with a key of this test's own.
fn numbering() -> ReceiptNumbering {
    ReceiptNumbering::new(42, zeroize::Zeroizing::new([9; 32])).unwrap()
}

fn heading() -> ReceiptHeading {
    ReceiptHeading {
        community: ("幸福里社区".into(), "Xingfuli Community".into()),
        station: ("幸福里社区服务站".into(), "Xingfuli Community Service Station".into()),
        terminal: "幸福里 1号机".into(),
        phone: "0571-8765-4321".into(),
        hotline: "12345".into(),
    }
}

fn legal_aid() -> ServiceWindow {
    ServiceWindow { id: WindowId::fixed("legal_aid"), number: 4, name: ("法律援助".into(), "Legal aid".into()) }
}

impl Recorder {
    /// Asks, and returns what came back up to the receipt's outcome (or a refusal).
    fn ask(&self, number: u64, ask: ServiceAsk) -> Vec<KioskEvent> {
        self.ask_in(number, ask, ReceiptLanguage::Chinese)
    }

    fn ask_in(&self, number: u64, ask: ServiceAsk, language: ReceiptLanguage) -> Vec<KioskEvent> {
        self.requests.send(ServiceRequest { number, ask, language }).unwrap();
        let mut answers = Vec::new();
        loop {
            let event = self.events.recv_timeout(Duration::from_secs(20)).expect("every request is answered");
            let last = matches!(
                event,
                KioskEvent::ReceiptOutcome { .. }
                    | KioskEvent::RecordRefused { .. }
                    | KioskEvent::VoteRefused { .. }
                    | KioskEvent::ReprintRefused { .. }
            );
            if !matches!(event, KioskEvent::PrinterReady(_) | KioskEvent::Reprintable(_)) {
                answers.push(event);
            }
            if last {
                return answers;
            }
        }
    }

    /// A technician's order for a copy of `id`, and the thread's answer.
    fn copy(&self, id: &str) -> Result<CopyPrinted, String> {
        let (reply, answer) = std::sync::mpsc::channel();
        self.copies.send(CopyOrder { id: id.into(), language: ReceiptLanguage::Chinese, reply }).unwrap();
        answer.recv_timeout(Duration::from_secs(20)).expect("every order is answered")
    }

    /// Waits until the thread has seen the printer ready.
    fn printer_ready(&self) {
        loop {
            match self.events.recv_timeout(Duration::from_secs(20)).expect("the printer's state is told") {
                KioskEvent::PrinterReady(true) => return,
                KioskEvent::PrinterReady(false) => panic!("the simulated printer is ready"),
                _ => {}
            }
        }
    }
}

#[test]
fn a_paid_order_reported_twice_is_recorded_once_and_both_reports_are_answered() {
    let r = recorder();
    r.printer_ready();
    let paid = || ServiceAsk::BillPaid {
        order_id: "o-42".into(),
        account: "330102881742".into(),
        utility: None,
        period: None,
        amount_fen: 4140,
        holder: Some("张*".into()),
    };
    let what = RecordedWhat::Payment { utility: None, amount_fen: 4140, order_id: "o-42".into() };
    let first = r.ask(1, paid());
    assert_eq!(
        first,
        vec![
            KioskEvent::Recorded(Recorded { request: 1, seq: 1, what: what.clone(), printing: true, copy: false }),
            KioskEvent::ReceiptOutcome { seq: 1, printed: true },
        ]
    );
    // Reported again (by a status check that crossed the first): the first record is the answer.
    let again = r.ask(2, paid());
    assert_eq!(
        again,
        vec![
            KioskEvent::Recorded(Recorded { request: 2, seq: 1, what, printing: false, copy: false }),
            KioskEvent::ReceiptOutcome { seq: 1, printed: true },
        ]
    );
    assert_eq!(r.printed.lock().unwrap().len(), 1, "one receipt for one payment");
    assert_eq!(Journal::open(&r.journal).unwrap().last_seq().unwrap(), 1, "one record");

    // The same for a booking.
    let booked = || ServiceAsk::Appointment {
        appointment_id: "ap-7".into(),
        window: legal_aid(),
        starts_at: "2026-12-03 09:30".into(),
        holder: Some("张* 1101**********002X".into()),
    };
    let first = r.ask(3, booked());
    assert!(matches!(first[0], KioskEvent::Recorded(Recorded { request: 3, seq: 2, .. })), "{first:?}");
    let again = r.ask(4, booked());
    assert!(matches!(again[0], KioskEvent::Recorded(Recorded { request: 4, seq: 2, .. })), "{again:?}");
    assert_eq!(again[1], KioskEvent::ReceiptOutcome { seq: 2, printed: true });
    assert_eq!(r.printed.lock().unwrap().len(), 2);
}

#[test]
fn a_ticket_prints_on_the_in_memory_printer_and_the_printer_is_on_the_device_board() {
    let r = recorder();
    r.printer_ready();
    let answers = r.ask(1, ServiceAsk::Ticket { window: legal_aid(), letter: 'D' });
    assert!(
        matches!(&answers[0], KioskEvent::Recorded(Recorded { what: RecordedWhat::Ticket { number, .. }, .. }) if number == "D001"),
        "{answers:?}"
    );
    assert_eq!(answers[1], KioskEvent::ReceiptOutcome { seq: 1, printed: true });
    let printed = r.printed.lock().unwrap();
    assert!(printed[0].text_lines().iter().any(|line| line.contains("D001")), "{:?}", printed[0].text_lines());
    let printer = r.devices.reports().into_iter().find(|d| d.device == "receipt_printer").unwrap();
    assert_eq!((printer.status.as_str(), printer.paper.as_deref()), ("online", Some("ok")));
}

/// The receipt number printed on a receipt (its "凭条号" or "Receipt No." line), digits only.
fn printed_number(lines: &[String]) -> String {
    let line = lines.iter().find(|l| l.contains("凭条号") || l.contains("Receipt No.")).expect("a numbered receipt");
    line.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn a_receipt_speaks_the_session_s_language_and_is_reprinted_by_its_number_without_its_holder() {
    let r = recorder();
    r.printer_ready();
    let booked = ServiceAsk::Appointment {
        appointment_id: "ap-8".into(),
        window: legal_aid(),
        starts_at: "2026-12-03 10:00".into(),
        holder: Some("张* 1101**********002X".into()),
    };
    let answers = r.ask_in(1, booked, ReceiptLanguage::English);
    assert_eq!(answers[1], KioskEvent::ReceiptOutcome { seq: 1, printed: true });
    let original = r.printed.lock().unwrap()[0].text_lines();
    let text = original.join("\n");
    for part in ["Appointment", "Legal aid", "Holder", "张* 1101**********002X", "Terminal", "12345"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(!text.contains("预约凭条"), "English only: {text}");
    let number = printed_number(&original);
    assert_eq!(number, numbering().number(1), "the number of record 1 of kiosk 42");

    // Reprinted by that number, in the next resident's language: a copy, without the holder.
    let answers = r.ask_in(2, ServiceAsk::ReprintByNumber { typed: number.clone() }, ReceiptLanguage::Chinese);
    assert!(matches!(&answers[0], KioskEvent::Recorded(Recorded { seq: 1, copy: true, .. })), "{answers:?}");
    let copy = r.printed.lock().unwrap()[1].text_lines().join("\n");
    assert!(copy.contains("副本") && copy.contains("预约凭条") && copy.contains("法律援助"), "{copy}");
    assert!(!copy.contains("张*") && !copy.contains("1101"), "a copy names nobody: {copy}");
    assert_eq!(Journal::open(&r.journal).unwrap().last_seq().unwrap(), 1, "a reprint records nothing new");

    // A typo, another kiosk's receipt and a number never given are refused with the reason.
    let mut typo = number.clone().into_bytes();
    typo[4] = if typo[4] == b'7' { b'6' } else { b'7' };
    let refused = r.ask(3, ServiceAsk::ReprintByNumber { typed: String::from_utf8(typo).unwrap() });
    assert!(matches!(refused[0], KioskEvent::ReprintRefused { request: 3, .. }), "{refused:?}");
    let elsewhere = ReceiptNumbering::new(7, zeroize::Zeroizing::new([9; 32])).unwrap().number(1);
    let refused = r.ask(4, ServiceAsk::ReprintByNumber { typed: elsewhere });
    let why = ReprintProblem::Number(NumberProblem::OtherKiosk(7));
    assert_eq!(refused, vec![KioskEvent::ReprintRefused { request: 4, why }]);
    let refused = r.ask(5, ServiceAsk::ReprintByNumber { typed: numbering().number(99) });
    assert_eq!(refused, vec![KioskEvent::ReprintRefused { request: 5, why: ReprintProblem::NotFound }]);
    assert_eq!(r.printed.lock().unwrap().len(), 2, "nothing printed for a refused number");
}

#[test]
fn a_technician_s_copy_comes_out_marked_as_a_copy_and_what_is_not_reprinted_is_refused_with_why() {
    let r = recorder();
    r.printer_ready();
    let answers = r.ask(1, ServiceAsk::Ticket { window: legal_aid(), letter: 'D' });
    assert_eq!(answers[1], KioskEvent::ReceiptOutcome { seq: 1, printed: true });
    let number = numbering().number(1);

    // By the receipt's number as printed (grouped), then by the record's number.
    let copy = r.copy(&citizen_window::records::grouped(&number)).unwrap();
    assert_eq!(copy, CopyPrinted { seq: 1, number: number.clone(), kind: "queue_ticket".into() });
    let printed = r.printed.lock().unwrap()[1].text_lines().join("\n");
    assert!(printed.contains("副本") && printed.contains("D001"), "{printed}");
    assert_eq!(r.copy("1").unwrap().seq, 1);
    let mut journal = Journal::open(&r.journal).unwrap();
    assert_eq!(journal.receipt_state(1).unwrap(), citizen_window::journal::ReceiptState::Reprinted);
    assert_eq!(journal.last_seq().unwrap(), 1, "a copy records nothing new");

    // A statement's figures never reach the journal: it is its resident's alone.
    let statement = serde_json::json!({ "months": 6 });
    let new = citizen_window::journal::NewTransaction {
        kind: "social_insurance_statement",
        payload: &statement,
        resident: None,
        receipt: citizen_window::journal::ReceiptPlan::Intended,
    };
    let statement_seq = journal.record(&new, citizen_window::journal::now_ms()).unwrap().seq;
    let refusals = [
        (statement_seq.to_string(), "printed only for its resident"),
        ("99".to_string(), "no record 99"),
        (ReceiptNumbering::new(7, zeroize::Zeroizing::new([9; 32])).unwrap().number(1), "kiosk 0007"),
        (number.replace(&number[8..], if &number[8..] == "00" { "01" } else { "00" }), "check each digit"),
        ("ticket".to_string(), "neither a receipt number"),
    ];
    for (id, why) in refusals {
        let refused = r.copy(&id).unwrap_err();
        assert!(refused.contains(why), "{id}: {refused}");
    }
    assert_eq!(r.printed.lock().unwrap().len(), 3, "nothing printed for a refusal");
}
