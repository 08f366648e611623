//! Text encodings that Chinese receipt printers take (GB18030 by default, GBK or UTF-8 per model),
//! and which characters a printer's built-in font can show at all.

use encoding_rs::{Encoding, GB18030, GBK};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Gb18030,
    Gbk,
    Utf8,
}

impl TextEncoding {
    /// Encodes `text`, or names the first character this encoding cannot carry. Control
    /// characters become spaces: text from anywhere can never inject printer commands.
    pub fn encode(self, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
        if self != TextEncoding::Utf8 && encode_common_gb(text, out) {
            return Ok(());
        }
        let text = &*crate::escpos::layout::sanitize(text);
        match self {
            TextEncoding::Utf8 => {
                out.extend_from_slice(text.as_bytes());
                Ok(())
            }
            TextEncoding::Gb18030 => encode_with(GB18030, text, out),
            TextEncoding::Gbk => encode_with(GBK, text, out),
        }
    }

    pub fn can_encode(self, ch: char) -> bool {
        let mut buf = [0u8; 4];
        self.encode(ch.encode_utf8(&mut buf), &mut Vec::with_capacity(4)).is_ok()
    }

    /// Decodes printer bytes back to text; malformed bytes become U+FFFD (used by the simulator).
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            TextEncoding::Gb18030 => GB18030.decode_without_bom_handling(bytes).0.into_owned(),
            TextEncoding::Gbk => GBK.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }
}

/// Ranges that receipts are made of: Latin-1 signs (· ×), general punctuation (— “ ”), CJK
/// punctuation through the unified ideographs, and full-width forms. Where GBK has a two-byte
/// code for one of them, GB18030 has the same.
// The ideographs come first: most lookups end at the first range.
const COMMON_RANGES: [(u32, u32); 4] = [(0x3000, 0xA000), (0xFF00, 0xFFF0), (0x00A0, 0x0100), (0x2000, 0x2070)];

/// Two-byte GB codes for [`COMMON_RANGES`], 0 where a character has none; built once from
/// encoding_rs, so that encoding a receipt is a table lookup per character.
fn common_gb_table() -> &'static [u16] {
    static TABLE: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Vec::new();
        let mut buf = [0u8; 8];
        for (start, end) in COMMON_RANGES {
            for cp in start..end {
                let code = char::from_u32(cp).map_or(0, |ch| {
                    let mut utf8 = [0u8; 4];
                    let mut encoder = GBK.new_encoder();
                    let (result, _, written) =
                        encoder.encode_from_utf8_without_replacement(ch.encode_utf8(&mut utf8), &mut buf, true);
                    match (result, written) {
                        (encoding_rs::EncoderResult::InputEmpty, 2) => u16::from_be_bytes([buf[0], buf[1]]),
                        _ => 0,
                    }
                });
                table.push(code);
            }
        }
        table
    })
}

fn common_gb_code(table: &[u16], ch: char) -> Option<u16> {
    let cp = u32::from(ch);
    let mut offset = 0;
    for (start, end) in COMMON_RANGES {
        if (start..end).contains(&cp) {
            let code = table[(offset + cp - start) as usize];
            return (code != 0).then_some(code);
        }
        offset += end - start;
    }
    None
}

/// ASCII with control characters replaced by spaces.
fn push_ascii_sanitized(text: &str, out: &mut Vec<u8>) {
    out.extend(text.bytes().map(|b| if b < 0x20 || b == 0x7F { b' ' } else { b }));
}

/// Encodes `text` if every character is ASCII or in the common table; otherwise leaves `out`
/// untouched and returns false so that the caller takes the general encoder.
fn encode_common_gb(text: &str, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let table = common_gb_table();
    out.reserve(text.len());
    for ch in text.chars() {
        if ch.is_ascii_control() {
            out.push(b' ');
        } else if ch.is_ascii() {
            out.push(ch as u8);
        } else if let Some(code) = common_gb_code(table, ch) {
            out.extend_from_slice(&code.to_be_bytes());
        } else {
            out.truncate(start);
            return false;
        }
    }
    true
}

fn encode_with(encoding: &'static Encoding, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
    if text.is_ascii() {
        push_ascii_sanitized(text, out);
        return Ok(());
    }
    let mut encoder = encoding.new_encoder();
    let needed = encoder.max_buffer_length_from_utf8_without_replacement(text.len()).unwrap_or(text.len() * 4);
    let start = out.len();
    out.resize(start + needed, 0);
    let (result, _read, written) = encoder.encode_from_utf8_without_replacement(text, &mut out[start..], true);
    out.truncate(start + written);
    match result {
        encoding_rs::EncoderResult::InputEmpty => Ok(()),
        encoding_rs::EncoderResult::Unmappable(ch) => {
            out.truncate(start);
            Err(ch)
        }
        encoding_rs::EncoderResult::OutputFull => {
            out.truncate(start);
            Err('\u{FFFD}')
        }
    }
}

/// Which characters the printer's built-in font has glyphs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FontCoverage {
    /// Everything the encoding can carry.
    Encoding,
    /// Only what GBK holds (most GB18030 printers): rarer characters go out as raster images.
    Gbk,
    /// Only printable ASCII.
    Ascii,
}

