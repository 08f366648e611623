//! A simulated serial QR/barcode scanner: `scan TEXT` sends one code, `hold TEXT` keeps a code in
//! view (sent again every 200 ms, as a module in continuous mode does) until `away`; each code is
//! ended by CR LF unless `ending cr|lf|crlf` says otherwise; `garble` sends bytes that are not text.

use super::SimulatedDevice;
use std::time::{Duration, Instant};

const REPEAT_EVERY: Duration = Duration::from_millis(200);

pub struct SimScanner {
    queued: Vec<u8>,
    held: Option<String>,
    last_sent: Option<Instant>,
    ending: &'static [u8],
}

impl Default for SimScanner {
    fn default() -> Self {
        Self { queued: Vec::new(), held: None, last_sent: None, ending: b"\r\n" }
    }
}

impl SimScanner {
    fn line(&self, text: &str) -> Vec<u8> {
        [text.as_bytes(), self.ending].concat()
    }
}

impl SimulatedDevice for SimScanner {
    fn receive(&mut self, _bytes: &[u8], _now: Instant) -> Vec<u8> {
        // A scanner in its default mode only talks.
        Vec::new()
    }

    fn tick(&mut self, now: Instant) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.queued);
        if let Some(text) = &self.held
            && self.last_sent.is_none_or(|at| now.saturating_duration_since(at) >= REPEAT_EVERY)
        {
            self.last_sent = Some(now);
            out.extend(self.line(text));
        }
        out
    }

    fn control(&mut self, command: &str) -> Result<String, String> {
        let (verb, rest) = command.trim().split_once(' ').unwrap_or((command.trim(), ""));
        match (verb, rest) {
            ("scan", text) if !text.is_empty() => {
                self.queued.extend(self.line(text));
                Ok(format!("scanned {} characters", text.chars().count()))
            }
            ("hold", text) if !text.is_empty() => {
                self.held = Some(text.to_string());
                self.last_sent = None;
                Ok("code held in view".into())
            }
            ("away", "") => {
                self.held = None;
                Ok("nothing in view".into())
            }
            ("garble", "") => {
                self.queued.extend_from_slice(b"\xB8\xC3\xFF\r\n");
                Ok("sent bytes that are not text".into())
            }
            ("ending", which) => {
                self.ending = match which {
                    "cr" => b"\r",
                    "lf" => b"\n",
                    "crlf" => b"\r\n",
                    other => return Err(format!("unknown line ending {other:?}: use cr, lf or crlf")),
                };
                Ok(format!("codes end with {which}"))
            }
            _ => Err(format!(
                "unknown scanner command {command:?}: use scan TEXT, hold TEXT, away, garble, ending cr|lf|crlf, unplug, replug"
            )),
        }
    }
}
