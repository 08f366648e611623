//! 125 kHz RFID readers of the RDM6300 kind: `02`, ten ASCII hex digits (version byte and four
//! tag bytes), two hex digits of XOR checksum, `03`, repeated while the card stays in the field.
//! The decoder is sans-IO; [`RfidPresence`] turns the repeats into placed / removed events.

use serde::Serialize;
use std::time::{Duration, Instant};

pub const FRAME_LEN: usize = 14;
const STX: u8 = 0x02;
const ETX: u8 = 0x03;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RfidTag(pub [u8; 5]);

impl RfidTag {
    /// The number printed on most community cards: the four tag bytes as a decimal.
    pub fn card_number(&self) -> u32 {
        u32::from_be_bytes([self.0[1], self.0[2], self.0[3], self.0[4]])
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02X}")).collect()
    }

    pub fn parse_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 10 {
            return None;
        }
        let mut tag = [0u8; 5];
        for (i, slot) in tag.iter_mut().enumerate() {
            *slot = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(tag))
    }

    /// The frame a reader sends for this tag.
    pub fn to_frame(&self) -> [u8; FRAME_LEN] {
        let mut frame = [0u8; FRAME_LEN];
        frame[0] = STX;
        let sum = self.0.iter().fold(0, |a, b| a ^ b);
        let digits = format!("{}{sum:02X}", self.hex());
        frame[1..13].copy_from_slice(digits.as_bytes());
        frame[13] = ETX;
        frame
    }
}

impl std::fmt::Debug for RfidTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RfidTag({})", self.hex())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RfidFrameError {
    #[error("RFID frame does not end with 03: noise on the line")]
    Framing,
    #[error("RFID frame holds a character that is not a hex digit: noise on the line")]
    NotHex,
    #[error("RFID frame checksum is {actual:02X}, expected {expected:02X}: the card was read badly, it is read again")]
    Checksum { expected: u8, actual: u8 },
}

#[derive(Debug, PartialEq, Eq)]
pub enum RfidDigest {
    Incomplete { discard: usize },
    Tag { tag: RfidTag, consumed: usize },
    Error { error: RfidFrameError, consumed: usize },
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|v| v as u8)
}

pub fn digest(buf: &[u8]) -> RfidDigest {
    let Some(start) = buf.iter().position(|&b| b == STX) else {
        return RfidDigest::Incomplete { discard: buf.len() };
    };
    let frame = &buf[start..];
    if frame.len() < FRAME_LEN {
        // A STX later in the partial frame means the earlier one was noise.
        if frame[1..].iter().any(|&b| !b.is_ascii_hexdigit()) {
            let skip = 1 + frame[1..].iter().position(|&b| !b.is_ascii_hexdigit()).unwrap_or(0);
            return RfidDigest::Error { error: RfidFrameError::NotHex, consumed: start + skip };
        }
        return RfidDigest::Incomplete { discard: start };
    }
    let mut bytes = [0u8; 6];
    for (i, slot) in bytes.iter_mut().enumerate() {
        let (Some(hi), Some(lo)) = (hex_value(frame[1 + 2 * i]), hex_value(frame[2 + 2 * i])) else {
            return RfidDigest::Error { error: RfidFrameError::NotHex, consumed: start + 1 };
        };
        *slot = hi << 4 | lo;
    }
    if frame[13] != ETX {
        return RfidDigest::Error { error: RfidFrameError::Framing, consumed: start + 1 };
    }
    let expected = bytes[..5].iter().fold(0, |a, b| a ^ b);
    if expected != bytes[5] {
        return RfidDigest::Error {
            error: RfidFrameError::Checksum { expected, actual: bytes[5] },
            consumed: start + FRAME_LEN,
        };
    }
    let tag = RfidTag(bytes[..5].try_into().expect("five bytes"));
    RfidDigest::Tag { tag, consumed: start + FRAME_LEN }
}

/// Buffers bytes and yields tags or frame errors.
#[derive(Debug, Default)]
pub struct RfidDecoder {
    buf: Vec<u8>,
}

