//! What comes out of the simulated printer: a receipt as a list of printed elements (styled lines,
//! images, QR codes, feeds, where the paper ran out), and the sink each finished receipt goes to.

use crate::escpos::profile::PrinterProfile;
use crate::escpos::raster::Bitmap;
use crate::escpos::receipt::Alignment;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextRun {
    pub text: String,
    pub bold: bool,
    pub width: u8,
    pub height: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintedElement {
    Line {
        runs: Vec<TextRun>,
        align: Alignment,
    },
    Image {
        bitmap: Bitmap,
        align: Alignment,
    },
    Qr {
        data: String,
        module_size: u8,
        align: Alignment,
    },
    Feed {
        lines: u8,
    },
    /// Where the paper ran out: everything after it is missing from this receipt.
    PaperEnd,
}

/// One receipt as it came out of the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedReceipt {
    pub elements: Vec<PrintedElement>,
    /// True when the receipt ended with a cut, false when it was torn off after a fault.
    pub cut: bool,
    /// Commands the printer did not know, for the test to see.
    pub unknown_commands: Vec<String>,
}

impl PrintedReceipt {
    /// All text on the receipt, one printed line per line.
    pub fn text_lines(&self) -> Vec<String> {
        self.elements
            .iter()
            .filter_map(|e| match e {
                PrintedElement::Line { runs, .. } => Some(runs.iter().map(|r| r.text.as_str()).collect()),
                _ => None,
            })
            .collect()
    }

    pub fn qr_codes(&self) -> Vec<&str> {
        self.elements
            .iter()
            .filter_map(|e| match e {
                PrintedElement::Qr { data, .. } => Some(data.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Receipts collected in memory, for tests and benchmarks to inspect.
pub type ReceiptLog = std::sync::Arc<std::sync::Mutex<Vec<PrintedReceipt>>>;

/// Where finished receipts go: a folder, a channel, a vector in a test.
pub trait ReceiptSink: Send {
    fn receipt_done(&mut self, receipt: PrintedReceipt, profile: &PrinterProfile);
}

impl<F: FnMut(PrintedReceipt, &PrinterProfile) + Send> ReceiptSink for F {
    fn receipt_done(&mut self, receipt: PrintedReceipt, profile: &PrinterProfile) {
        self(receipt, profile)
    }
}
