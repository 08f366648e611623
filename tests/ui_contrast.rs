//! The theme's colours meet WCAG 2.1 contrast (ui/theme.slint): 4.5:1 for text against what it
//! is drawn on, 3:1 for the outlines that show where a button ends.

use citizen_window::ui::{AppWindow, Theme, screenshot::use_headless_renderer};
use slint::{Color, ComponentHandle};

/// WCAG 2.1 relative luminance of an sRGB colour.
fn luminance(color: Color) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_formula_is_wcags() {
    let (black, white) = (Color::from_rgb_u8(0, 0, 0), Color::from_rgb_u8(255, 255, 255));
    assert!((contrast(black, white) - 21.0).abs() < 1e-9);
    // #767676 on white is the well-known grey at the 4.5:1 threshold.
    assert!((contrast(Color::from_rgb_u8(0x76, 0x76, 0x76), white) - 4.54).abs() < 0.01);
}

#[test]
fn text_and_outlines_meet_wcag_contrast_in_both_print_sizes() {
    use_headless_renderer().unwrap();
    let window = AppWindow::new().unwrap();
    let theme = window.global::<Theme>();
    let text_pairs = [
        ("text on the background", theme.get_text(), theme.get_background()),
        ("text on a surface", theme.get_text(), theme.get_surface()),
        ("secondary text on the background", theme.get_muted_text(), theme.get_background()),
        ("secondary text on a surface", theme.get_muted_text(), theme.get_surface()),
        ("a disabled button's text", theme.get_muted_text(), theme.get_disabled()),
        ("text on the primary colour", theme.get_on_primary(), theme.get_primary()),
        ("the primary colour as text (numbers)", theme.get_primary(), theme.get_background()),
        ("a success headline", theme.get_success(), theme.get_background()),
        ("a failure headline", theme.get_failure(), theme.get_background()),
        ("a warning", theme.get_warning_text(), theme.get_warning_background()),
    ];
    let outline_pairs = [
        ("a button's outline on the background", theme.get_border(), theme.get_background()),
        ("a button's outline on the bar", theme.get_border(), theme.get_surface()),
        ("a disabled button's outline", theme.get_border(), theme.get_disabled()),
        ("an icon in the primary colour on a tile", theme.get_primary(), theme.get_surface()),
    ];
    let mut failing = Vec::new();
    for (what, fore, back) in text_pairs {
        let ratio = contrast(fore, back);
        if ratio < 4.5 {
            failing.push(format!("{what}: {ratio:.2}:1, needs 4.5:1"));
        }
    }
    for (what, fore, back) in outline_pairs {
        let ratio = contrast(fore, back);
        if ratio < 3.0 {
            failing.push(format!("{what}: {ratio:.2}:1, needs 3:1"));
        }
    }
    assert!(failing.is_empty(), "contrast too low:\n{}", failing.join("\n"));
}