impl RfidDecoder {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn next_tag(&mut self) -> Option<Result<RfidTag, RfidFrameError>> {
        match digest(&self.buf) {
            RfidDigest::Incomplete { discard } => {
                self.buf.drain(..discard);
                None
            }
            RfidDigest::Tag { tag, consumed } => {
                self.buf.drain(..consumed);
                Some(Ok(tag))
            }
            RfidDigest::Error { error, consumed } => {
                self.buf.drain(..consumed);
                Some(Err(error))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceEvent {
    Placed(RfidTag),
    Removed(RfidTag),
}

/// Turns repeated frames into one "placed" event, and their absence into "removed".
#[derive(Debug)]
pub struct RfidPresence {
    current: Option<(RfidTag, Instant)>,
    removal_after: Duration,
}

impl RfidPresence {
    /// `removal_after`: silence that means the card left (RDM6300 repeats about every 100 ms).
    pub fn new(removal_after: Duration) -> Self {
        Self { current: None, removal_after }
    }

    pub fn on_tag(&mut self, tag: RfidTag, now: Instant) -> Vec<PresenceEvent> {
        let mut events = Vec::new();
        match self.current {
            Some((current, _)) if current == tag => {}
            Some((current, _)) => {
                events.push(PresenceEvent::Removed(current));
                events.push(PresenceEvent::Placed(tag));
            }
            None => events.push(PresenceEvent::Placed(tag)),
        }
        self.current = Some((tag, now));
        events
    }

    pub fn on_tick(&mut self, now: Instant) -> Option<PresenceEvent> {
        let (tag, last) = self.current?;
        if now.saturating_duration_since(last) >= self.removal_after {
            self.current = None;
            return Some(PresenceEvent::Removed(tag));
        }
        None
    }

    pub fn current(&self) -> Option<RfidTag> {
        self.current.map(|(t, _)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: [u8; 14] = [0x02, 0x30, 0x34, 0x30, 0x30, 0x45, 0x37, 0x41, 0x31, 0x42, 0x33, 0x46, 0x31, 0x03];

    fn decode_all(input: &[u8], chunk: usize) -> Vec<Result<RfidTag, RfidFrameError>> {
        let mut d = RfidDecoder::default();
        let mut out = Vec::new();
        for c in input.chunks(chunk) {
            d.push(c);
            while let Some(r) = d.next_tag() {
                out.push(r);
            }
        }
        out
    }

    #[test]
    fn decodes_the_example_whole_and_byte_by_byte() {
        let tag = RfidTag([0x04, 0x00, 0xE7, 0xA1, 0xB3]);
        assert_eq!(tag.to_frame(), EXAMPLE);
        for chunk in [1, 3, 14] {
            assert_eq!(decode_all(&EXAMPLE, chunk), vec![Ok(tag)]);
        }
        assert_eq!(tag.card_number(), 0x00E7A1B3);
        assert_eq!(RfidTag::parse_hex("0400e7a1b3"), Some(tag));
    }

    #[test]
    fn resyncs_after_garbage_and_rejects_bad_frames() {
        let tag = RfidTag([0x04, 0x00, 0xE7, 0xA1, 0xB3]);
        let mut input = vec![0xFF, 0x02, 0x31, 0x02];
        input.extend_from_slice(&EXAMPLE);
        let results = decode_all(&input, 1);
        assert_eq!(results.last(), Some(&Ok(tag)));
        assert!(results[..results.len() - 1].iter().all(|r| r.is_err()));

        let mut bad_sum = EXAMPLE;
        bad_sum[12] = b'0';
        assert_eq!(decode_all(&bad_sum, 14), vec![Err(RfidFrameError::Checksum { expected: 0xF1, actual: 0xF0 })]);
        let mut bad_end = EXAMPLE;
        bad_end[13] = 0x04;
        let mut input = bad_end.to_vec();
        input.extend_from_slice(&EXAMPLE);
        assert_eq!(decode_all(&input, 28), vec![Err(RfidFrameError::Framing), Ok(tag)]);
        assert!(decode_all(&EXAMPLE[..10], 1).is_empty(), "truncated frame waits");
    }

    #[test]
    fn repeats_are_one_card_and_silence_is_removal() {
        let t0 = Instant::now();
        let tag = RfidTag([1, 2, 3, 4, 5]);
        let other = RfidTag([1, 2, 3, 4, 6]);
        let mut p = RfidPresence::new(Duration::from_millis(500));
        assert_eq!(p.on_tag(tag, t0), vec![PresenceEvent::Placed(tag)]);
        assert!(p.on_tag(tag, t0 + Duration::from_millis(100)).is_empty());
        assert_eq!(p.on_tick(t0 + Duration::from_millis(400)), None);
        assert_eq!(p.on_tick(t0 + Duration::from_millis(600)), Some(PresenceEvent::Removed(tag)));
        assert_eq!(p.on_tag(tag, t0 + Duration::from_millis(700)), vec![PresenceEvent::Placed(tag)]);
        assert_eq!(
            p.on_tag(other, t0 + Duration::from_millis(800)),
            vec![PresenceEvent::Removed(tag), PresenceEvent::Placed(other)]
        );
    }
}
