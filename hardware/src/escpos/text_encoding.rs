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
    /// Encodes `text`, or names the first character this encoding cannot carry.
    pub fn encode(self, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
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
        self.encode(ch.encode_utf8(&mut buf), &mut Vec::with_capacity(4))
            .is_ok()
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

fn encode_with(encoding: &'static Encoding, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    let mut encoder = encoding.new_encoder();
    let needed = encoder
        .max_buffer_length_from_utf8_without_replacement(text.len())
        .unwrap_or(text.len() * 4);
    let start = out.len();
    out.resize(start + needed, 0);
    let (result, _read, written) =
        encoder.encode_from_utf8_without_replacement(text, &mut out[start..], true);
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
        assert_eq!(
            encoded(TextEncoding::Gb18030, "中文"),
            vec![0xD6, 0xD0, 0xCE, 0xC4]
        );
        assert_eq!(
            encoded(TextEncoding::Gbk, "中文"),
            vec![0xD6, 0xD0, 0xCE, 0xC4]
        );
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
    }

    #[test]
    fn decoding_round_trips() {
        for e in [TextEncoding::Gb18030, TextEncoding::Gbk, TextEncoding::Utf8] {
            assert_eq!(
                e.decode(&encoded(e, "市民之窗 Citizen Window")),
                "市民之窗 Citizen Window"
            );
        }
    }
}
