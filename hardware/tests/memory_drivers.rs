//! The drivers against the simulators through an in-memory link: the same bytes as on the wire,
//! without a pseudo-terminal, so that driver logic is tested fast and alone.

use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintFault, PrintOutcome, PrinterDriver, PrinterError, PrinterProfile};
use citizen_window_hardware::sam::SamReader;
use citizen_window_hardware::sim::memory_link::MemoryDeviceLink;
use citizen_window_hardware::sim::printer::{PrintedReceipt, SimPrinter};
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use std::sync::{Arc, Mutex};

fn printer() -> (MemoryDeviceLink<SimPrinter>, Arc<Mutex<Vec<PrintedReceipt>>>, PrinterProfile) {
    let profile = PrinterProfile::default_profile();
    let (sim, receipts) = SimPrinter::with_receipt_log(profile.clone());
    (MemoryDeviceLink::new(sim), receipts, profile)
}

#[test]
fn driver_queries_all_four_statuses_then_sends_the_job_and_gs_r() {
    let (link, receipts, profile) = printer();
    let mut driver = PrinterDriver::new(link.clone(), profile.clone());
    let job = ReceiptEncoder::new(&profile).encode(&Receipt::new().line("hello").cut()).unwrap();
    assert!(matches!(driver.print(&job).unwrap(), PrintOutcome::Confirmed { .. }));
    let written = link.written();
    let mut expected = vec![0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04];
    expected.extend_from_slice(&job);
    expected.extend_from_slice(&[0x1D, 0x72, 0x01]);
    assert_eq!(written, expected);
    assert_eq!(receipts.lock().unwrap()[0].text_lines(), vec!["hello"]);
}

#[test]
fn paper_out_mid_job_sends_dle_enq_2() {
    let (link, _receipts, profile) = printer();
    link.control("paper-out-after 2").unwrap();
    let mut driver = PrinterDriver::new(link.clone(), profile.clone());
    let job = ReceiptEncoder::new(&profile).encode(&Receipt::sample_payment()).unwrap();
    let outcome = driver.print(&job).unwrap();
    let PrintOutcome::Unconfirmed { fault: PrintFault::PaperOut, status: Some(after), .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(after.paper_out, "the outcome carries the status read after the fault");
    let written = link.written();
    let after_job = &written[written.len() - 15..];
    assert_eq!(&after_job[..3], &[0x10, 0x05, 0x02], "the printer's buffer is cleared, then status is read");
    link.with_device(|p| assert_eq!(p.buffered(), 0));
}

#[test]
fn unplugged_device_is_a_link_error() {
    let (link, _receipts, profile) = printer();
    let mut driver = PrinterDriver::new(link.clone(), profile);
    link.set_unplugged(true);
    assert!(matches!(driver.status(), Err(PrinterError::Link(_))));
    link.set_unplugged(false);
}

#[test]
fn sam_reader_in_memory() {
    let link = MemoryDeviceLink::new(SimSamReader::new(sample_cards_dir()));
    let mut reader = SamReader::new(link.clone(), 115_200);
    link.control("place wang-fang-expired").unwrap();
    let card = reader.poll().unwrap().unwrap();
    assert_eq!(card.nation(), "回");
    let written = link.written();
    assert_eq!(&written[..10], &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]);
}
