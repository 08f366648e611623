//! ESC/POS command bytes exactly as docs/DEVICES.md lists them; each function returns the bytes of one
//! command and nothing else, so that byte-level tests can compare them one by one.

use super::receipt::{Alignment, QrErrorCorrection};
use serde::Deserialize;

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const FS: u8 = 0x1C;
pub const DLE: u8 = 0x10;
pub const LF: u8 = 0x0A;

/// ESC @: reset the printer's modes (not its buffer).
pub const INITIALIZE: [u8; 2] = [ESC, b'@'];
/// FS &: bytes >= 0x80 are double-byte Chinese characters from here on.
pub const CHINESE_MODE_ON: [u8; 2] = [FS, b'&'];
/// FS .: back to single-byte characters.
pub const CHINESE_MODE_OFF: [u8; 2] = [FS, b'.'];
/// GS r 1: answered only once everything sent before it has been processed.
pub const TRANSMIT_PAPER_STATUS: [u8; 3] = [GS, b'r', 0x01];
/// GS ( k: select QR model 2.
pub const QR_MODEL_2: [u8; 9] = [GS, b'(', b'k', 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
/// GS ( k: print the stored QR symbol.
pub const QR_PRINT: [u8; 8] = [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x51, 0x30];

/// Largest payload the QR store command can carry (pL, pH hold len + 3).
pub const QR_MAX_DATA: usize = 7089;

pub fn bold(on: bool) -> [u8; 3] {
    [ESC, b'E', u8::from(on)]
}

pub fn align(alignment: Alignment) -> [u8; 3] {
    let n = match alignment {
        Alignment::Left => 0,
        Alignment::Centre => 1,
        Alignment::Right => 2,
    };
    [ESC, b'a', n]
}

/// GS !: `width` and `height` are magnifications 1..=8.
pub fn character_size(width: u8, height: u8) -> [u8; 3] {
    let w = width.clamp(1, 8) - 1;
    let h = height.clamp(1, 8) - 1;
    [GS, b'!', (w << 4) | h]
}

pub fn feed_lines(n: u8) -> [u8; 3] {
    [ESC, b'd', n]
}

pub fn qr_module_size(n: u8) -> [u8; 8] {
    [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x43, n.clamp(1, 16)]
}

pub fn qr_error_correction(level: QrErrorCorrection) -> [u8; 8] {
    let n = match level {
        QrErrorCorrection::L => 0x30,
        QrErrorCorrection::M => 0x31,
        QrErrorCorrection::Q => 0x32,
        QrErrorCorrection::H => 0x33,
    };
    [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x45, n]
}

/// GS ( k store: the caller keeps `data` within [`QR_MAX_DATA`].
pub fn qr_store(data: &[u8], out: &mut Vec<u8>) {
    let len = data.len() + 3;
    out.extend_from_slice(&[GS, b'(', b'k', (len & 0xFF) as u8, (len >> 8) as u8, 0x31, 0x50, 0x30]);
    out.extend_from_slice(data);
}

/// GS v 0 raster image, normal density: `bytes_per_row` x `rows`, MSB leftmost, 1 = black.
pub fn raster_image(bytes_per_row: u16, rows: u16, bits: &[u8], out: &mut Vec<u8>) {
    let [xl, xh] = bytes_per_row.to_le_bytes();
    let [yl, yh] = rows.to_le_bytes();
    out.extend_from_slice(&[GS, b'v', b'0', 0x00, xl, xh, yl, yh]);
    out.extend_from_slice(bits);
}

/// The cut command a printer model understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutCommand {
    /// GS V 65 n: feed n lines then cut fully.
    FeedAndFull,
    /// GS V 66 n: feed n lines then cut partially.
    FeedAndPartial,
    /// GS V 0.
    Full,
    /// GS V 1 (some 58 mm clones only cut partially).
    Partial,
}

