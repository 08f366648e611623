//! Magnetic-stripe readers on a serial line (ISO 7811/7813): a swipe arrives as track 1
//! `%B<PAN>^<NAME>^<YYMM><service>...?` and/or track 2 `;<PAN>=<YYMM><service>...?`, ended by a
//! configurable terminator (CR by default). The card number is shown masked only.

use serde::Serialize;

/// The longest swipe accepted: both tracks with their sentinels come to under 120 characters.
pub const MAX_SWIPE_LEN: usize = 256;

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct MagCard {
    #[serde(serialize_with = "serialize_masked")]
    pan: String,
    pub name: Option<String>,
    /// Expiry as (year within the century, month).
    pub expiry: Option<(u8, u8)>,
    pub service_code: Option<String>,
}

fn serialize_masked<S: serde::Serializer>(pan: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mask_pan(pan))
}

/// First four and last four digits of a card number.
pub fn mask_pan(pan: &str) -> String {
    if pan.len() <= 8 {
        return "*".repeat(pan.len());
    }
    format!("{}{}{}", &pan[..4], "*".repeat(pan.len() - 8), &pan[pan.len() - 4..])
}

impl MagCard {
    pub fn masked_pan(&self) -> String {
        mask_pan(&self.pan)
    }
    /// The full card number, to look the card up; never log or print it.
    pub fn reveal_pan(&self) -> &str {
        &self.pan
    }
}

impl std::fmt::Debug for MagCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MagCard").field("pan", &self.masked_pan()).field("expiry", &self.expiry).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwipeError {
    #[error("swipe is longer than {MAX_SWIPE_LEN} characters: check the reader's terminator setting")]
    TooLong,
    #[error("swipe holds no readable track: ask the resident to swipe again, steadily")]
    NoTrack,
    #[error("track {0} is malformed: ask the resident to swipe again")]
    Malformed(u8),
    #[error("tracks 1 and 2 carry different card numbers: the card is damaged")]
    Mismatch,
}

/// Collects bytes until the terminator, then parses the swipe.
#[derive(Debug)]
pub struct SwipeDecoder {
    buf: Vec<u8>,
    terminator: u8,
    overflowed: bool,
}

impl SwipeDecoder {
    pub fn new(terminator: u8) -> Self {
        Self { buf: Vec::new(), terminator, overflowed: false }
    }

    /// Feeds bytes; returns every swipe completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<MagCard, SwipeError>> {
        let mut swipes = Vec::new();
        for &b in bytes {
            if b == self.terminator {
                let result = if self.overflowed { Err(SwipeError::TooLong) } else { parse_swipe(&self.buf) };
                // An empty line (CR LF pairs, a stray terminator) is not a swipe.
                if self.overflowed || !self.buf.iter().all(|c| c.is_ascii_whitespace()) {
                    swipes.push(result);
                }
                self.buf.clear();
                self.overflowed = false;
            } else if self.buf.len() >= MAX_SWIPE_LEN {
                self.overflowed = true;
            } else {
                self.buf.push(b);
            }
        }
        swipes
    }
}

