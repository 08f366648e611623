//! Receipt → ESC/POS bytes for one printer profile. The whole job is built in memory so that the
//! driver can send it in one go; style commands are sent only when the style changes.

use super::command;
use super::layout::{self, text_columns};
use super::profile::PrinterProfile;
use super::raster::{GlyphRasterizer, qr_bitmap};
use super::receipt::{Alignment, Block, Receipt, TextSize, TextStyle};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error(
        "character {ch:?} (U+{code:04X}) is not in the printer's font and no CJK font is available to print it as an image: install fonts-noto-cjk"
    , code = u32::from(*ch))]
    MissingGlyph { ch: char },
    #[error("QR data is {len} bytes, more than the {max} a QR code can hold: shorten the link")]
    QrTooLong { len: usize, max: usize },
    #[error("cannot make a QR code: {0}")]
    Qr(String),
}

/// Padding and rules are sliced from these (profiles have at most 80 columns).
const SPACES: &str = "                                                                                ";
const DASHES: &str = "--------------------------------------------------------------------------------";

/// Encodes receipts for one profile; holds the optional font for glyphs the printer lacks.
pub struct ReceiptEncoder<'a> {
    profile: &'a PrinterProfile,
    rasterizer: Option<&'a GlyphRasterizer>,
}

/// The printer's current modes, to skip commands that change nothing.
struct ModeState {
    align: Alignment,
    bold: bool,
    size: TextSize,
}

impl<'a> ReceiptEncoder<'a> {
    pub fn new(profile: &'a PrinterProfile) -> Self {
        Self { profile, rasterizer: None }
    }

    /// Prints characters missing from the printer's font as images drawn with `rasterizer`.
    pub fn with_rasterizer(mut self, rasterizer: &'a GlyphRasterizer) -> Self {
        self.rasterizer = Some(rasterizer);
        self
    }