pub fn cut(command: CutCommand, feed: u8) -> Vec<u8> {
    match command {
        CutCommand::FeedAndFull => vec![GS, b'V', 0x41, feed],
        CutCommand::FeedAndPartial => vec![GS, b'V', 0x42, feed],
        CutCommand::Full => vec![GS, b'V', 0x00],
        CutCommand::Partial => vec![GS, b'V', 0x01],
    }
}

/// DLE EOT n: real-time status, answered by one byte even while the printer is busy or offline.
pub fn realtime_status(n: u8) -> [u8; 3] {
    [DLE, 0x04, n]
}

/// DLE ENQ: recover from an error; `clear_buffers` also throws away what was not printed.
pub fn recover(clear_buffers: bool) -> [u8; 3] {
    [DLE, 0x05, if clear_buffers { 0x02 } else { 0x01 }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(actual: &[u8], expected_hex: &str) {
        let expected: Vec<u8> = expected_hex.split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        assert_eq!(actual, expected.as_slice(), "expected {expected_hex}");
    }

    #[test]
    fn every_command_matches_devices_md() {
        check(&INITIALIZE, "1B 40");
        check(&bold(true), "1B 45 01");
        check(&bold(false), "1B 45 00");
        check(&align(Alignment::Left), "1B 61 00");
        check(&align(Alignment::Centre), "1B 61 01");
        check(&align(Alignment::Right), "1B 61 02");
        check(&character_size(2, 2), "1D 21 11");
        check(&character_size(1, 1), "1D 21 00");
        check(&character_size(1, 2), "1D 21 01");
        check(&character_size(3, 1), "1D 21 20");
        check(&feed_lines(4), "1B 64 04");
        check(&CHINESE_MODE_ON, "1C 26");
        check(&CHINESE_MODE_OFF, "1C 2E");
        check(&QR_MODEL_2, "1D 28 6B 04 00 31 41 32 00");
        check(&qr_module_size(6), "1D 28 6B 03 00 31 43 06");
        check(&qr_module_size(40), "1D 28 6B 03 00 31 43 10");
        check(&qr_error_correction(QrErrorCorrection::L), "1D 28 6B 03 00 31 45 30");
        check(&qr_error_correction(QrErrorCorrection::M), "1D 28 6B 03 00 31 45 31");
        check(&qr_error_correction(QrErrorCorrection::Q), "1D 28 6B 03 00 31 45 32");
        check(&qr_error_correction(QrErrorCorrection::H), "1D 28 6B 03 00 31 45 33");
        check(&QR_PRINT, "1D 28 6B 03 00 31 51 30");
        check(&cut(CutCommand::FeedAndFull, 3), "1D 56 41 03");
        check(&cut(CutCommand::FeedAndPartial, 3), "1D 56 42 03");
        check(&cut(CutCommand::Full, 3), "1D 56 00");
        check(&cut(CutCommand::Partial, 3), "1D 56 01");
        for n in 1..=4 {
            check(&realtime_status(n), &format!("10 04 0{n}"));
        }
        check(&recover(false), "10 05 01");
        check(&recover(true), "10 05 02");
        check(&TRANSMIT_PAPER_STATUS, "1D 72 01");
    }

    #[test]
    fn qr_store_length_counts_data_plus_three() {
        let mut out = Vec::new();
        qr_store(b"abc", &mut out);
        check(&out, "1D 28 6B 06 00 31 50 30 61 62 63");
        let long = vec![b'x'; 300];
        let mut out = Vec::new();
        qr_store(&long, &mut out);
        assert_eq!(&out[3..5], &[0x2F, 0x01]); // 303 = 0x012F
        assert_eq!(out.len(), 8 + 300);
    }

    #[test]
    fn raster_header_is_little_endian() {
        let mut out = Vec::new();
        raster_image(48, 300, &[0xAA; 4], &mut out);
        check(&out[..8], "1D 76 30 00 30 00 2C 01");
        assert_eq!(out.len(), 12);
    }
}
