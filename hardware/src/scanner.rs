//! Serial QR and barcode scanners: the common modules send each decoded code as text ended by CR,
//! LF or CR LF, at 9600 or 115200 baud, and in continuous mode send the same code again while it
//! stays in view. `ScanDecoder` turns bytes into codes (sans-IO); `ScannerDriver` owns the port
//! and drops repeats of a code still in view.

use crate::serial_link::{LinkError, LinkOpener, ReconnectingLink};
use std::time::{Duration, Instant};

/// The longest code accepted: a receipt's or a bill's code is under 100 characters, and a QR code
/// holds at most about 3 KB; longer means a scanner whose line ending is set wrong.
pub const MAX_CODE_LEN: usize = 2048;
/// A code seen again within this long of its last sighting is the same code still in view.
pub const REPEAT_WINDOW: Duration = Duration::from_millis(1500);
/// The rates the common modules ship with.
pub const COMMON_BAUDS: [u32; 2] = [9600, 115_200];

/// One decoded code's text. It may be a bill's account or a receipt's tracking number: Debug
/// shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct ScannedCode(String);

impl ScannedCode {
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ScannedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScannedCode({} chars)", self.0.chars().count())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error(
        "the scanner sent more than {MAX_CODE_LEN} bytes without a line end: set it to end each code with CR or LF"
    )]
    TooLong,
    #[error("the scanner sent bytes that are not UTF-8 text: set its output to UTF-8 (not GBK), or scan again")]
    NotText,
}

/// Collects bytes into lines; a line is a code.
#[derive(Debug, Default)]
pub struct ScanDecoder {
    line: Vec<u8>,
    overflowed: bool,
}

impl ScanDecoder {
    /// Feeds bytes; returns every code their line ends complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<ScannedCode, ScanError>> {
        let mut codes = Vec::new();
        for &byte in bytes {
            if byte == b'\r' || byte == b'\n' {
                // CR LF, and blank lines, end nothing new.
                if self.overflowed {
                    codes.push(Err(ScanError::TooLong));
                } else {
                    match parse_code(&self.line) {
                        // A line of only spaces or control bytes is no code.
                        Ok(code) if code.0.is_empty() => {}
                        code => codes.push(code),
                    }
                }
                self.line.clear();
                self.overflowed = false;
            } else if self.line.len() >= MAX_CODE_LEN {
                self.overflowed = true;
            } else {
                self.line.push(byte);
            }
        }
        codes
    }
}

/// A line's text: UTF-8 without control characters, trimmed (empty for a blank line).
pub fn parse_code(line: &[u8]) -> Result<ScannedCode, ScanError> {
    let text = std::str::from_utf8(line).map_err(|_| ScanError::NotText)?;
    // Some modules end with TAB or prefix a code with a control byte; a code itself has none.
    let text = text.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if text.chars().any(char::is_control) {
        return Err(ScanError::NotText);
    }
    Ok(ScannedCode(text.to_string()))
}

#[derive(Debug)]
pub enum ScannerEvent {
    Scanned(ScannedCode),
    /// What came could not be a code; the message says what to do.
    Garbled(String),
}

/// Owns the scanner's port: poll it for codes. A code still in view (repeated within
/// [`REPEAT_WINDOW`]) is reported once.
pub struct ScannerDriver<O: LinkOpener> {
    link: ReconnectingLink<O>,
    decoder: ScanDecoder,
    last: Option<(ScannedCode, Instant)>,
}

impl<O: LinkOpener> ScannerDriver<O> {
    pub fn new(opener: O) -> Self {
        Self { link: ReconnectingLink::new(opener), decoder: ScanDecoder::default(), last: None }
    }

    pub fn port_name(&self) -> String {
        self.link.port_name()
    }

    /// Reads what has come; a scanner that is gone is an error (the link reconnects by itself).
    pub fn poll(&mut self, now: Instant) -> Result<Vec<ScannerEvent>, LinkError> {
        let mut buf = [0u8; 512];
        let n = match self.link.read_some(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                // Half a line from before a pulled cable is no start of the next code.
                self.decoder = ScanDecoder::default();
                self.last = None;
                return Err(e);
            }
        };
        let mut events = Vec::new();
        for code in self.decoder.push(&buf[..n]) {
            match code {
                Ok(code) => {
                    let repeat = self
                        .last
                        .as_ref()
                        .is_some_and(|(last, at)| *last == code && now.duration_since(*at) < REPEAT_WINDOW);
                    self.last = Some((code.clone(), now));
                    if !repeat {
                        events.push(ScannerEvent::Scanned(code));
                    }
                }
                Err(e) => events.push(ScannerEvent::Garbled(e.to_string())),
            }
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(results: Vec<Result<ScannedCode, ScanError>>) -> Vec<Result<String, ScanError>> {
        results.into_iter().map(|r| r.map(|c| c.text().to_string())).collect()
    }

    #[test]
    fn every_line_ending_ends_a_code_once() {
        let mut d = ScanDecoder::default();
        assert_eq!(
            texts(d.push(b"CW1:R-20261126-0001\r\n6901234567892\rABC\n\r\n")),
            vec![Ok("CW1:R-20261126-0001".into()), Ok("6901234567892".into()), Ok("ABC".into())]
        );
        // A code split across reads, in UTF-8 with Chinese text.
        assert!(d.push("缴费户号".as_bytes()[..5].as_ref()).is_empty());
        assert_eq!(texts(d.push(&"缴费户号 123\r".as_bytes()[5..])), vec![Ok("缴费户号 123".into())]);
    }

    #[test]
    fn garbage_is_an_error_and_the_next_code_still_reads() {
        let mut d = ScanDecoder::default();
        assert_eq!(texts(d.push(b"\xB8\xC3\r")), vec![Err(ScanError::NotText)]);
        assert_eq!(texts(d.push(b"A\x07B\r")), vec![Err(ScanError::NotText)]);
        assert_eq!(texts(d.push(b"\x02OK\t\r")), vec![Ok("OK".into())]);
        let mut long = vec![b'7'; MAX_CODE_LEN + 10];
        long.extend_from_slice(b"\r12\r");
        assert_eq!(texts(d.push(&long)), vec![Err(ScanError::TooLong), Ok("12".into())]);
    }

    #[test]
    fn random_bytes_in_random_chunks_never_break_the_limits() {
        // A deterministic xorshift stream, with line ends and high bytes common.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut d = ScanDecoder::default();
        for _ in 0..20_000 {
            let len = (next() % 64) as usize;
            let chunk: Vec<u8> = (0..len)
                .map(|_| match next() % 10 {
                    0 => b'\r',
                    1 => b'\n',
                    _ => (next() % 256) as u8,
                })
                .collect();
            for code in d.push(&chunk).into_iter().flatten() {
                assert!(!code.text().is_empty() && code.text().len() <= MAX_CODE_LEN);
                assert!(!code.text().chars().any(char::is_control));
            }
            assert!(d.line.len() <= MAX_CODE_LEN);
        }
    }

    #[test]
    fn debug_shows_only_the_length() {
        let code = parse_code(b"ACCOUNT 4401-2233").unwrap();
        assert_eq!(format!("{code:?}"), "ScannedCode(17 chars)");
    }
}
