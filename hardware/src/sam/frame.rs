//! GA 467 frames: `AA AA AA 96 69`, a big-endian length that counts every byte after itself, the
//! payload, and an XOR checksum over the length and payload. The decoder is sans-IO: it takes
//! whatever bytes arrived, skips garbage to the next preamble, and never panics.

pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];
/// Header bytes before the payload: preamble and the two length bytes.
pub const HEADER_LEN: usize = PREAMBLE.len() + 2;
/// The longest frame body accepted (a read with fingerprint is about 2.3 KB).
pub const MAX_BODY_LEN: usize = 4096;

/// Host → reader commands.
pub mod command {
    pub const FIND_CARD: (u8, u8) = (0x20, 0x01);
    pub const SELECT_CARD: (u8, u8) = (0x20, 0x02);
    pub const READ_TEXT_AND_PHOTO: (u8, u8) = (0x30, 0x01);
    pub const READ_WITH_FINGERPRINT: (u8, u8) = (0x30, 0x10);
    pub const SAM_STATUS: (u8, u8) = (0x11, 0xFF);
    pub const SAM_ID: (u8, u8) = (0x12, 0xFF);
    pub const RESET_SAM: (u8, u8) = (0x10, 0xFF);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SamFrameError {
    #[error("frame length {0} is outside 2..={MAX_BODY_LEN}: the reader or the cable is sending noise")]
    BadLength(usize),
    #[error("frame checksum is {actual:#04x}, expected {expected:#04x}: noise on the line, the command is retried")]
    BadChecksum { expected: u8, actual: u8 },
}

/// What [`digest`] found at the start of the buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Digest<'a> {
    /// No complete frame yet; the first `discard` bytes are garbage that can be dropped.
    Incomplete { discard: usize },
    /// A frame whose payload (without length and checksum) is given; `consumed` bytes are used up.
    Frame { payload: &'a [u8], consumed: usize },
    /// A damaged frame; `consumed` bytes should be dropped before trying again.
    Error { error: SamFrameError, consumed: usize },
}

fn find_preamble(buf: &[u8]) -> Option<usize> {
    // A partial preamble at the very end is kept: it may complete with the next read.
    let mut i = 0;
    while i < buf.len() {
        let offset = buf[i..].iter().position(|&b| b == 0xAA)?;
        let start = i + offset;
        let available = (buf.len() - start).min(PREAMBLE.len());
        if buf[start..start + available] == PREAMBLE[..available] {
            return Some(start);
        }
        i = start + 1;
    }
    None
}

/// Looks for one frame at the start of `buf`.
pub fn digest(buf: &[u8]) -> Digest<'_> {
    let Some(start) = find_preamble(buf) else {
        return Digest::Incomplete { discard: buf.len() };
    };
    let frame = &buf[start..];
    if frame.len() < HEADER_LEN {
        return Digest::Incomplete { discard: start };
    }
    let body_len = usize::from(u16::from_be_bytes([frame[5], frame[6]]));
    if !(2..=MAX_BODY_LEN).contains(&body_len) {
        return Digest::Error { error: SamFrameError::BadLength(body_len), consumed: start + 1 };
    }
    let total = HEADER_LEN + body_len;
    if frame.len() < total {
        return Digest::Incomplete { discard: start };
    }
    let expected = checksum(&frame[5..total - 1]);
    let actual = frame[total - 1];
    if expected != actual {
        return Digest::Error { error: SamFrameError::BadChecksum { expected, actual }, consumed: start + 1 };
    }
    Digest::Frame { payload: &frame[HEADER_LEN..total - 1], consumed: start + total }
}

/// XOR of every byte given.
pub fn checksum(bytes: &[u8]) -> u8 {
    // XOR eight bytes at a time: the decoder's throughput is dominated by this loop.
    let mut chunks = bytes.chunks_exact(8);
    let mut wide = 0u64;
    for chunk in &mut chunks {
        wide ^= u64::from_ne_bytes(chunk.try_into().expect("chunk of 8"));
    }
    let mut x = wide.to_ne_bytes().iter().fold(0u8, |a, b| a ^ b);
    for b in chunks.remainder() {
        x ^= b;
    }
    x
}

/// Frames `payload` (command and parameter, or status words, then data).
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    let body_len = payload.len() + 1;
    out.extend_from_slice(&PREAMBLE);
    let start = out.len();
    out.extend_from_slice(&(body_len as u16).to_be_bytes());
    out.extend_from_slice(payload);
    let sum = checksum(&out[start..]);
    out.push(sum);
}

