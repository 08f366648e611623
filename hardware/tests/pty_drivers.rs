//! The real drivers over real pseudo-terminals against the simulators, paced at the wire speed:
//! printing, status, faults in the middle of a job, unplugging and reconnecting, card reading.

use citizen_window_hardware::card_reader::{CardData, CardReaderDriver, ReaderEvent, ReaderProtocol};
use citizen_window_hardware::device_state::PaperStatus;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintFault, PrintOutcome, PrinterDriver, PrinterError, PrinterProfile};
use citizen_window_hardware::sam::SamReader;
use citizen_window_hardware::sam::reader::SamReaderError;
use citizen_window_hardware::sam::status_word::SamStatus;
use citizen_window_hardware::serial_link::{LinkError, SerialPortOpener};
use citizen_window_hardware::sim::magstripe_reader::SimMagstripeReader;
use citizen_window_hardware::sim::printer::{PrintedReceipt, SimPrinter};
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::rfid_reader::SimRfidReader;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Receipts = Arc<Mutex<Vec<PrintedReceipt>>>;

struct PrinterRig {
    _dir: tempfile::TempDir,
    host: PtyHost,
    port: PathBuf,
    receipts: Receipts,
    profile: PrinterProfile,
}

fn printer_rig(profile: &str, baud: u32) -> PrinterRig {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("printer");
    let mut profile = PrinterProfile::load(profile).unwrap();
    profile.baud = baud;
    let (sim, receipts) = SimPrinter::with_receipt_log(profile.clone());
    let host = PtyHost::start(Box::new(sim), &port, baud).unwrap();
    PrinterRig { _dir: dir, host, port, receipts, profile }
}

impl PrinterRig {
    fn driver(&self) -> PrinterDriver<SerialPortOpener> {
        PrinterDriver::new(SerialPortOpener::new(&self.port, self.profile.baud), self.profile.clone())
    }
    fn wait_for_receipts(&self, n: usize) -> Vec<PrintedReceipt> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let r = self.receipts.lock().unwrap().clone();
            if r.len() >= n {
                return r;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("expected {n} receipts, got {}", self.receipts.lock().unwrap().len());
    }
}

#[test]
fn printer_prints_and_confirms_a_receipt_over_a_pty() {
    let rig = printer_rig("generic-80mm", 115_200);
    let mut driver = rig.driver();
    let job = ReceiptEncoder::new(&rig.profile).encode(&Receipt::sample_payment()).unwrap();
    let outcome = driver.print(&job).unwrap();
    assert!(
        matches!(outcome, PrintOutcome::Confirmed { bytes, paper_low: false, .. } if bytes == job.len()),
        "{outcome:?}"
    );
    let receipts = rig.wait_for_receipts(1);
    assert!(receipts[0].cut);
    assert!(receipts[0].text_lines().iter().any(|l| l.contains("流水号 Ref")));
    assert_eq!(receipts[0].qr_codes().len(), 1);
}

#[test]
fn printer_status_reports_paper_low_and_refuses_jobs_when_not_ready() {
    let rig = printer_rig("generic-58mm", 9600);
    let mut driver = rig.driver();
    assert_eq!(driver.status().unwrap().paper(), PaperStatus::Ok);
    rig.host.control("paper near-end").unwrap();
    let status = driver.status().unwrap();
    assert_eq!(status.paper(), PaperStatus::Low);
    assert!(status.ready_to_print());
    let job = ReceiptEncoder::new(&rig.profile).encode(&Receipt::new().line("low paper").cut()).unwrap();
    assert!(matches!(driver.print(&job).unwrap(), PrintOutcome::Confirmed { paper_low: true, .. }));

    rig.host.control("cover open").unwrap();
    let err = driver.print(&job).unwrap_err();
    assert!(matches!(&err, PrinterError::NotReady(s) if s.cover_open), "{err:?}");
    assert!(err.to_string().contains("cover is open"), "{err}");
    rig.host.control("cover closed").unwrap();
    rig.host.control("paper out").unwrap();
    let err = driver.print(&job).unwrap_err();
    assert!(err.to_string().contains("out of paper"), "{err}");
    assert_eq!(rig.receipts.lock().unwrap().len(), 1, "nothing was sent to a printer that is not ready");
}

