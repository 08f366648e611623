//! The recording thread on an in-memory link to the simulated printer (no pseudo-terminal): each
//! request gets its answer, a paid order or a booking reported twice is recorded once and the
//! second report is answered with the first record, and the receipt comes out on paper.

use citizen_window::devices::{DeviceBoard, RecorderWiring, RecordingWorker};
use citizen_window::journal::{Journal, journal_path};
use citizen_window::kiosk::messages::{KioskEvent, Recorded, RecordedWhat, ServiceAsk, ServiceRequest};
use citizen_window::records::Window;
use citizen_window_hardware::printer::{PrinterDriver, PrinterProfile};
use citizen_window_hardware::sim::memory_link::MemoryDeviceLink;
use citizen_window_hardware::sim::printer::{PrintedReceipt, ReceiptLog, SimPrinter};
use std::sync::mpsc::Receiver;
use std::time::Duration;

struct Recorder {
    requests: crossbeam_channel::Sender<ServiceRequest>,
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
    let wiring = RecorderWiring { requests: taken, events: told, wake_sync: None, devices: devices.clone() };
    let printer = Some(PrinterDriver::new(link, profile));
    let worker = RecordingWorker::start(&journal, printer, Duration::from_secs(86_400), wiring).unwrap();
    Recorder { requests, events, printed, devices, _worker: worker, _dir: dir, journal }
}

impl Recorder {
    /// Asks, and returns what came back up to the receipt's outcome (or a refusal).
    fn ask(&self, number: u64, ask: ServiceAsk) -> Vec<KioskEvent> {
        self.requests.send(ServiceRequest { number, ask }).unwrap();
        let mut answers = Vec::new();
        loop {
            let event = self.events.recv_timeout(Duration::from_secs(20)).expect("every request is answered");
            let last = matches!(
                event,
                KioskEvent::ReceiptOutcome { .. } | KioskEvent::RecordRefused { .. } | KioskEvent::VoteRefused { .. }
            );
            if !matches!(event, KioskEvent::PrinterReady(_) | KioskEvent::Reprintable(_)) {
                answers.push(event);
            }
            if last {
                return answers;
            }
        }
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
        window: Window::LegalAid,
        starts_at: "2026-12-03 09:30".into(),
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
    let answers = r.ask(1, ServiceAsk::Ticket(Window::LegalAid));
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
