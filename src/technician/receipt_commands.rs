//! `kioskctl receipt reprint ID` with the kiosk stopped: kioskctl prints the copy itself, on the
//! configured printer, headed and numbered as the kiosk does (the running kiosk's own path is
//! `control::client::reprint`, through its recording thread). Also which language a technician's
//! copy is printed in.

use super::CommandFailed;
use crate::config::Config;
use crate::content::Language;
use crate::devices::receipt_copy::{CopyPrinted, print_copy};
use crate::journal::{Journal, journal_path};
use crate::records::{ReceiptLanguage, grouped};
use citizen_window_hardware::escpos::raster::GlyphRasterizer;

/// A technician's copy is in both languages if the kiosk's receipts are, else in the language
/// that greets each session.
pub fn copy_language(config: &Config) -> ReceiptLanguage {
    match (config.receipts_bilingual, config.languages.first()) {
        (true, _) => ReceiptLanguage::Both,
        (false, Some(Language::En)) => ReceiptLanguage::English,
        (false, _) => ReceiptLanguage::Chinese,
    }
}

/// Prints the copy here, the kiosk program being stopped.
pub fn reprint_here(config: &Config, id: &str) -> Result<String, CommandFailed> {
    if let Some(printer) = &config.printer {
        super::require_port(&printer.port)?;
    }
    let receipts = crate::runtime::receipts_of(config).map_err(|e| CommandFailed(format!("{e:#}")))?;
    let mut journal = Journal::open(&journal_path(&config.state_dir)).map_err(|e| CommandFailed(e.to_string()))?;
    let mut printer = config.printer.as_ref().map(crate::config::PrinterSetup::driver);
    let glyphs = GlyphRasterizer::find_system_font().ok();
    let copy = print_copy(&mut journal, printer.as_mut(), glyphs.as_ref(), &receipts, id, copy_language(config))
        .map_err(CommandFailed)?;
    Ok(describe(&copy, false))
}

/// What kioskctl says of a copy printed by the running kiosk or by itself.
pub fn describe(copy: &CopyPrinted, by_the_running_kiosk: bool) -> String {
    let by = if by_the_running_kiosk {
        "by the running kiosk, between residents' receipts"
    } else {
        "by kioskctl (the kiosk program is not running)"
    };
    format!(
        "receipt {} (record {}, {}) printed again, marked as a copy (补打), {by}\n",
        grouped(&copy.number),
        copy.seq,
        copy.kind
    )
}