#[test]
fn paper_out_in_the_middle_of_a_job_is_unconfirmed_and_the_rest_is_cleared() {
    let rig = printer_rig("generic-58mm", 115_200);
    let mut driver = rig.driver();
    rig.host.control("paper-out-after 6").unwrap();
    let job = ReceiptEncoder::new(&rig.profile).encode(&Receipt::sample_payment()).unwrap();
    let outcome = driver.print(&job).unwrap();
    let PrintOutcome::Unconfirmed { fault, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(fault, PrintFault::PaperOut);
    let torn = rig.wait_for_receipts(1);
    assert!(!torn[0].cut, "the partial receipt was torn off, not cut");
    // Staff load paper: the rest of the old job must not come out on its own.
    rig.host.control("paper ok").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rig.receipts.lock().unwrap().len(), 1);
    // The reprint goes through whole.
    assert!(matches!(driver.print(&job).unwrap(), PrintOutcome::Confirmed { .. }));
    let receipts = rig.wait_for_receipts(2);
    assert_eq!(receipts[1].text_lines()[0], "市民之窗");
}

#[test]
fn unplugged_printer_is_reported_disconnected_then_reconnects() {
    let rig = printer_rig("generic-58mm", 115_200);
    let mut driver = rig.driver();
    driver.status().unwrap();
    rig.host.control("unplug").unwrap();
    let err = driver.status().unwrap_err();
    assert!(matches!(err, PrinterError::Link(LinkError::Disconnected { .. })), "{err:?}");
    assert!(err.to_string().contains("disconnected"), "{err}");
    // While unplugged, every attempt fails fast (backoff), never spins on the port.
    let started = Instant::now();
    for _ in 0..50 {
        assert!(driver.status().is_err());
    }
    assert!(!driver.link().is_connected());
    rig.host.control("replug").unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        match driver.status() {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("did not reconnect: {e} (after {:?})", started.elapsed()),
        }
    };
    assert!(status.ready_to_print());
}

#[test]
fn printer_unplugged_during_a_job_is_unconfirmed() {
    let rig = printer_rig("generic-58mm-raster-qr", 9600);
    let mut driver = rig.driver();
    let job = ReceiptEncoder::new(&rig.profile).encode(&Receipt::sample_payment()).unwrap();
    assert!(job.len() > 3000, "a raster QR takes seconds at 9600 baud");
    let controller = rig.host.controller();
    let unplugger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        controller.control("unplug").unwrap();
    });
    let outcome = driver.print(&job).unwrap();
    unplugger.join().unwrap();
    assert!(matches!(outcome, PrintOutcome::Unconfirmed { fault: PrintFault::Disconnected, .. }), "{outcome:?}");
}

fn sam_rig() -> (tempfile::TempDir, PtyHost, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("reader");
    let host = PtyHost::start(Box::new(SimSamReader::new(sample_cards_dir())), &port, 115_200).unwrap();
    (dir, host, port)
}

#[test]
fn sam_reader_reads_a_card_once_per_placement() {
    let (_dir, host, port) = sam_rig();
    let mut reader = SamReader::new(SerialPortOpener::new(&port, 115_200), 115_200);
    assert!(reader.poll().unwrap().is_none(), "no card yet");
    host.control("place li-xiulan").unwrap();
    let card = reader.poll().unwrap().expect("card read");
    assert_eq!(card.masked_name(), "李**");
    assert_eq!(card.id_number.masked(), "3301**********0023");
    assert!(reader.poll().unwrap().is_none(), "the same card is not read twice while it stays");
    assert_eq!(reader.sam_id().unwrap(), "43575349 4D2D30303030303030303031".replace(' ', ""));
}

#[test]
fn sam_driver_tells_of_the_card_before_reading_it() {
    let (_dir, host, port) = sam_rig();
    let mut driver = CardReaderDriver::new(ReaderProtocol::Sam, SerialPortOpener::new(&port, 115_200), 115_200);
    assert!(driver.poll(Instant::now()).unwrap().is_empty(), "no card yet");
    assert!(!driver.reading());
    host.control("place li-xiulan").unwrap();
    let found = driver.poll(Instant::now()).unwrap();
    assert!(matches!(found[..], [ReaderEvent::CardFound]), "{found:?}");
    assert!(driver.reading(), "the next poll reads it");
    let read = driver.poll(Instant::now()).unwrap();
    let [ReaderEvent::CardRead(CardData::IdCard(card))] = &read[..] else { panic!("{read:?}") };
    assert_eq!(card.masked_name(), "李**");
    assert!(!driver.reading());
    assert!(driver.poll(Instant::now()).unwrap().is_empty(), "the same card is not found twice while it stays");
    // A card that cannot be read is found, then reported as such.
    host.control("place-unreadable zhang-wei").unwrap();
    assert!(matches!(driver.poll(Instant::now()).unwrap()[..], [ReaderEvent::CardFound]));
    let failed = driver.poll(Instant::now()).unwrap();
    assert!(matches!(&failed[..], [ReaderEvent::ReadFailed(message)] if message.contains("place the card again")));
}