impl FontCoverage {
    /// Encodes `text` if the font has every glyph, or names the first character it lacks (and
    /// leaves `out` as it was). One pass over the text in the common case.
    pub fn encode_printable(self, encoding: TextEncoding, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
        let first_missing =
            || text.chars().find(|&c| !c.is_control() && !self.has_glyph(encoding, c)).unwrap_or('\u{FFFD}');
        if text.is_ascii() {
            push_ascii_sanitized(text, out);
            return Ok(());
        }
        let start = out.len();
        let lacks_some = match (self, encoding) {
            (FontCoverage::Ascii, _) => true,
            (FontCoverage::Gbk, TextEncoding::Utf8) => !text.chars().all(|c| self.has_glyph(encoding, c)),
            // The common table holds only GBK characters: taking it means nothing is missing.
            (FontCoverage::Gbk, TextEncoding::Gb18030) if encode_common_gb(text, out) => {
                return Ok(());
            }
            (FontCoverage::Gbk, TextEncoding::Gb18030) => {
                encoding.encode(text, out)?;
                let four_byte = has_four_byte_sequence(&out[start..]);
                if !four_byte {
                    return Ok(());
                }
                true
            }
            (FontCoverage::Encoding, _) | (FontCoverage::Gbk, TextEncoding::Gbk) => false,
        };
        if lacks_some {
            out.truncate(start);
            return Err(first_missing());
        }
        encoding.encode(text, out)?;
        Ok(())
    }

    pub fn has_glyph(self, encoding: TextEncoding, ch: char) -> bool {
        if ch.is_ascii() {
            return !ch.is_ascii_control();
        }
        match self {
            FontCoverage::Encoding => encoding.can_encode(ch),
            FontCoverage::Gbk => encoding.can_encode(ch) && TextEncoding::Gbk.can_encode(ch),
            FontCoverage::Ascii => false,
        }
    }
}

/// Whether GB18030 bytes hold a four-byte sequence: exactly the characters outside GBK.
fn has_four_byte_sequence(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            i += 1;
        } else if bytes.get(i + 1).is_some_and(|b| (0x30..=0x39).contains(b)) {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(e: TextEncoding, s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        e.encode(s, &mut out).unwrap();
        out
    }

    #[test]
    fn gb18030_encodes_common_chinese_as_two_bytes() {
        assert_eq!(encoded(TextEncoding::Gb18030, "中文"), vec![0xD6, 0xD0, 0xCE, 0xC4]);
        assert_eq!(encoded(TextEncoding::Gbk, "中文"), vec![0xD6, 0xD0, 0xCE, 0xC4]);
        assert_eq!(encoded(TextEncoding::Utf8, "中"), "中".as_bytes());
        assert_eq!(encoded(TextEncoding::Gb18030, "A1"), b"A1");
    }

    #[test]
    fn gb18030_carries_rare_characters_gbk_does_not() {
        // U+20BB7 (𠮷) is in CJK Extension B: four bytes in GB18030, absent from GBK.
        let rare = '\u{20BB7}';
        assert_eq!(encoded(TextEncoding::Gb18030, "\u{20BB7}").len(), 4);
        assert!(TextEncoding::Gb18030.can_encode(rare));
        assert!(!TextEncoding::Gbk.can_encode(rare));
        let mut out = vec![1];
        assert_eq!(TextEncoding::Gbk.encode("a\u{20BB7}", &mut out), Err(rare));
        assert_eq!(out, vec![1], "a failed encode leaves the output untouched");
        assert!(!FontCoverage::Gbk.has_glyph(TextEncoding::Gb18030, rare));
        assert!(FontCoverage::Encoding.has_glyph(TextEncoding::Gb18030, rare));
        assert!(FontCoverage::Gbk.has_glyph(TextEncoding::Gb18030, '市'));
        let mut out = vec![9];
        assert_eq!(FontCoverage::Gbk.encode_printable(TextEncoding::Gb18030, "市民 \u{20BB7}", &mut out), Err(rare));
        assert_eq!(out, vec![9]);
        FontCoverage::Gbk.encode_printable(TextEncoding::Gb18030, "市民 ok", &mut out).unwrap();
        assert_eq!(out, [&[9u8, 0xCA, 0xD0, 0xC3, 0xF1][..], b" ok"].concat());
        assert!(FontCoverage::Encoding.encode_printable(TextEncoding::Gb18030, "\u{20BB7}", &mut out).is_ok());
        assert_eq!(FontCoverage::Ascii.encode_printable(TextEncoding::Gb18030, "a市", &mut Vec::new()), Err('市'));
    }

    #[test]
    fn common_table_agrees_with_encoding_rs() {
        for (start, end) in COMMON_RANGES {
            for ch in (start..end).filter_map(char::from_u32) {
                let text = ch.to_string();
                let (mut fast, mut general) = (Vec::new(), Vec::new());
                let fast_ok = encode_common_gb(&text, &mut fast);
                let general_ok = encode_with(GB18030, &text, &mut general).is_ok();
                if fast_ok {
                    assert_eq!(fast, general, "U+{:04X}", u32::from(ch));
                } else {
                    assert!(fast.is_empty());
                    assert!(!general_ok || general.len() == 4, "U+{:04X}", u32::from(ch));
                }
            }
        }
    }

    #[test]
    fn decoding_round_trips() {
        for e in [TextEncoding::Gb18030, TextEncoding::Gbk, TextEncoding::Utf8] {
            assert_eq!(e.decode(&encoded(e, "市民之窗 Citizen Window")), "市民之窗 Citizen Window");
        }
    }
}
