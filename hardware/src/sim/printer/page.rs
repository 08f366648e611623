//! The page being printed: text bytes become styled runs, runs become lines, paper use is counted
//! (running out when a fault says so), and a cut hands the finished receipt to the sink.

use super::{PaperLevel, PrintedElement, PrintedReceipt, SimPrinter, TextRun};
use crate::escpos::receipt::Alignment;
use crate::escpos::text_encoding::TextEncoding;

impl SimPrinter {
    pub(super) fn reset_page_modes(&mut self) {
        self.align = Alignment::Left;
        self.bold = false;
        self.width = 1;
        self.height = 1;
        self.pending_text.clear();
        self.runs.clear();
    }

    /// Turns collected text bytes into a run with the current style.
    pub(super) fn flush_text(&mut self) {
        if self.pending_text.is_empty() {
            return;
        }
        let encoding = if self.chinese_mode || self.profile.encoding == TextEncoding::Utf8 {
            self.profile.encoding
        } else {
            TextEncoding::Gb18030
        };
        let text = encoding.decode(&self.pending_text);
        self.pending_text.clear();
        self.runs.push(TextRun { text, bold: self.bold, width: self.width, height: self.height });
    }

    pub(super) fn end_line(&mut self) {
        self.flush_text();
        let runs = std::mem::take(&mut self.runs);
        self.elements.push(PrintedElement::Line { runs, align: self.align });
        self.count_lines(u32::from(self.height.max(1)));
    }

    pub(super) fn end_line_if_any(&mut self) {
        if !self.pending_text.is_empty() || !self.runs.is_empty() {
            self.end_line();
        }
    }

    pub(super) fn count_lines(&mut self, lines: u32) {
        self.lines_printed = self.lines_printed.saturating_add(lines);
        if let Some(limit) = self.faults.paper_out_after_lines
            && self.lines_printed >= limit
        {
            self.faults.paper = PaperLevel::Out;
            self.faults.paper_out_after_lines = None;
            self.elements.push(PrintedElement::PaperEnd);
            // Staff tear off what came out; the rest of the job waits in the buffer.
            self.cut(false);
        }
    }

    pub(super) fn cut(&mut self, cut: bool) {
        self.end_line_if_any();
        let receipt = PrintedReceipt {
            elements: std::mem::take(&mut self.elements),
            cut,
            unknown_commands: std::mem::take(&mut self.unknown),
        };
        self.receipts_done += 1;
        self.sink.receipt_done(receipt, &self.profile);
    }
}
