//! A simulated RDM6300 125 kHz reader: while a tag is in the field it sends the tag's frame about
//! every 100 ms, as the real module does.

use super::SimulatedDevice;
use crate::rfid::RfidTag;
use std::time::{Duration, Instant};

const REPEAT_EVERY: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct SimRfidReader {
    tag: Option<RfidTag>,
    last_sent: Option<Instant>,
    garble_next: bool,
}

impl SimulatedDevice for SimRfidReader {
    fn receive(&mut self, _bytes: &[u8], _now: Instant) -> Vec<u8> {
        // The module only talks; anything sent to it is ignored.
        Vec::new()
    }

    fn tick(&mut self, now: Instant) -> Vec<u8> {
        let Some(tag) = self.tag else {
            return Vec::new();
        };
        if self.last_sent.is_some_and(|at| now.saturating_duration_since(at) < REPEAT_EVERY) {
            return Vec::new();
        }
        self.last_sent = Some(now);
        let mut frame = tag.to_frame();
        if std::mem::take(&mut self.garble_next) {
            frame[5] = b'Z';
        }
        frame.to_vec()
    }

    fn control(&mut self, command: &str) -> Result<String, String> {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            ["place", hex] => {
                let tag = RfidTag::parse_hex(hex).ok_or_else(|| format!("{hex:?} is not ten hex digits"))?;
                self.tag = Some(tag);
                self.last_sent = None;
                Ok(format!("tag {} placed", tag.hex()))
            }
            ["remove"] => {
                self.tag = None;
                Ok("tag removed".into())
            }
            ["garble"] => {
                self.garble_next = true;
                Ok("next frame will be garbled".into())
            }
            _ => Err(format!("unknown RFID command {command:?}: use place HEX10, remove, garble, unplug, replug")),
        }
    }
}