fn between(text: &str, start: char, end: char) -> Option<&str> {
    let from = text.find(start)? + 1;
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn parse_expiry(digits: &str) -> Option<(u8, u8)> {
    let yy: u8 = digits.get(0..2)?.parse().ok()?;
    let mm: u8 = digits.get(2..4)?.parse().ok()?;
    (1..=12).contains(&mm).then_some((yy, mm))
}

fn valid_pan(pan: &str) -> bool {
    (1..=19).contains(&pan.len()) && pan.bytes().all(|b| b.is_ascii_digit())
}

pub fn parse_swipe(raw: &[u8]) -> Result<MagCard, SwipeError> {
    let text = std::str::from_utf8(raw).map_err(|_| SwipeError::NoTrack)?;
    let track1 = between(text, '%', '?');
    let track2 = between(text, ';', '?');
    let mut card = MagCard { pan: String::new(), name: None, expiry: None, service_code: None };
    if let Some(t1) = track1 {
        let body = t1.strip_prefix('B').ok_or(SwipeError::Malformed(1))?;
        let mut parts = body.splitn(3, '^');
        let (Some(pan), Some(name), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SwipeError::Malformed(1));
        };
        if !valid_pan(pan) || name.len() > 26 {
            return Err(SwipeError::Malformed(1));
        }
        card.pan = pan.to_string();
        let name = name.trim();
        card.name = (!name.is_empty()).then(|| name.to_string());
        card.expiry = Some(parse_expiry(rest).ok_or(SwipeError::Malformed(1))?);
        card.service_code = rest.get(4..7).map(str::to_string);
    }
    if let Some(t2) = track2 {
        let (pan, rest) = t2.split_once('=').ok_or(SwipeError::Malformed(2))?;
        if !valid_pan(pan) {
            return Err(SwipeError::Malformed(2));
        }
        if !card.pan.is_empty() && card.pan != pan {
            return Err(SwipeError::Mismatch);
        }
        card.pan = pan.to_string();
        let expiry = parse_expiry(rest).ok_or(SwipeError::Malformed(2))?;
        card.expiry.get_or_insert(expiry);
        if card.service_code.is_none() {
            card.service_code = rest.get(4..7).map(str::to_string);
        }
    }
    if card.pan.is_empty() {
        return Err(SwipeError::NoTrack);
    }
    Ok(card)
}

/// The bytes a reader sends for a swipe of this card (both tracks), for the simulator and tests.
pub fn encode_swipe(pan: &str, name: &str, expiry: (u8, u8), terminator: u8) -> Vec<u8> {
    let (yy, mm) = expiry;
    let mut out = format!("%B{pan}^{name}^{yy:02}{mm:02}101?;{pan}={yy:02}{mm:02}101?").into_bytes();
    out.push(terminator);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swipes(input: &[u8], chunk: usize) -> Vec<Result<MagCard, SwipeError>> {
        let mut d = SwipeDecoder::new(b'\r');
        input.chunks(chunk).flat_map(|c| d.push(c)).collect()
    }

    #[test]
    fn decodes_both_tracks_in_any_chunking() {
        let raw = encode_swipe("6217000012345678", "ZHANG/WEI", (29, 8), b'\r');
        for chunk in [1, 5, raw.len()] {
            let cards = swipes(&raw, chunk);
            let card = cards[0].as_ref().unwrap();
            assert_eq!(card.masked_pan(), "6217********5678");
            assert_eq!(card.name.as_deref(), Some("ZHANG/WEI"));
            assert_eq!(card.expiry, Some((29, 8)));
            assert_eq!(card.service_code.as_deref(), Some("101"));
            assert!(!format!("{card:?}").contains("12345678"));
        }
    }

    #[test]
    fn track_two_alone_and_errors() {
        let card = parse_swipe(b";6217000012345678=2908101?").unwrap();
        assert_eq!(card.reveal_pan(), "6217000012345678");
        assert_eq!(card.name, None);
        assert_eq!(parse_swipe(b"garbage"), Err(SwipeError::NoTrack));
        assert_eq!(parse_swipe(b"%X123^A^2908?"), Err(SwipeError::Malformed(1)));
        assert_eq!(parse_swipe(b";12AB=2908?"), Err(SwipeError::Malformed(2)));
        assert_eq!(parse_swipe(b";6217=2913?"), Err(SwipeError::Malformed(2)));
        assert_eq!(parse_swipe(b"%B1111^A^2908101?;2222=2908101?"), Err(SwipeError::Mismatch));
        assert_eq!(parse_swipe(&[0xFF, 0xFE]), Err(SwipeError::NoTrack));
    }

    #[test]
    fn a_swipe_without_its_terminator_waits() {
        let raw = encode_swipe("6217000012345678", "ZHANG/WEI", (29, 8), b'\r');
        let mut d = SwipeDecoder::new(b'\r');
        assert!(d.push(&raw[..raw.len() - 1]).is_empty());
        assert_eq!(d.push(b"\r").len(), 1);
    }

    #[test]
    fn overlong_and_empty_lines() {
        let mut input = vec![b'x'; 1000];
        input.push(b'\r');
        input.extend_from_slice(b"\r\n\r");
        input.extend_from_slice(b";6217000012345678=2908101?\r");
        let results = swipes(&input, 7);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0], Err(SwipeError::TooLong));
        assert!(results[1].is_ok());
    }
}
