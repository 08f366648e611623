//! A simulated ESC/POS receipt printer: it interprets the bytes it receives (GB18030, GBK or UTF-8
//! text, sizes, bold, alignment, native QR, raster images, cut), answers status queries as a real
//! printer does, and hands each cut receipt to a sink. Faults (paper near end, paper out after N
//! lines, cover open, offline) are injected by control commands.

use super::SimulatedDevice;
use crate::escpos::raster::Bitmap;
use crate::escpos::receipt::Alignment;
use crate::escpos::text_encoding::TextEncoding;
use crate::printer::PrinterProfile;
use serde::Serialize;
use std::time::Instant;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaperLevel {
    Ok,
    NearEnd,
    Out,
}

/// Injected conditions, all settable by control commands.
#[derive(Debug, Clone, Serialize)]
pub struct PrinterFaults {
    pub paper: PaperLevel,
    pub paper_out_after_lines: Option<u32>,
    pub cover_open: bool,
    pub offline: bool,
}

/// Outcome of trying to parse one command at the front of the input.
enum Step {
    /// Used this many bytes.
    Done(usize),
    /// The command is not complete yet.
    NeedMore,
}

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
            faults: PrinterFaults {
                paper: PaperLevel::Ok,
                paper_out_after_lines: None,
                cover_open: false,
                offline: false,
            },
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

    fn held(&self) -> bool {
        self.faults.paper == PaperLevel::Out || self.faults.cover_open || self.faults.offline
    }

    fn status_byte(&self, n: u8) -> u8 {
        let f = &self.faults;
        let paper_out = f.paper == PaperLevel::Out;
        match n {
            1 => 0x12 | if self.held() { 0x08 } else { 0 },
            2 => 0x12 | if f.cover_open { 0x04 } else { 0 } | if paper_out { 0x20 } else { 0 },
            3 => 0x12,
            4 => 0x12 | if f.paper == PaperLevel::NearEnd { 0x0C } else { 0 } | if paper_out { 0x60 } else { 0 },
            _ => 0x12,
        }
    }

    /// GS r 1 answer: paper near end bits 0-1, paper end bits 2-3.
    fn completion_byte(&self) -> u8 {
        match self.faults.paper {
            PaperLevel::Ok => 0x00,
            PaperLevel::NearEnd => 0x03,
            PaperLevel::Out => 0x0F,
        }
    }

    /// While the printer cannot print, real-time commands are still answered as they arrive;
    /// they are taken out of the buffer, which can garble data they happened to sit in.
    fn answer_realtime_while_held(&mut self, reply: &mut Vec<u8>) {
        let mut i = 0;
        while i + 2 < self.input.len() {
            if self.input[i] == 0x10 && matches!(self.input[i + 1], 0x04 | 0x05) {
                let (kind, n) = (self.input[i + 1], self.input[i + 2]);
                self.input.drain(i..i + 3);
                if kind == 0x04 {
                    reply.push(self.status_byte(n));
                } else if n == 2 {
                    // DLE ENQ 2: throw away everything not printed.
                    self.input.clear();
                    self.reset_page_modes();
                }
                continue;
            }
            i += 1;
        }
    }

    fn reset_page_modes(&mut self) {
        self.align = Alignment::Left;
        self.bold = false;
        self.width = 1;
        self.height = 1;
        self.pending_text.clear();
        self.runs.clear();
    }

    fn process(&mut self, reply: &mut Vec<u8>) {
        let mut pos = 0;
        while pos < self.input.len() && !self.held() {
            match self.step(pos, reply) {
                Step::Done(used) => pos += used,
                Step::NeedMore => break,
            }
        }
        self.input.drain(..pos);
    }

    /// Interprets the command at `pos`.
    fn step(&mut self, pos: usize, reply: &mut Vec<u8>) -> Step {
        let buf = &self.input[pos..];
        let need = |n: usize| buf.len() < n;
        let b0 = buf[0];
        match b0 {
            0x0A => {
                self.end_line();
                Step::Done(1)
            }
            0x0D => Step::Done(1),
            0x09 => {
                self.pending_text.push(b' ');
                Step::Done(1)
            }
            0x10 => {
                if need(3) {
                    return Step::NeedMore;
                }
                match buf[1] {
                    0x04 => reply.push(self.status_byte(buf[2])),
                    0x05 => {}
                    _ => self.unknown.push(format!("10 {:02X}", buf[1])),
                }
                Step::Done(3)
            }
            0x1B => self.step_esc(pos),
            0x1D => self.step_gs(pos, reply),
            0x1C => {
                if need(2) {
                    return Step::NeedMore;
                }
                match buf[1] {
                    b'&' => self.chinese_mode = true,
                    b'.' => self.chinese_mode = false,
                    b'!' => {
                        return if need(3) { Step::NeedMore } else { Step::Done(3) };
                    }
                    other => self.unknown.push(format!("1C {other:02X}")),
                }
                Step::Done(2)
            }
            b if b < 0x20 || b == 0x7F => Step::Done(1),
            b if b < 0x80 => {
                self.pending_text.push(b);
                Step::Done(1)
            }
            _ => {
                let len = self.multibyte_len(buf);
                if need(len) {
                    return Step::NeedMore;
                }
                self.pending_text.extend_from_slice(&buf[..len]);
                Step::Done(len)
            }
        }
    }

    /// Length of the character starting with a byte >= 0x80, in the current encoding.
    fn multibyte_len(&self, buf: &[u8]) -> usize {
        match self.profile.encoding {
            TextEncoding::Utf8 => match buf[0] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            },
            _ if !self.chinese_mode => 1,
            TextEncoding::Gb18030 if buf.len() >= 2 && (0x30..=0x39).contains(&buf[1]) => 4,
            _ => 2,
        }
    }

    fn step_esc(&mut self, pos: usize) -> Step {
        let Some(&cmd) = self.input.get(pos + 1) else {
            return Step::NeedMore;
        };
        let takes_arg = matches!(
            cmd,
            b'E' | b'G' | b'a' | b'!' | b'd' | b'J' | b'-' | b'3' | b't' | b'M' | b' ' | b'R' | b'{' | b'V'
        );
        let arg = self.input.get(pos + 2).copied();
        let n = match (takes_arg, arg) {
            (true, None) => return Step::NeedMore,
            (true, Some(n)) => n,
            (false, _) => 0,
        };
        match cmd {
            b'@' => {
                self.flush_text();
                self.reset_page_modes();
                self.chinese_mode = true;
            }
            b'E' | b'G' => {
                self.flush_text();
                self.bold = n & 1 == 1;
            }
            b'a' => {
                self.align = match n {
                    1 | b'1' => Alignment::Centre,
                    2 | b'2' => Alignment::Right,
                    _ => Alignment::Left,
                }
            }
            b'!' => {
                self.flush_text();
                self.bold = n & 0x08 != 0;
                self.height = if n & 0x10 != 0 { 2 } else { 1 };
                self.width = if n & 0x20 != 0 { 2 } else { 1 };
            }
            b'd' => {
                self.end_line_if_any();
                self.elements.push(PrintedElement::Feed { lines: n });
                self.count_lines(u32::from(n));
            }
            b'2' => {}
            _ if takes_arg => {}
            other => self.unknown.push(format!("1B {other:02X}")),
        }
        Step::Done(if takes_arg { 3 } else { 2 })
    }

    fn step_gs(&mut self, pos: usize, reply: &mut Vec<u8>) -> Step {
        let buf = &self.input[pos..];
        if buf.len() < 2 {
            return Step::NeedMore;
        }
        match buf[1] {
            b'!' => {
                if buf.len() < 3 {
                    return Step::NeedMore;
                }
                let n = buf[2];
                self.flush_text();
                self.width = (n >> 4) + 1;
                self.height = (n & 0x0F) + 1;
                Step::Done(3)
            }
            b'r' => {
                if buf.len() < 3 {
                    return Step::NeedMore;
                }
                reply.push(self.completion_byte());
                Step::Done(3)
            }
            b'V' => {
                if buf.len() < 3 {
                    return Step::NeedMore;
                }
                let m = buf[2];
                let len = if matches!(m, 65 | 66 | 97 | 98 | 103 | 104) { 4 } else { 3 };
                if buf.len() < len {
                    return Step::NeedMore;
                }
                let feed = if len == 4 { buf[3] } else { 0 };
                if feed > 0 {
                    self.end_line_if_any();
                    self.elements.push(PrintedElement::Feed { lines: feed });
                }
                self.cut(true);
                Step::Done(len)
            }
            b'v' => {
                if buf.len() < 8 {
                    return Step::NeedMore;
                }
                let x = usize::from(u16::from_le_bytes([buf[4], buf[5]]));
                let y = usize::from(u16::from_le_bytes([buf[6], buf[7]]));
                let total = 8 + x * y;
                if buf.len() < total {
                    return Step::NeedMore;
                }
                let bitmap = Bitmap::from_bits(x * 8, y, buf[8..total].to_vec()).expect("sizes match");
                self.end_line_if_any();
                let align = self.align;
                self.elements.push(PrintedElement::Image { bitmap, align });
                self.count_lines(y.div_ceil(30) as u32);
                Step::Done(total)
            }
            b'(' => {
                if buf.len() < 5 {
                    return Step::NeedMore;
                }
                let len = usize::from(u16::from_le_bytes([buf[3], buf[4]]));
                let total = 5 + len;
                if buf.len() < total {
                    return Step::NeedMore;
                }
                if buf[2] == b'k' && len >= 3 && buf[5] == 0x31 {
                    let args = &buf[5..total];
                    match args[1] {
                        0x43 => self.qr_module_size = args[2].clamp(1, 16),
                        0x50 => self.qr_data = args[3..].to_vec(),
                        0x51 => {
                            self.end_line_if_any();
                            let data = String::from_utf8_lossy(&self.qr_data).into_owned();
                            let (module_size, align) = (self.qr_module_size, self.align);
                            self.elements.push(PrintedElement::Qr { data, module_size, align });
                            self.count_lines(6);
                        }
                        _ => {}
                    }
                } else {
                    self.unknown.push(format!("1D 28 {:02X}", buf[2]));
                }
                Step::Done(total)
            }
            b'B' | b'h' | b'w' | b'H' | b'f' | b'L' | b'W' => {
                if buf.len() < 3 {
                    return Step::NeedMore;
                }
                Step::Done(3)
            }
            other => {
                self.unknown.push(format!("1D {other:02X}"));
                Step::Done(2)
            }
        }
    }

    /// Turns collected text bytes into a run with the current style.
    fn flush_text(&mut self) {
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

    fn end_line(&mut self) {
        self.flush_text();
        let runs = std::mem::take(&mut self.runs);
        self.elements.push(PrintedElement::Line { runs, align: self.align });
        self.count_lines(u32::from(self.height.max(1)));
    }

    fn end_line_if_any(&mut self) {
        if !self.pending_text.is_empty() || !self.runs.is_empty() {
            self.end_line();
        }
    }

    fn count_lines(&mut self, lines: u32) {
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

    fn cut(&mut self, cut: bool) {
        self.end_line_if_any();
        let receipt = PrintedReceipt {
            elements: std::mem::take(&mut self.elements),
            cut,
            unknown_commands: std::mem::take(&mut self.unknown),
        };
        self.receipts_done += 1;
        self.sink.receipt_done(receipt, &self.profile);
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
        if self.held() {
            self.answer_realtime_while_held(&mut reply);
        } else {
            self.process(&mut reply);
            if self.held() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::{Receipt, ReceiptEncoder};

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
}
