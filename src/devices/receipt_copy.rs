//! A copy of a journaled receipt for the technician (`kioskctl receipt reprint`): the record is
//! found by its receipt number or its journal sequence, its receipt printed again marked as a copy
//! (补打), and the outcome journaled. The running kiosk's recording thread does it between the
//! residents' jobs; `kioskctl` does it itself when the kiosk is stopped. Also [`press`]: encoding
//! and printing one receipt, for both.

use super::recording_worker::ReceiptSetup;
use crate::journal::{Journal, JournalError, JournalRecord, now_ms};
use crate::records::{
    self, NumberProblem, Printing, ReceiptLanguage, ReceiptNumbering, RecordFacts, looks_like_a_receipt_number,
};
use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver};
use citizen_window_hardware::serial_link::LinkOpener;
use serde::{Deserialize, Serialize};

/// A technician's order for a copy, to the running kiosk's recording thread.
pub struct CopyOrder {
    /// A receipt number as printed, or a journal sequence (`kioskctl journal list`).
    pub id: String,
    pub language: ReceiptLanguage,
    /// The copy printed, or why not (a sentence with what to do).
    pub reply: std::sync::mpsc::Sender<Result<CopyPrinted, String>>,
}

/// A copy that came out and was journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyPrinted {
    pub seq: u64,
    pub number: String,
    pub kind: String,
}

/// The journal sequence `id` names: a receipt number of this kiosk (spaces and dashes allowed)
/// or a journal sequence (`kioskctl journal list`); else why not.
pub fn read_id(numbering: &ReceiptNumbering, id: &str) -> Result<u64, String> {
    let digits: String = id.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{id:?} is neither a receipt number (the digits printed on it) nor a record's number from `kioskctl journal list`"
        ));
    }
    if !looks_like_a_receipt_number(&digits) {
        return digits.parse().map_err(|_| format!("{id} is neither a receipt number nor a record's number"));
    }
    numbering.read(&digits).map_err(|problem| match problem {
        NumberProblem::WrongLength => format!("{id} does not have a receipt number's length"),
        NumberProblem::OtherKiosk(kiosk) => {
            format!(
                "{id} is a receipt of kiosk {kiosk:04}, not of this one ({:04}): reprint it there",
                numbering.kiosk()
            )
        }
        NumberProblem::Mistyped => format!("{id} is not one of this kiosk's receipt numbers: check each digit"),
    })
}

/// The record `id` names ([`read_id`]); refused, with why, if its receipt is not one that is
/// reprinted.
pub fn find_record(journal: &mut Journal, receipts: &ReceiptSetup, id: &str) -> Result<JournalRecord, String> {
    let seq = read_id(&receipts.numbering, id)?;
    let record = journal.get(seq).map_err(|e| match e {
        JournalError::NoSuchRecord(_) => format!(
            "the journal has no record {seq}: it was never made, or pruned after the server acknowledged it (`kioskctl journal list`)"
        ),
        other => other.to_string(),
    })?;
    if !records::reprinted_by_number(&record.kind) {
        return Err(format!(
            "record {seq} is a {}: its receipt is printed only for its resident, in the visit it was made",
            record.kind
        ));
    }
    Ok(record)
}

/// Finds the record `id` names ([`find_record`]), prints its receipt again marked as a copy on
/// `printer`, and journals that it was reprinted. Nothing is journaled for a copy that did not
/// come out.
pub fn print_copy<O: LinkOpener>(
    journal: &mut Journal,
    printer: Option<&mut PrinterDriver<O>>,
    glyphs: Option<&GlyphRasterizer>,
    receipts: &ReceiptSetup,
    id: &str,
    language: ReceiptLanguage,
) -> Result<CopyPrinted, String> {
    let record = find_record(journal, receipts, id)?;
    let Some(printer) = printer else {
        return Err("this kiosk has no printer configured (printer.port): `kioskctl config set printer.port …`".into());
    };
    let number = receipts.numbering.number(record.seq);
    let printing = Printing { language, heading: &receipts.heading, copy: true, holder: None };
    let receipt = receipt_of(&record, &receipts.numbering, printing)
        .ok_or_else(|| format!("record {} ({}) has no receipt to print", record.seq, record.kind))?;
    press(printer, glyphs, &receipt)
        .map_err(|why| format!("the copy did not come out: {why}; see `kioskctl printer status` and try again"))?;
    journal
        .receipt_reprinted(record.seq, now_ms())
        .map_err(|e| format!("the copy was printed, but the journal could not note it ({e}): see `kioskctl doctor`"))?;
    Ok(CopyPrinted { seq: record.seq, number, kind: record.kind })
}

/// The receipt of a journaled record, numbered by `numbering`, printed as `printing` says; `None`
/// for a record that has no receipt.
pub fn receipt_of(record: &JournalRecord, numbering: &ReceiptNumbering, printing: Printing<'_>) -> Option<Receipt> {
    let number = numbering.number(record.seq);
    let facts = RecordFacts {
        kind: &record.kind,
        payload: record.payload.as_str(),
        number: &number,
        created_at_ms: record.created_at_ms,
    };
    records::receipt_for(facts, printing)
}

/// Encodes `receipt` for `printer` (Chinese the printer's font lacks drawn by `glyphs`) and prints
/// it; `Err` says why it did not come out confirmed.
pub fn press<O: LinkOpener>(
    printer: &mut PrinterDriver<O>,
    glyphs: Option<&GlyphRasterizer>,
    receipt: &Receipt,
) -> Result<(), String> {
    let mut encoder = ReceiptEncoder::new(printer.profile());
    if let Some(glyphs) = glyphs {
        encoder = encoder.with_rasterizer(glyphs);
    }
    let job = encoder.encode(receipt).map_err(|e| format!("the receipt could not be encoded: {e}"))?;
    match printer.print(&job) {
        Ok(PrintOutcome::Confirmed { .. }) => Ok(()),
        Ok(PrintOutcome::Unconfirmed { fault, .. }) => Err(format!("the printer did not confirm it: {fault}")),
        Err(e) => Err(e.to_string()),
    }
}
