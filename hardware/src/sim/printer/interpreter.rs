//! The ESC/POS command interpreter: takes the commands at the front of the input buffer one at a
//! time, changing print modes, adding to the page, and answering status queries. A command cut
//! short by the end of the buffer waits for the rest of its bytes.

use super::{PrintedElement, SimPrinter};
use crate::escpos::raster::Bitmap;
use crate::escpos::receipt::Alignment;
use crate::escpos::text_encoding::TextEncoding;

/// Outcome of trying to parse one command at the front of the input.
enum Step {
    /// Used this many bytes.
    Done(usize),
    /// The command is not complete yet.
    NeedMore,
}

impl SimPrinter {
    /// While the printer cannot print, real-time commands are still answered as they arrive;
    /// they are taken out of the buffer, which can garble data they happened to sit in.
    pub(super) fn answer_realtime_while_held(&mut self, reply: &mut Vec<u8>) {
        let mut i = 0;
        while i + 2 < self.input.len() {
            if self.input[i] == 0x10 && matches!(self.input[i + 1], 0x04 | 0x05) {
                let (kind, n) = (self.input[i + 1], self.input[i + 2]);
                self.input.drain(i..i + 3);
                if kind == 0x04 {
                    reply.push(self.faults.status_byte(n));
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

    pub(super) fn process(&mut self, reply: &mut Vec<u8>) {
        let mut pos = 0;
        while pos < self.input.len() && !self.faults.held() {
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
                    0x04 => reply.push(self.faults.status_byte(buf[2])),
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
                reply.push(self.faults.completion_byte());
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
}
