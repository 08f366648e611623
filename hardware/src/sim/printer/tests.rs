//! Tests of the whole simulated printer through its host face: encoded receipts in any chunking,
//! status and completion replies under each fault, paper running out mid-job, arbitrary bytes.

use super::{PrintedElement, ReceiptLog, SimPrinter};
use crate::escpos::profile::PrinterProfile;
use crate::escpos::receipt::Alignment;
use crate::escpos::{Receipt, ReceiptEncoder};
use crate::sim::SimulatedDevice;
use std::time::Instant;

fn printer(profile: &str) -> (SimPrinter, ReceiptLog) {
    SimPrinter::with_receipt_log(PrinterProfile::load(profile).unwrap())
}

#[test]
fn interprets_an_encoded_receipt_in_any_chunking() {
    let profile = PrinterProfile::load("generic-58mm").unwrap();
    let bytes = ReceiptEncoder::new(&profile).encode(&Receipt::sample_payment()).unwrap();
    for chunk in [1, 7, bytes.len()] {
        let (mut p, done) = printer("generic-58mm");
        for c in bytes.chunks(chunk) {
            assert!(p.receive(c, Instant::now()).is_empty());
        }
        let done = done.lock().unwrap();
        assert_eq!(done.len(), 1);
        let receipt = &done[0];
        assert!(receipt.cut);
        let lines = receipt.text_lines();
        assert_eq!(lines[0], "市民之窗");
        assert!(lines.iter().any(|l| l.starts_with("金额 Amount") && l.ends_with("￥41.40")), "{lines:?}");
        assert_eq!(receipt.qr_codes(), vec!["https://pay.example.org/r/T20261126-000153"]);
        assert!(receipt.unknown_commands.is_empty(), "{:?}", receipt.unknown_commands);
        let PrintedElement::Line { runs, align } = &receipt.elements[0] else { panic!() };
        assert_eq!(*align, Alignment::Centre);
        assert!(runs[0].bold && runs[0].width == 2 && runs[0].height == 2);
    }
}

#[test]
fn answers_status_and_completion() {
    let (mut p, _) = printer("generic-58mm");
    assert_eq!(p.receive(&[0x10, 0x04, 0x01], Instant::now()), vec![0x12]);
    assert_eq!(p.receive(&[0x1D, 0x72, 0x01], Instant::now()), vec![0x00]);
    p.control("paper near-end").unwrap();
    assert_eq!(p.receive(&[0x10, 0x04, 0x04], Instant::now()), vec![0x1E]);
    p.control("paper out").unwrap();
    assert_eq!(p.receive(&[0x10, 0x04, 0x04], Instant::now()), vec![0x72]);
    assert_eq!(p.receive(&[0x1D, 0x72, 0x01], Instant::now()), Vec::<u8>::new(), "GS r waits while out of paper");
    assert_eq!(p.receive(&[0x10, 0x04, 0x02], Instant::now()), vec![0x32]);
    p.control("paper ok").unwrap();
    p.control("cover open").unwrap();
    assert_eq!(p.receive(&[0x10, 0x04, 0x02], Instant::now()), vec![0x16]);
    assert!(p.control("paper sideways").unwrap_err().contains("paper ok"));
}

#[test]
fn paper_out_mid_job_holds_the_rest_until_paper_is_loaded_or_cleared() {
    let (mut p, done) = printer("generic-58mm");
    p.control("paper-out-after 3").unwrap();
    let mut job = b"\x1b@one\ntwo\nthree\nfour\nfive\n".to_vec();
    job.extend_from_slice(&[0x1D, 0x56, 0x01, 0x1D, 0x72, 0x01]);
    let reply = p.receive(&job, Instant::now());
    assert!(reply.is_empty(), "no completion while out of paper");
    assert_eq!(done.lock().unwrap()[0].text_lines(), vec!["one", "two", "three"]);
    assert!(p.buffered() > 0);
    // A job sent while out of paper prints later when paper is loaded: the field failure.
    p.control("paper ok").unwrap();
    assert_eq!(done.lock().unwrap()[1].text_lines(), vec!["four", "five"]);

    let (mut p, done) = printer("generic-58mm");
    p.control("paper-out-after 1").unwrap();
    p.receive(b"one\ntwo\n\x1dV\x01", Instant::now());
    // DLE ENQ 2 clears the buffer, so nothing comes out when paper is loaded.
    p.receive(&[0x10, 0x05, 0x02], Instant::now());
    p.control("paper ok").unwrap();
    assert_eq!(done.lock().unwrap().len(), 1);
    assert_eq!(p.buffered(), 0);
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    let (mut p, _) = printer("generic-80mm");
    let mut seed = 0x9E3779B97F4A7C15u64;
    for _ in 0..50_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let b = [0x1B, 0x1D, 0x10, 0x0A, 0xB0, 0x30, (seed >> 16) as u8, b'(', b'v'][(seed % 9) as usize];
        p.receive(&[b], Instant::now());
    }
}
