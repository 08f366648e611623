//! Renders a printed receipt the way the paper would look: as plain text in the printer's columns,
//! and as a one-bit PNG picture at the printer's dot width, with CJK glyphs from a system font.

use super::printer::{PrintedElement, PrintedReceipt, ReceiptSink};
use crate::escpos::layout::text_columns;
use crate::escpos::profile::PrinterProfile;
use crate::escpos::raster::{Bitmap, GlyphRasterizer, qr_bitmap};
use crate::escpos::receipt::{Alignment, QrErrorCorrection};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Dots from one text line to the next (ESC 2 default: 30 dots for a 24-dot font).
const LINE_PITCH: usize = 30;

fn aligned_offset(align: Alignment, used: usize, total: usize) -> usize {
    match align {
        Alignment::Left => 0,
        Alignment::Centre => total.saturating_sub(used) / 2,
        Alignment::Right => total.saturating_sub(used),
    }
}

/// The receipt as text, each line padded to its alignment within the printer's columns.
pub fn render_text(receipt: &PrintedReceipt, profile: &PrinterProfile) -> String {
    let mut out = String::new();
    for element in &receipt.elements {
        match element {
            PrintedElement::Line { runs, align } => {
                let text: String = runs.iter().map(|r| r.text.as_str()).collect();
                let used: usize = runs.iter().map(|r| text_columns(&r.text) * usize::from(r.width)).sum();
                let pad = aligned_offset(*align, used, profile.columns);
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
                out.push('\n');
            }
            PrintedElement::Image { bitmap, .. } => {
                out.push_str(&format!("[image {}x{} dots]\n", bitmap.width(), bitmap.height()));
            }
            PrintedElement::Qr { data, .. } => out.push_str(&format!("[QR {data}]\n")),
            PrintedElement::Feed { lines } => out.push_str(&"\n".repeat(usize::from(*lines))),
            PrintedElement::PaperEnd => out.push_str("[paper ran out here]\n"),
        }
    }
    if receipt.cut {
        out.push_str(&"-".repeat(profile.columns));
        out.push_str(" cut\n");
    }
    for unknown in &receipt.unknown_commands {
        out.push_str(&format!("[unknown command {unknown}]\n"));
    }
    out
}

/// The receipt as a picture, `dots_per_line` wide.
pub fn render_bitmap(receipt: &PrintedReceipt, profile: &PrinterProfile, font: Option<&GlyphRasterizer>) -> Bitmap {
    let width = profile.dots_per_line;
    let column = profile.dots_per_column();
    let cell = column * 2;
    // Lay out first to know the height, then draw.
    let mut placed: Vec<(usize, &PrintedElement)> = Vec::new();
    let mut y = 8;
    for element in &receipt.elements {
        placed.push((y, element));
        y += match element {
            PrintedElement::Line { runs, .. } => {
                let tallest = runs.iter().map(|r| usize::from(r.height)).max().unwrap_or(1);
                LINE_PITCH + cell * (tallest - 1)
            }
            PrintedElement::Image { bitmap, .. } => bitmap.height(),
            PrintedElement::Qr { data, module_size, .. } => {
                qr_bitmap(data.as_bytes(), *module_size, QrErrorCorrection::M, width)
                    .map(|b| b.height())
                    .unwrap_or(LINE_PITCH)
            }
            PrintedElement::Feed { lines } => LINE_PITCH * usize::from(*lines),
            PrintedElement::PaperEnd => LINE_PITCH,
        };
    }
    let mut canvas = Bitmap::new(width, y + 8);
    for (top, element) in placed {
        match element {
            PrintedElement::Line { runs, align } => {
                let used: usize = runs.iter().map(|r| text_columns(&r.text) * column * usize::from(r.width)).sum();
                let tallest = runs.iter().map(|r| usize::from(r.height)).max().unwrap_or(1);
                let mut x = aligned_offset(*align, used, width);
                for run in runs {
                    let run_height = cell * usize::from(run.height);
                    let run_top = top + cell * tallest - run_height;
                    match font {
                        Some(font) => {
                            let image =
                                font.render_line(&run.text, cell, usize::from(run.width), usize::from(run.height));
                            canvas.blit(&image, x, run_top);
                            if run.bold {
                                canvas.blit(&image, x + 1, run_top);
                            }
                        }
                        None => draw_placeholder(
                            &mut canvas,
                            &run.text,
                            x,
                            run_top,
                            column * usize::from(run.width),
                            run_height,
                        ),
                    }
                    x += text_columns(&run.text) * column * usize::from(run.width);
                }
            }
            PrintedElement::Image { bitmap, align } => {
                canvas.blit(bitmap, aligned_offset(*align, bitmap.width(), width), top);
            }
            PrintedElement::Qr { data, module_size, align } => {
                if let Ok(qr) = qr_bitmap(data.as_bytes(), *module_size, QrErrorCorrection::M, width) {
                    canvas.blit(&qr, aligned_offset(*align, qr.width(), width), top);
                }
            }
            PrintedElement::Feed { .. } => {}
            PrintedElement::PaperEnd => {
                for x in (0..width).step_by(6) {
                    canvas.fill_rect(x, top + LINE_PITCH / 2, 3, 2);
                }
            }
        }
    }
    canvas
}

