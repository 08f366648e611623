//! One-bit raster images for GS v 0: QR codes for printers without native QR, and text whose
//! glyphs the printer's font lacks, drawn with an outline font (Noto CJK or another CJK font).

use super::receipt::QrErrorCorrection;
use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use std::path::{Path, PathBuf};

/// A monochrome image, rows of `bytes_per_row` bytes, MSB leftmost, 1 = black (GS v 0 order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: usize,
    height: usize,
    bits: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: usize, height: usize) -> Self {
        let bytes_per_row = width.div_ceil(8);
        Self { width, height, bits: vec![0; bytes_per_row * height] }
    }

    pub fn from_bits(width: usize, height: usize, bits: Vec<u8>) -> Option<Self> {
        (bits.len() == width.div_ceil(8) * height).then_some(Self { width, height, bits })
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn bytes_per_row(&self) -> usize {
        self.width.div_ceil(8)
    }
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    pub fn set(&mut self, x: usize, y: usize) {
        if x < self.width && y < self.height {
            let index = y * self.bytes_per_row() + x / 8;
            self.bits[index] |= 0x80 >> (x % 8);
        }
    }

    pub fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.bits[y * self.bytes_per_row() + x / 8] & (0x80 >> (x % 8)) != 0
    }

    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.set(xx, yy);
            }
        }
    }

    /// Copies `other` onto this image with its top-left corner at (x, y).
    pub fn blit(&mut self, other: &Bitmap, x: usize, y: usize) {
        for yy in 0..other.height {
            for xx in 0..other.width {
                if other.get(xx, yy) {
                    self.set(x + xx, y + yy);
                }
            }
        }
    }

    /// Appends GS v 0 commands for this image, in bands of at most `band_rows` rows, so that a
    /// printer with a small input buffer never stalls on one huge command.
    pub fn write_escpos(&self, band_rows: usize, out: &mut Vec<u8>) {
        let bpr = self.bytes_per_row();
        for start in (0..self.height).step_by(band_rows.max(1)) {
            let rows = band_rows.min(self.height - start);
            super::command::raster_image(bpr as u16, rows as u16, &self.bits[start * bpr..(start + rows) * bpr], out);
        }
    }
}

/// Renders `data` as a QR symbol with a quiet zone of four modules, `module_size` dots per module,
/// or fewer where the symbol would be wider than `max_width` dots.
pub fn qr_bitmap(
    data: &[u8],
    module_size: u8,
    error_correction: QrErrorCorrection,
    max_width: usize,
) -> Result<Bitmap, String> {
    let level = match error_correction {
        QrErrorCorrection::L => qrcode::EcLevel::L,
        QrErrorCorrection::M => qrcode::EcLevel::M,
        QrErrorCorrection::Q => qrcode::EcLevel::Q,
        QrErrorCorrection::H => qrcode::EcLevel::H,
    };
    let code = qrcode::QrCode::with_error_correction_level(data, level).map_err(|e| e.to_string())?;
    let modules = code.width();
    let quiet = 4;
    let fitting = max_width / (modules + 2 * quiet);
    let scale = usize::from(module_size.max(1)).min(fitting).max(1);
    let side = (modules + 2 * quiet) * scale;
    let mut bitmap = Bitmap::new(side, side);
    let colors = code.to_colors();
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % modules, i / modules);
            bitmap.fill_rect((mx + quiet) * scale, (my + quiet) * scale, scale, scale);
        }
    }
    Ok(bitmap)
}

/// Font files tried, in order, when none is configured: Debian's fonts-noto-cjk first.
pub const SYSTEM_CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// Environment variable that names a CJK font file to use instead of the system search.
pub const FONT_ENV: &str = "CITIZEN_WINDOW_CJK_FONT";

/// Draws text into bitmaps with an outline font.
pub struct GlyphRasterizer {
    font: FontVec,
    path: PathBuf,
}

impl std::fmt::Debug for GlyphRasterizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlyphRasterizer").field("path", &self.path).finish()
    }
}

impl GlyphRasterizer {
    pub fn load(path: &Path) -> Result<Self, String> {
        let data = std::fs::read(path).map_err(|e| format!("cannot read font {}: {e}", path.display()))?;
        let font = FontVec::try_from_vec_and_index(data, 0)
            .map_err(|e| format!("{} is not a usable font: {e}", path.display()))?;
        Ok(Self { font, path: path.to_path_buf() })
    }

