//! A code from the scanner, wherever the resident is: a receipt's QR code opens its report's
//! status (asked of the server) or, when it is no report or the server cannot say, that
//! receipt's reprint; a bill's barcode looks the bill up; anything else says what the scanner
//! reads. A payment waiting for the phone, or a booking or an order on its way, is never left
//! behind by a scan.

use super::super::screen::*;
use super::KioskController;
use crate::records::{ScannedCode, classify_scanned_code as classify};
use std::time::Instant;

impl KioskController {
    pub(super) fn code_scanned(&mut self, text: &str, now: Instant) {
        self.touched(now);
        // A payment waiting, or a booking or an order on its way to the server: a scan would
        // leave it behind.
        let in_flight = self.flows.awaiting.is_some() && matches!(self.page, Page::Slots(_) | Page::Bill);
        if self.page == Page::Payment || self.flows.order.is_some() || in_flight {
            self.scan_problem = Some(ScanProblem::Busy);
            return;
        }
        match classify(text, self.page == Page::Bills) {
            ScannedCode::BillAccount(digits) => {
                if self.page != Page::Bills {
                    self.open_online(Page::Bills);
                }
                self.flows.resident_bills.clear();
                self.flows.input = digits;
                self.keypad_confirm(now);
            }
            ScannedCode::Receipt(digits) => match self.page {
                Page::ReportLookup => {
                    self.flows.input = digits;
                    self.keypad_confirm(now);
                }
                Page::Reprint => self.reprint_scanned(digits, now),
                _ if self.online => {
                    self.open_online(Page::ReportLookup);
                    self.flows.input = digits.clone();
                    self.keypad_confirm(now);
                    self.flows.scanned_receipt = Some(digits);
                }
                _ => self.reprint_scanned(digits, now),
            },
            ScannedCode::Unrecognised => self.scan_problem = Some(ScanProblem::Unrecognised),
        }
    }

    pub(super) fn code_unreadable(&mut self, now: Instant) {
        self.touched(now);
        self.scan_problem = Some(ScanProblem::Unreadable);
    }

    /// The reprint page with `number` on its keypad, asked to reprint.
    pub(super) fn reprint_scanned(&mut self, number: String, now: Instant) {
        if self.page != Page::Reprint {
            self.open_online(Page::Reprint);
        }
        self.flows.typing_receipt_number = true;
        self.flows.input = number;
        self.keypad_confirm(now);
    }
}