/// Without a font, each character becomes an outlined box: visibly not text, never mistaken for it.
fn draw_placeholder(canvas: &mut Bitmap, text: &str, x: usize, y: usize, column: usize, height: usize) {
    let mut pen = x;
    for ch in text.chars() {
        let w = column * crate::escpos::layout::char_columns(ch);
        if ch != ' ' {
            canvas.fill_rect(pen + 1, y + 2, w - 2, 1);
            canvas.fill_rect(pen + 1, y + height - 3, w - 2, 1);
            canvas.fill_rect(pen + 1, y + 2, 1, height - 4);
            canvas.fill_rect(pen + w - 2, y + 2, 1, height - 4);
        }
        pen += w;
    }
}

/// Writes a bitmap as a one-bit greyscale PNG (black dots on white paper).
pub fn write_png(bitmap: &Bitmap, path: &Path) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, bitmap.width() as u32, bitmap.height() as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    // PNG greyscale 0 is black; the bitmap's 1 is black: invert.
    let inverted: Vec<u8> = bitmap.bits().iter().map(|b| !b).collect();
    writer.write_image_data(&inverted).map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// A sink that writes receipt-NNNN.txt and receipt-NNNN.png into a folder.
pub struct FolderSink {
    dir: PathBuf,
    font: Option<GlyphRasterizer>,
    next: u32,
}

impl FolderSink {
    pub fn new(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let font = match GlyphRasterizer::find_system_font() {
            Ok(font) => Some(font),
            Err(e) => {
                tracing::warn!("receipt pictures will show boxes instead of text: {e}");
                None
            }
        };
        // Continue numbering after receipts already in the folder.
        let next = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("receipt-")?.get(..4)?.parse::<u32>().ok())
            .max()
            .map_or(1, |n| n + 1);
        Ok(Self { dir: dir.to_path_buf(), font, next })
    }

    fn write(&mut self, receipt: &PrintedReceipt, profile: &PrinterProfile) -> std::io::Result<PathBuf> {
        let stem = format!("receipt-{:04}", self.next);
        self.next += 1;
        let text_path = self.dir.join(format!("{stem}.txt"));
        let png_path = self.dir.join(format!("{stem}.png"));
        write_png(&render_bitmap(receipt, profile, self.font.as_ref()), &png_path)?;
        // The text file is written last and renamed into place: its presence means the receipt is complete.
        let partial = self.dir.join(format!(".{stem}.txt.partial"));
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(render_text(receipt, profile).as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&partial, &text_path)?;
        Ok(text_path)
    }
}

impl ReceiptSink for FolderSink {
    fn receipt_done(&mut self, receipt: PrintedReceipt, profile: &PrinterProfile) {
        match self.write(&receipt, profile) {
            Ok(path) => tracing::info!(path = %path.display(), "simulated printer: receipt done"),
            Err(e) => tracing::error!("simulated printer cannot write its receipt into {}: {e}", self.dir.display()),
        }
    }
}