    /// The configured font ([`FONT_ENV`]) or the first system CJK font found.
    pub fn find_system_font() -> Result<Self, String> {
        if let Some(path) = std::env::var_os(FONT_ENV) {
            return Self::load(Path::new(&path));
        }
        SYSTEM_CJK_FONTS.iter().map(Path::new).find(|p| p.exists()).map(Self::load).unwrap_or_else(|| {
            Err(format!(
                "no CJK font found: install the Debian package fonts-noto-cjk or set {FONT_ENV} to a font file"
            ))
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has_glyph(&self, ch: char) -> bool {
        ch == ' ' || self.font.glyph_id(ch).0 != 0
    }

    /// Draws `text` with its cell top-left at (x, y); each column is `cell_height / 2` dots wide.
    /// Returns the x after the text.
    pub fn draw(
        &self,
        canvas: &mut Bitmap,
        text: &str,
        x: usize,
        y: usize,
        cell_height: usize,
        width_scale: usize,
    ) -> usize {
        let scale = PxScale { x: (cell_height * width_scale) as f32, y: cell_height as f32 };
        let scaled = self.font.as_scaled(scale);
        let column = cell_height / 2 * width_scale;
        let ascent = scaled.ascent();
        let descent = scaled.descent();
        // Centre the font's ascent..descent band inside the cell.
        let baseline = y as f32 + (cell_height as f32 - (ascent - descent)) / 2.0 + ascent;
        let mut pen = x;
        for ch in text.chars() {
            let cols = super::layout::char_columns(ch);
            let advance = cols * column;
            let glyph = scaled.scaled_glyph(ch);
            let glyph_width = scaled.h_advance(glyph.id);
            let left = pen as f32 + ((advance as f32 - glyph_width) / 2.0).max(0.0);
            let positioned = glyph.id.with_scale_and_position(scale, ab_glyph::point(left, baseline));
            if let Some(outline) = self.font.outline_glyph(positioned) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    if coverage >= 0.5 {
                        let px = bounds.min.x as i64 + i64::from(gx);
                        let py = bounds.min.y as i64 + i64::from(gy);
                        if px >= 0 && py >= 0 {
                            canvas.set(px as usize, py as usize);
                        }
                    }
                });
            }
            pen += advance;
        }
        pen
    }

    /// One line of text as an image `cell_height * height_scale` dots high.
    pub fn render_line(&self, text: &str, cell_height: usize, width_scale: usize, height_scale: usize) -> Bitmap {
        let columns = super::layout::text_columns(text).max(1);
        let width = columns * cell_height / 2 * width_scale;
        let mut line = Bitmap::new(width, cell_height);
        self.draw(&mut line, text, 0, 0, cell_height, width_scale);
        if height_scale <= 1 {
            return line;
        }
        let mut tall = Bitmap::new(width, cell_height * height_scale);
        for y in 0..tall.height() {
            for x in 0..width {
                if line.get(x, y / height_scale) {
                    tall.set(x, y);
                }
            }
        }
        tall
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_bits_are_msb_first() {
        let mut b = Bitmap::new(10, 2);
        b.set(0, 0);
        b.set(9, 1);
        assert_eq!(b.bits(), &[0x80, 0x00, 0x00, 0x40]);
        assert!(b.get(9, 1) && !b.get(8, 1));
        b.set(100, 100); // outside: ignored
    }

    #[test]
    fn qr_bitmap_has_quiet_zone_and_finder_pattern() {
        let b = qr_bitmap(b"https://example.org/r/1", 3, QrErrorCorrection::M, 384).unwrap();
        assert_eq!(b.width(), b.height());
        assert!(!b.get(0, 0), "quiet zone is white");
        assert!(b.get(12, 12), "finder pattern corner is black");
        let narrow = qr_bitmap(b"https://example.org/r/1", 16, QrErrorCorrection::M, 200).unwrap();
        assert!(narrow.width() <= 200, "shrunk to fit: {}", narrow.width());
    }

    #[test]
    fn banded_raster_splits_rows() {
        let b = Bitmap::new(16, 5);
        let mut out = Vec::new();
        b.write_escpos(2, &mut out);
        // Three bands of 2, 2 and 1 rows, each an 8-byte header plus 2 bytes per row.
        assert_eq!(out.len(), 3 * 8 + 5 * 2);
    }
}