    pub fn encode(&self, receipt: &Receipt) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(1024);
        self.encode_into(receipt, &mut out)?;
        Ok(out)
    }

    pub fn encode_into(&self, receipt: &Receipt, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&command::INITIALIZE);
        if self.profile.chinese_mode_command && self.profile.encoding != super::TextEncoding::Utf8 {
            out.extend_from_slice(&command::CHINESE_MODE_ON);
        }
        let mut mode = ModeState { align: Alignment::Left, bold: false, size: TextSize::NORMAL };
        let columns = self.profile.columns;
        for block in &receipt.blocks {
            match block {
                Block::Text { text, style } => {
                    self.set_style(&mut mode, *style, out);
                    let width = columns / usize::from(style.size.width.max(1));
                    let mut result = Ok(());
                    layout::wrap_each(text, width, |line| {
                        if result.is_ok() {
                            result = self.emit_line(&[line], style.size, out);
                        }
                    });
                    result?;
                }
                Block::Separator { ch } => {
                    self.set_style(&mut mode, TextStyle::default(), out);
                    let count = columns / layout::char_columns(*ch);
                    if *ch == '-' {
                        self.emit_line(&[&DASHES[..count]], TextSize::NORMAL, out)?;
                    } else {
                        let rule: String = std::iter::repeat_n(*ch, count).collect();
                        self.emit_line(&[&rule], TextSize::NORMAL, out)?;
                    }
                }
                Block::KeyValue { key, value, bold } => {
                    let style = TextStyle { bold: *bold, ..TextStyle::default() };
                    self.set_style(&mut mode, style, out);
                    let (kc, vc) = (text_columns(key), text_columns(value));
                    if kc + 1 + vc <= columns {
                        let gap = &SPACES[..columns - kc - vc];
                        self.emit_line(&[key, gap, value], TextSize::NORMAL, out)?;
                    } else {
                        let mut result = Ok(());
                        layout::wrap_each(key, columns, |line| {
                            if result.is_ok() {
                                result = self.emit_line(&[line], TextSize::NORMAL, out);
                            }
                        });
                        layout::wrap_each(value, columns, |line| {
                            if result.is_ok() {
                                let gap = &SPACES[..columns - text_columns(line)];
                                result = self.emit_line(&[gap, line], TextSize::NORMAL, out);
                            }
                        });
                        result?;
                    }
                }
                Block::Qr { data, module_size, error_correction, align } => {
                    let style = TextStyle { align: *align, ..TextStyle::default() };
                    self.set_style(&mut mode, style, out);
                    if data.len() > command::QR_MAX_DATA {
                        return Err(EncodeError::QrTooLong { len: data.len(), max: command::QR_MAX_DATA });
                    }
                    if self.profile.native_qr {
                        out.extend_from_slice(&command::QR_MODEL_2);
                        out.extend_from_slice(&command::qr_module_size(*module_size));
                        out.extend_from_slice(&command::qr_error_correction(*error_correction));
                        command::qr_store(data.as_bytes(), out);
                        out.extend_from_slice(&command::QR_PRINT);
                    } else {
                        let bitmap =
                            qr_bitmap(data.as_bytes(), *module_size, *error_correction, self.profile.dots_per_line)
                                .map_err(EncodeError::Qr)?;
                        bitmap.write_escpos(self.profile.raster_band_rows, out);
                    }
                }
                Block::Feed { lines } => out.extend_from_slice(&command::feed_lines(*lines)),
                Block::Cut => {
                    use command::CutCommand;
                    if matches!(self.profile.cut, CutCommand::Full | CutCommand::Partial) {
                        out.extend_from_slice(&command::feed_lines(self.profile.cut_feed_lines));
                    }
                    out.extend(command::cut(self.profile.cut, self.profile.cut_feed_lines));
                }
            }
        }
        Ok(())
    }

    fn set_style(&self, mode: &mut ModeState, style: TextStyle, out: &mut Vec<u8>) {
        if mode.align != style.align {
            out.extend_from_slice(&command::align(style.align));
            mode.align = style.align;
        }
        if mode.bold != style.bold {
            out.extend_from_slice(&command::bold(style.bold));
            mode.bold = style.bold;
        }
        if mode.size != style.size {
            out.extend_from_slice(&command::character_size(style.size.width, style.size.height));
            mode.size = style.size;
        }
    }

    /// One printed line made of `segments`: text if the printer's font has every glyph,
    /// otherwise an image of the whole line.
    fn emit_line(&self, segments: &[&str], size: TextSize, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let (encoding, coverage) = (self.profile.encoding, self.profile.font_coverage);
        let start = out.len();
        let missing = segments.iter().find_map(|segment| coverage.encode_printable(encoding, segment, out).err());
        match missing {
            None => out.push(command::LF),
            Some(ch) => {
                out.truncate(start);
                let line = segments.concat();
                let line = line.as_str();
                let rasterizer = self.rasterizer.ok_or(EncodeError::MissingGlyph { ch })?;
                if !line.chars().all(|c| rasterizer.has_glyph(c)) {
                    return Err(EncodeError::MissingGlyph { ch });
                }
                let cell = self.profile.dots_per_column() * 2;
                let bitmap = rasterizer.render_line(line, cell, usize::from(size.width), usize::from(size.height));
                bitmap.write_escpos(self.profile.raster_band_rows, out);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::receipt::QrErrorCorrection;

    fn profile(name: &str) -> PrinterProfile {
        PrinterProfile::load(name).unwrap()
    }

    #[test]
    fn small_receipt_bytes_are_exact() {
        let receipt = Receipt::new().title("市民").line("ok").cut();
        let bytes = ReceiptEncoder::new(&profile("generic-80mm")).encode(&receipt).unwrap();
        let expected: Vec<u8> = [
            &[0x1B, 0x40, 0x1C, 0x26][..],
            &[0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01, 0x1D, 0x21, 0x11],
            &[0xCA, 0xD0, 0xC3, 0xF1, 0x0A],
            &[0x1B, 0x61, 0x00, 0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00],
            b"ok\n",
            &[0x1D, 0x56, 0x41, 0x03],
        ]
        .concat();
        assert_eq!(bytes, expected);
    }

    #[test]
    fn key_value_fills_the_line_or_wraps_right_aligned() {
        let p = profile("generic-58mm");
        let bytes = ReceiptEncoder::new(&p).encode(&Receipt::new().key_value("金额", "12.00")).unwrap();
        let text = p.encoding.decode(&bytes[4..]);
        assert_eq!(text, format!("金额{}12.00\n", " ".repeat(32 - 4 - 5)));
        let long = "幸福里社区便民服务大厅三号窗口";
        let bytes = ReceiptEncoder::new(&p).encode(&Receipt::new().key_value("地点 Place", long)).unwrap();
        let text = p.encoding.decode(&bytes[4..]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "地点 Place");
        assert_eq!(lines[1], format!("  {long}"));
        assert!(lines.iter().all(|l| text_columns(l) <= 32));
    }

    #[test]
    fn native_and_raster_qr() {
        let receipt = Receipt::new().qr("https://example.org/p/1", 6);
        let native = ReceiptEncoder::new(&profile("generic-58mm")).encode(&receipt).unwrap();
        let data = b"https://example.org/p/1";
        let mut expected = vec![0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 0x01];
        expected.extend_from_slice(&command::QR_MODEL_2);
        expected.extend_from_slice(&command::qr_module_size(6));
        expected.extend_from_slice(&command::qr_error_correction(QrErrorCorrection::M));
        command::qr_store(data, &mut expected);
        expected.extend_from_slice(&command::QR_PRINT);
        assert_eq!(native, expected);

        let raster = ReceiptEncoder::new(&profile("generic-58mm-raster-qr")).encode(&receipt).unwrap();
        assert!(raster.windows(3).any(|w| w == [0x1D, 0x76, 0x30]));
        assert!(raster.len() > native.len() * 10, "raster QR is far larger on the wire");
    }

    #[test]
    fn missing_glyph_without_font_is_a_clear_error() {
        let receipt = Receipt::new().line("姓名 \u{20BB7}");
        let err = ReceiptEncoder::new(&profile("generic-58mm")).encode(&receipt).unwrap_err();
        assert_eq!(err, EncodeError::MissingGlyph { ch: '\u{20BB7}' });
        assert!(err.to_string().contains("U+20BB7"));
    }

    #[test]
    fn control_characters_cannot_inject_commands() {
        let receipt = Receipt::new().line("a\x1b@\x1dV\x00b");
        let bytes = ReceiptEncoder::new(&profile("generic-58mm")).encode(&receipt).unwrap();
        assert_eq!(&bytes[4..], b"a @ V b\n");
    }

    #[test]
    fn sample_receipt_fits_both_papers() {
        for name in ["generic-58mm", "generic-80mm"] {
            let p = profile(name);
            let bytes = ReceiptEncoder::new(&p).encode(&Receipt::sample_payment()).unwrap();
            assert!(bytes.len() < 1200, "{name}: {} bytes", bytes.len());
        }
    }
}