#[test]
fn sam_reader_reassembles_answers_sent_one_byte_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("reader");
    let host =
        PtyHost::start_with_output_chunk(Box::new(SimSamReader::new(sample_cards_dir())), &port, 115_200, 1).unwrap();
    host.control("place zhang-wei").unwrap();
    let mut reader = SamReader::new(SerialPortOpener::new(&port, 115_200), 115_200);
    let card = reader.poll().unwrap().expect("card read");
    assert_eq!(card.id_number.masked(), "3301**********0018");
}

#[test]
fn sam_reader_failures_are_typed() {
    let (_dir, host, port) = sam_rig();
    let mut reader = SamReader::new(SerialPortOpener::new(&port, 115_200), 115_200);
    host.control("place-unreadable zhang-wei").unwrap();
    let err = reader.poll().unwrap_err();
    assert!(matches!(err, SamReaderError::Status { status: SamStatus::ReadFailed }), "{err:?}");
    assert!(err.to_string().contains("place the card again"), "{err}");
    host.control("sam broken").unwrap();
    let err = reader.poll().unwrap_err();
    assert!(err.to_string().contains("reset the SAM module"), "{err}");
    host.control("unplug").unwrap();
    assert!(matches!(reader.poll().unwrap_err(), SamReaderError::Link(LinkError::Disconnected { .. })));
}

fn poll_until(driver: &mut CardReaderDriver<SerialPortOpener>, wanted: fn(&ReaderEvent) -> bool) -> ReaderEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        for event in driver.poll(Instant::now()).unwrap() {
            if wanted(&event) {
                return event;
            }
        }
    }
    panic!("event did not come");
}

#[test]
fn rfid_reader_reports_one_read_per_placement_and_the_removal() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("rfid");
    let host = PtyHost::start(Box::<SimRfidReader>::default(), &port, 9600).unwrap();
    let mut driver = CardReaderDriver::new(ReaderProtocol::Rdm6300, SerialPortOpener::new(&port, 9600), 9600);
    host.control("place 0400E7A1B3").unwrap();
    let event = poll_until(&mut driver, |e| matches!(e, ReaderEvent::CardRead(_)));
    let ReaderEvent::CardRead(CardData::Rfid(tag)) = event else { panic!("{event:?}") };
    assert_eq!(tag.hex(), "0400E7A1B3");
    // Repeated frames for a second: no second read.
    let until = Instant::now() + Duration::from_millis(400);
    while Instant::now() < until {
        assert!(driver.poll(Instant::now()).unwrap().iter().all(|e| !matches!(e, ReaderEvent::CardRead(_))));
    }
    host.control("remove").unwrap();
    poll_until(&mut driver, |e| matches!(e, ReaderEvent::CardRemoved));
}

#[test]
fn magstripe_reader_reports_a_swipe() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("mag");
    let host = PtyHost::start(Box::<SimMagstripeReader>::default(), &port, 9600).unwrap();
    let mut driver = CardReaderDriver::new(ReaderProtocol::Magstripe, SerialPortOpener::new(&port, 9600), 9600);
    driver.poll(Instant::now()).unwrap();
    host.control("swipe 6217000012345678 ZHANG/WEI 2908").unwrap();
    let event = poll_until(&mut driver, |e| matches!(e, ReaderEvent::CardRead(_)));
    let ReaderEvent::CardRead(CardData::Magstripe(card)) = event else { panic!("{event:?}") };
    assert_eq!(card.masked_pan(), "6217********5678");
    host.control("swipe-raw %Bgarbage").unwrap();
    let event = poll_until(&mut driver, |e| matches!(e, ReaderEvent::ReadFailed(_)));
    assert!(format!("{event:?}").contains("swipe again"));
}
