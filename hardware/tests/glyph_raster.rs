//! Characters missing from the printer's font go out as raster images drawn with the system's CJK
//! font (Debian's fonts-noto-cjk, which the set-up installs), and come back out of the simulated
//! printer as an image, not as text.

use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::SimulatedDevice;
use citizen_window_hardware::sim::printer::{PrintedElement, SimPrinter};
use std::time::Instant;

fn font() -> GlyphRasterizer {
    GlyphRasterizer::find_system_font().expect("a CJK font is part of the set-up (fonts-noto-cjk)")
}

#[test]
fn rare_name_character_is_printed_as_an_image() {
    let font = font();
    assert!(font.has_glyph('𠮷') && font.has_glyph('市'));
    let profile = PrinterProfile::default_profile();
    let receipt = Receipt::new().line("姓名 𠮷野").line("普通 text").cut();
    let bytes = ReceiptEncoder::new(&profile).with_rasterizer(&font).encode(&receipt).unwrap();
    assert!(bytes.windows(3).any(|w| w == [0x1D, 0x76, 0x30]));

    let (mut sim, done) = SimPrinter::with_receipt_log(profile);
    sim.receive(&bytes, Instant::now());
    let receipt = done.lock().unwrap()[0].clone();
    let PrintedElement::Image { bitmap, .. } = &receipt.elements[0] else { panic!("{:?}", receipt.elements[0]) };
    // Nine columns of 12 dots (108, sent as 14 whole bytes a row), 24 dots high, with ink in it.
    assert_eq!((bitmap.width(), bitmap.height()), (14 * 8, 24));
    assert!(bitmap.bits().iter().filter(|b| **b != 0).count() > 20);
    assert_eq!(receipt.text_lines(), vec!["普通 text"]);
}

#[test]
fn receipt_picture_has_ink_where_the_text_is() {
    use citizen_window_hardware::sim::receipt_render::render_bitmap;
    let font = font();
    let profile = PrinterProfile::default_profile();
    let bytes = ReceiptEncoder::new(&profile).encode(&Receipt::sample_payment()).unwrap();
    let (mut sim, done) = SimPrinter::with_receipt_log(profile.clone());
    sim.receive(&bytes, Instant::now());
    let receipt = done.lock().unwrap()[0].clone();
    let picture = render_bitmap(&receipt, &profile, Some(&font));
    assert_eq!(picture.width(), 384);
    // The title row (double size, centred) has ink in the middle and none at the edges.
    let row_ink = |y: usize, x0: usize, x1: usize| (x0..x1).filter(|&x| picture.get(x, y)).count();
    let title_rows: usize = (8..56).map(|y| row_ink(y, 96, 288)).sum();
    let edge_rows: usize = (8..56).map(|y| row_ink(y, 0, 40)).sum();
    assert!(title_rows > 200, "title ink {title_rows}");
    assert_eq!(edge_rows, 0);
}