pub fn encode_command(cmd: (u8, u8), data: &[u8]) -> Vec<u8> {
    let mut payload = vec![cmd.0, cmd.1];
    payload.extend_from_slice(data);
    let mut out = Vec::with_capacity(payload.len() + HEADER_LEN + 1);
    encode(&payload, &mut out);
    out
}

/// Keeps the bytes that arrived and hands out whole frames as owned payloads.
#[derive(Debug, Default)]
pub struct SamFrameDecoder {
    buf: Vec<u8>,
}

impl SamFrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        // A reader never sends more than a few frames ahead; anything beyond is noise.
        if self.buf.len() > 4 * (MAX_BODY_LEN + HEADER_LEN) {
            let excess = self.buf.len() - 2 * (MAX_BODY_LEN + HEADER_LEN);
            self.buf.drain(..excess);
        }
    }

    /// The next frame or error, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, SamFrameError>> {
        let (result, used) = match digest(&self.buf) {
            Digest::Incomplete { discard } => (None, discard),
            Digest::Frame { payload, consumed } => (Some(Ok(payload.to_vec())), consumed),
            Digest::Error { error, consumed } => (Some(Err(error)), consumed),
        };
        self.buf.drain(..used);
        result
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }

    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect()
    }

    #[test]
    fn find_card_command_matches_devices_md() {
        assert_eq!(encode_command(command::FIND_CARD, &[]), hex("AA AA AA 96 69 00 03 20 01 22"));
    }

    #[test]
    fn decodes_the_examples_whole() {
        let ok = hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97");
        assert_eq!(digest(&ok), Digest::Frame { payload: &ok[7..14], consumed: ok.len() });
        let failed = hex("AA AA AA 96 69 00 04 00 00 80 84");
        assert_eq!(digest(&failed), Digest::Frame { payload: &[0, 0, 0x80], consumed: failed.len() });
    }

    #[test]
    fn decodes_byte_by_byte_and_after_garbage() {
        let frame = hex("AA AA AA 96 69 00 04 00 00 80 84");
        let mut input = vec![0x00, 0xAA, 0x13, 0xAA, 0xAA];
        input.extend_from_slice(&frame);
        input.extend_from_slice(&frame);
        let mut decoder = SamFrameDecoder::new();
        let mut frames = Vec::new();
        for b in &input {
            decoder.push(&[*b]);
            while let Some(f) = decoder.next_frame() {
                frames.push(f);
            }
        }
        assert_eq!(frames, vec![Ok(vec![0, 0, 0x80]), Ok(vec![0, 0, 0x80])]);
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn corrupt_and_truncated_frames_are_typed_errors_then_resync() {
        let good = hex("AA AA AA 96 69 00 04 00 00 80 84");
        let mut bad_sum = good.clone();
        bad_sum[10] ^= 0xFF;
        let mut bad_len = good.clone();
        bad_len[5] = 0xFF;
        for (bad, expected) in [
            (bad_sum, SamFrameError::BadChecksum { expected: 0x84, actual: 0x7B }),
            (bad_len, SamFrameError::BadLength(0xFF04)),
        ] {
            let mut decoder = SamFrameDecoder::new();
            decoder.push(&bad);
            decoder.push(&good);
            assert_eq!(decoder.next_frame(), Some(Err(expected)));
            assert_eq!(decoder.next_frame(), Some(Ok(vec![0, 0, 0x80])));
            assert_eq!(decoder.next_frame(), None);
        }
        let mut decoder = SamFrameDecoder::new();
        decoder.push(&good[..9]);
        assert_eq!(decoder.next_frame(), None, "truncated frame waits for more");
        decoder.push(&good[9..]);
        assert_eq!(decoder.next_frame(), Some(Ok(vec![0, 0, 0x80])));
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut decoder = SamFrameDecoder::new();
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let b = [0xAA, 0x96, 0x69, 0x00, (seed >> 8) as u8][(seed % 5) as usize];
            decoder.push(&[b]);
            while decoder.next_frame().is_some() {}
        }
    }

    #[test]
    fn wide_checksum_equals_bytewise_xor() {
        let data: Vec<u8> = (0..1293u32).map(|i| (i * 31 % 251) as u8).collect();
        for len in [0, 1, 7, 8, 9, 100, 1293] {
            let slow = data[..len].iter().fold(0, |a, b| a ^ b);
            assert_eq!(checksum(&data[..len]), slow);
        }
    }
}
