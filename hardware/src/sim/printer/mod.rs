//! A simulated ESC/POS receipt printer: it interprets the bytes it receives (GB18030, GBK or UTF-8
//! text, sizes, bold, alignment, native QR, raster images, cut), answers status queries as a real
//! printer does, and hands each cut receipt to a sink. Faults (paper near end, paper out after N
//! lines, cover open, offline) are injected by control commands.
//!
//! This file holds the printer's state and its face to the host (bytes and control commands);
//! `interpreter` reads the commands, `page` builds the receipt, `faults` holds the paper, cover
//! and online conditions and the status bytes they produce, `printed_receipt` is the output.

mod faults;
mod interpreter;
mod page;
mod printed_receipt;
#[cfg(test)]
mod tests;

pub use faults::{PaperLevel, PrinterFaults};
pub use printed_receipt::{PrintedElement, PrintedReceipt, ReceiptLog, ReceiptSink, TextRun};

use super::SimulatedDevice;
use crate::escpos::profile::PrinterProfile;
use crate::escpos::receipt::Alignment;
use std::time::Instant;

pub struct SimPrinter {
    profile: PrinterProfile,
    sink: Box<dyn ReceiptSink>,
    faults: PrinterFaults,
    input: Vec<u8>,
    lines_printed: u32,
    // Modes.
    align: Alignment,
    bold: bool,
    width: u8,
    height: u8,
    chinese_mode: bool,
    // The page being printed.
    runs: Vec<TextRun>,
    pending_text: Vec<u8>,
    elements: Vec<PrintedElement>,
    unknown: Vec<String>,
    qr_data: Vec<u8>,
    qr_module_size: u8,
    receipts_done: u32,
}

impl SimPrinter {
    pub fn new(profile: PrinterProfile, sink: Box<dyn ReceiptSink>) -> Self {
        // Chinese printers start in Chinese mode (their DIP switches say so); FS . leaves it.
        let chinese_mode = true;
        Self {
            profile,
            sink,
            faults: PrinterFaults::none(),
            input: Vec::new(),
            lines_printed: 0,
            align: Alignment::Left,
            bold: false,
            width: 1,
            height: 1,
            chinese_mode,
            runs: Vec::new(),
            pending_text: Vec::new(),
            elements: Vec::new(),
            unknown: Vec::new(),
            qr_data: Vec::new(),
            qr_module_size: 3,
            receipts_done: 0,
        }
    }

    /// A printer whose receipts are collected into the returned log.
    pub fn with_receipt_log(profile: PrinterProfile) -> (Self, ReceiptLog) {
        let log = ReceiptLog::default();
        let sink = log.clone();
        let printer = Self::new(
            profile,
            Box::new(move |receipt: PrintedReceipt, _: &PrinterProfile| {
                sink.lock().expect("receipt log lock").push(receipt)
            }),
        );
        (printer, log)
    }

    pub fn faults(&self) -> &PrinterFaults {
        &self.faults
    }

    pub fn receipts_done(&self) -> u32 {
        self.receipts_done
    }

    /// Bytes received but not printed (waiting for paper, a closed cover, or going online).
    pub fn buffered(&self) -> usize {
        self.input.len()
    }

    fn resume(&mut self) -> Vec<u8> {
        let mut reply = Vec::new();
        self.process(&mut reply);
        reply
    }

    pub fn status_json(&self) -> String {
        serde_json::json!({
            "faults": self.faults,
            "buffered_bytes": self.input.len(),
            "receipts": self.receipts_done,
            "lines_printed": self.lines_printed,
        })
        .to_string()
    }
}

impl SimulatedDevice for SimPrinter {
    fn receive(&mut self, bytes: &[u8], _now: Instant) -> Vec<u8> {
        let mut reply = Vec::new();
        self.input.extend_from_slice(bytes);
        if self.faults.held() {
            self.answer_realtime_while_held(&mut reply);
        } else {
            self.process(&mut reply);
            if self.faults.held() {
                self.answer_realtime_while_held(&mut reply);
            }
        }
        reply
    }

    fn control(&mut self, command: &str) -> Result<String, String> {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            ["paper", "ok"] | ["load-paper"] => {
                self.faults.paper = PaperLevel::Ok;
                self.faults.paper_out_after_lines = None;
                self.resume();
            }
            ["paper", "near-end"] => {
                self.faults.paper = PaperLevel::NearEnd;
                self.resume();
            }
            ["paper", "out"] => self.faults.paper = PaperLevel::Out,
            ["paper-out-after", n] => {
                let n: u32 = n.parse().map_err(|_| format!("{n:?} is not a number of lines"))?;
                self.faults.paper_out_after_lines = Some(self.lines_printed + n);
            }
            ["cover", "open"] => self.faults.cover_open = true,
            ["cover", "closed"] => {
                self.faults.cover_open = false;
                self.resume();
            }
            ["offline"] => self.faults.offline = true,
            ["online"] => {
                self.faults.offline = false;
                self.resume();
            }
            ["status"] => {}
            _ => {
                return Err(format!(
                    "unknown printer command {command:?}: use paper ok|near-end|out, paper-out-after N, cover open|closed, offline, online, status, unplug, replug"
                ));
            }
        }
        Ok(self.status_json())
    }
}
