//! A simulated magnetic-stripe reader: a swipe control command makes it send both tracks and the
//! terminator, as a serial swipe reader does.

use super::SimulatedDevice;
use crate::magstripe::encode_swipe;
use std::time::Instant;

pub struct SimMagstripeReader {
    pending: Vec<u8>,
    terminator: u8,
}

impl Default for SimMagstripeReader {
    fn default() -> Self {
        Self { pending: Vec::new(), terminator: b'\r' }
    }
}

impl SimulatedDevice for SimMagstripeReader {
    fn receive(&mut self, _bytes: &[u8], _now: Instant) -> Vec<u8> {
        Vec::new()
    }

    fn tick(&mut self, _now: Instant) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    fn control(&mut self, command: &str) -> Result<String, String> {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            ["swipe", pan, name, yymm] => {
                let ok = pan.len() <= 19 && pan.bytes().all(|b| b.is_ascii_digit()) && yymm.len() == 4;
                let expiry = yymm.get(..2).and_then(|y| y.parse().ok()).zip(yymm.get(2..).and_then(|m| m.parse().ok()));
                let (Some(expiry), true) = (expiry, ok) else {
                    return Err("swipe needs a card number of up to 19 digits, a NAME and YYMM".into());
                };
                self.pending.extend(encode_swipe(pan, name, expiry, self.terminator));
                Ok("swiped".into())
            }
            ["swipe-raw", text] => {
                self.pending.extend_from_slice(text.as_bytes());
                self.pending.push(self.terminator);
                Ok("swiped".into())
            }
            _ => Err(format!(
                "unknown magstripe command {command:?}: use swipe PAN NAME YYMM, swipe-raw TEXT, unplug, replug"
            )),
        }
    }
}
