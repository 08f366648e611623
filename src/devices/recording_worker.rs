//! The recording thread: owns the journal and the receipt printer, so that every service follows
//! docs/SYNC.md's order on one thread: commit the transaction with its receipt intent, tell the UI,
//! print, then commit the outcome. Between jobs it watches the printer, so the UI can warn before
//! a resident starts a service that prints.

use super::stoppable_thread::StoppableThread;
use super::{KioskEvent, Recorded, RecordedWhat, Reprintable, ServiceAsk, ServiceRequest, today_in_china};
use crate::journal::{Journal, JournalRecord, NewTransaction, ReceiptPlan, now_ms};
use crate::records::{
    self, AppointmentPayload, PaymentPayload, RecordFacts, ReportPayload, TicketPayload, VotePayload, kinds,
};
use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver, PrinterProfile};
use citizen_window_hardware::serial_link::SerialPortOpener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, UNIX_EPOCH};

/// How often the printer's status is asked while no job runs.
const PRINTER_CHECK_INTERVAL: Duration = Duration::from_secs(3);
/// How far back the reprint page offers receipts that did not come out.
const REPRINT_WINDOW_MS: i64 = 24 * 3_600_000;

/// Where the receipt printer is and what it is.
#[derive(Debug, Clone)]
pub struct PrinterSetup {
    pub port: PathBuf,
    pub profile: PrinterProfile,
}

/// A running recording thread; stops when dropped, after the job in hand.
pub struct RecordingWorker {
    _thread: StoppableThread,
}

impl RecordingWorker {
    /// Opens the journal (an error here is the journal's own, with what to do) and starts the
    /// thread. Receipts left between intent and outcome by a crash become unconfirmed first.
    pub fn start(
        journal_path: PathBuf,
        printer: Option<PrinterSetup>,
        requests: Receiver<ServiceRequest>,
        events: Sender<KioskEvent>,
        wake_sync: Option<Arc<tokio::sync::Notify>>,
    ) -> Result<Self, crate::journal::JournalError> {
        let mut journal = Journal::open(&journal_path)?;
        let cut_off = journal.recover_unconfirmed_receipts(now_ms())?;
        if !cut_off.is_empty() {
            tracing::warn!(count = cut_off.len(), "receipts cut off by a restart are offered for reprint");
        }
        let thread = StoppableThread::spawn("recording", move |stop| {
            Recorder::new(journal, printer, events, wake_sync).run(&requests, stop)
        })
        .map_err(|e| crate::journal::JournalError::Other {
            path: journal_path.clone(),
            message: format!("cannot start the recording thread: {e}"),
        })?;
        Ok(Self { _thread: thread })
    }
}

struct Recorder {
    journal: Journal,
    printer: Option<PrinterDriver<SerialPortOpener>>,
    /// Draws the Chinese text the printer's own font lacks (found once, at start).
    glyphs: Option<GlyphRasterizer>,
    events: Sender<KioskEvent>,
    printer_ready: Option<bool>,
    /// Woken after each commit, so that the server link uploads it right away.
    wake_sync: Option<Arc<tokio::sync::Notify>>,
}

impl Recorder {
    fn new(
        journal: Journal,
        printer: Option<PrinterSetup>,
        events: Sender<KioskEvent>,
        wake_sync: Option<Arc<tokio::sync::Notify>>,
    ) -> Self {
        let printer = printer.map(|p| PrinterDriver::new(SerialPortOpener::new(&p.port, p.profile.baud), p.profile));
        let glyphs = GlyphRasterizer::find_system_font()
            .inspect_err(|e| tracing::warn!("receipts print with the printer's own font only: {e}"))
            .ok();
        Self { journal, printer, glyphs, events, printer_ready: None, wake_sync }
    }

    fn run(mut self, requests: &Receiver<ServiceRequest>, stop: &AtomicBool) {
        self.check_printer();
        self.offer_reprints();
        while !StoppableThread::stopping(stop) {
            match requests.recv_timeout(PRINTER_CHECK_INTERVAL) {
                Ok(request) => self.serve(request),
                Err(RecvTimeoutError::Timeout) => self.check_printer(),
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn send(&self, event: KioskEvent) {
        // The UI gone means the kiosk is shutting down; the journal already holds everything.
        let _ = self.events.send(event);
    }

    fn check_printer(&mut self) {
        let ready = match &mut self.printer {
            None => false,
            Some(printer) => match printer.status() {
                Ok(status) => status.ready_to_print(),
                Err(e) => {
                    if self.printer_ready != Some(false) {
                        tracing::warn!("printer: {e}");
                    }
                    false
                }
            },
        };
        if self.printer_ready != Some(ready) {
            self.printer_ready = Some(ready);
            self.send(KioskEvent::PrinterReady(ready));
        }
    }

    /// Tells the UI which receipts can be reprinted now.
    fn offer_reprints(&mut self) {
        let since = now_ms() - REPRINT_WINDOW_MS;
        match self.journal.unconfirmed_receipts() {
            Ok(records) => {
                let mut offered: Vec<Reprintable> = records
                    .iter()
                    .filter(|r| r.created_at_ms >= since)
                    .filter_map(|r| {
                        Some(Reprintable {
                            seq: r.seq,
                            what: what_was_recorded(r)?,
                            time: time_in_china(r.created_at_ms),
                        })
                    })
                    .collect();
                offered.reverse();
                self.send(KioskEvent::Reprintable(offered));
            }
            Err(e) => tracing::error!("the receipts to reprint cannot be listed: {e}"),
        }
    }

    fn serve(&mut self, request: ServiceRequest) {
        if let ServiceAsk::Reprint { seq } = request.ask {
            self.reprint(request.number, seq);
            self.offer_reprints();
            return;
        }
        let now = now_ms();
        // A statement prints from the record in memory, not from the journal (see Statement).
        let mut statement_receipt = None;
        let recorded = match request.ask {
            ServiceAsk::Ticket(window) => self.record_ticket(window, now),
            ServiceAsk::Report { category, place, place_name } => {
                let day = day_in_china(now);
                let tracking_number = records::new_tracking_number(&day, || fastrand::u64(..));
                let payload = ReportPayload { tracking_number: tracking_number.clone(), category, place, place_name };
                self.record(kinds::ISSUE_REPORT, &payload, now)
                    .map(|seq| (seq, RecordedWhat::Report { category, tracking_number }))
            }
            ServiceAsk::Vote { resident, proposal, proposal_title, closes, choice, comment } => {
                if day_in_china(now) > closes {
                    self.send(KioskEvent::VoteRefused { request: request.number, closed: true });
                    return;
                }
                let vote_code = records::new_vote_code(|n| fastrand::usize(..n));
                let once_key = resident.vote_once_key(&proposal);
                let sealed = match resident.vote_seal(&proposal, now) {
                    Ok(sealed) => sealed,
                    Err(e) => {
                        tracing::error!("a vote could not be sealed for the server: {e}");
                        self.send(KioskEvent::RecordRefused { request: request.number });
                        return;
                    }
                };
                let payload = VotePayload { proposal, proposal_title, choice, comment, vote_code: vote_code.clone() };
                match self.record_once(kinds::VOTE, &payload, Some(&sealed), &once_key, now) {
                    Ok(Some(seq)) => Ok((seq, RecordedWhat::Vote { choice, vote_code })),
                    Ok(None) => {
                        self.send(KioskEvent::VoteRefused { request: request.number, closed: false });
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            ServiceAsk::BillPaid { order_id, account, utility, period, amount_fen } => {
                let once_key = records::payment_once_key(&order_id);
                let payload = PaymentPayload {
                    order_id: order_id.clone(),
                    account,
                    utility: utility.clone(),
                    period,
                    amount_fen,
                };
                match self.record_once(kinds::BILL_PAYMENT, &payload, None, &once_key, now) {
                    Ok(Some(seq)) => Ok((seq, RecordedWhat::Payment { utility, amount_fen, order_id })),
                    Ok(None) => {
                        tracing::info!(%order_id, "a paid order was reported again: it is recorded once");
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            ServiceAsk::PrintSlip(slip) => {
                self.record(kinds::CONTENT_SLIP, &slip, now).map(|seq| (seq, RecordedWhat::Slip))
            }
            ServiceAsk::Appointment { appointment_id, window, starts_at } => {
                let payload = AppointmentPayload { appointment_id, window, starts_at: starts_at.clone() };
                let once_key = format!("appointment:{}", payload.appointment_id);
                match self.record_once(kinds::APPOINTMENT, &payload, None, &once_key, now) {
                    Ok(Some(seq)) => Ok((seq, RecordedWhat::Appointment { window, starts_at })),
                    Ok(None) => {
                        tracing::info!("an appointment was reported again: it is recorded once");
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            ServiceAsk::Statement { record } => {
                let payload = serde_json::json!({ "months": record.contributions.len() });
                statement_receipt = Some(records::statement_receipt(&record, now));
                let new = NewTransaction {
                    kind: kinds::SOCIAL_INSURANCE_STATEMENT,
                    payload: &payload,
                    resident: None,
                    receipt: ReceiptPlan::Intended,
                };
                self.journal.record(&new, now).map(|c| (c.seq, RecordedWhat::Statement))
            }
            ServiceAsk::Reprint { .. } => unreachable!("reprints are served above"),
        };
        let (seq, what, receipt) = match recorded {
            Ok((seq, what)) => (seq, what, statement_receipt),

            Err(e) => {
                tracing::error!("a service could not be recorded: {e}");
                self.send(KioskEvent::RecordRefused { request: request.number });
                return;
            }
        };
        if let Some(wake) = &self.wake_sync {
            wake.notify_one();
        }
        let printing = self.printer_ready == Some(true);
        self.send(KioskEvent::Recorded(Recorded { request: request.number, seq, what, printing, copy: false }));
        let printed = match (printing, receipt) {
            (false, _) => false,
            (true, Some(receipt)) => self.print_receipt(seq, &receipt, false),
            (true, None) => self.print(seq, false),
        };
        if !printed {
            self.outcome(seq, Outcome::Unconfirmed, now_ms());
        }
        self.send(KioskEvent::ReceiptOutcome { seq, printed });
        if !printed {
            self.offer_reprints();
        }
    }

    /// Prints a recorded transaction's receipt again, marked as a copy; nothing new is recorded
    /// but the outcome. A copy that does not come out leaves the receipt as it was.
    fn reprint(&mut self, request: u64, seq: u64) {
        let what = self.journal.get(seq).ok().as_ref().and_then(what_was_recorded);
        let Some(what) = what else {
            tracing::error!(seq, "a reprint was asked for a record that has no receipt");
            self.send(KioskEvent::RecordRefused { request });
            return;
        };
        let printing = self.printer_ready == Some(true);
        self.send(KioskEvent::Recorded(Recorded { request, seq, what, printing, copy: true }));
        let printed = printing && self.print(seq, true);
        self.send(KioskEvent::ReceiptOutcome { seq, printed });
    }

    fn record_ticket(
        &mut self,
        window: records::Window,
        now: i64,
    ) -> Result<(u64, RecordedWhat), crate::journal::JournalError> {
        let day = day_in_china(now);
        let todays: Vec<TicketPayload> = self
            .journal
            .records_of_kind_since(kinds::QUEUE_TICKET, start_of_day_in_china(now))?
            .iter()
            .filter_map(|r| serde_json::from_str(r.payload.as_str()).ok())
            .collect();
        let number = records::next_ticket_number(window, &day, &todays);
        let payload = TicketPayload { window, number: number.clone(), day };
        self.record(kinds::QUEUE_TICKET, &payload, now).map(|seq| (seq, RecordedWhat::Ticket { window, number }))
    }

    fn record(
        &mut self,
        kind: &str,
        payload: &impl serde::Serialize,
        now: i64,
    ) -> Result<u64, crate::journal::JournalError> {
        let payload = serde_json::to_value(payload).expect("record payloads serialise");
        let new = NewTransaction { kind, payload: &payload, resident: None, receipt: ReceiptPlan::Intended };
        self.journal.record(&new, now).map(|committed| committed.seq)
    }

    fn record_once(
        &mut self,
        kind: &str,
        payload: &impl serde::Serialize,
        resident: Option<&str>,
        once_key: &str,
        now: i64,
    ) -> Result<Option<u64>, crate::journal::JournalError> {
        let payload = serde_json::to_value(payload).expect("record payloads serialise");
        let new = NewTransaction { kind, payload: &payload, resident, receipt: ReceiptPlan::Intended };
        self.journal.record_once(&new, once_key, now).map(|committed| committed.map(|c| c.seq))
    }

    /// Prints the receipt of `seq` (from its journal record) and journals a confirmed outcome;
    /// false if it did not print.
    fn print(&mut self, seq: u64, copy: bool) -> bool {
        let record = match self.journal.get(seq) {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(seq, "the record to print cannot be read: {e}");
                return false;
            }
        };
        let id = record.id.to_string();
        let facts = RecordFacts {
            kind: &record.kind,
            payload: record.payload.as_str(),
            id: &id,
            created_at_ms: record.created_at_ms,
        };
        let Some(receipt) = records::receipt_for(facts, copy) else { return false };
        self.print_receipt(seq, &receipt, copy)
    }

    /// Prints `receipt` for the transaction `seq` and journals a confirmed outcome.
    fn print_receipt(&mut self, seq: u64, receipt: &Receipt, copy: bool) -> bool {
        let Some(printer) = &mut self.printer else { return false };
        let mut encoder = ReceiptEncoder::new(printer.profile());
        if let Some(glyphs) = &self.glyphs {
            encoder = encoder.with_rasterizer(glyphs);
        }
        let job = match encoder.encode(receipt) {
            Ok(job) => job,
            Err(e) => {
                tracing::error!(seq, "receipt not encoded: {e}");
                return false;
            }
        };
        let printed = match printer.print(&job) {
            Ok(PrintOutcome::Confirmed { .. }) => true,
            Ok(PrintOutcome::Unconfirmed { fault, .. }) => {
                tracing::warn!(seq, "receipt not confirmed: {fault}");
                false
            }
            Err(e) => {
                tracing::warn!(seq, "receipt not printed: {e}");
                false
            }
        };
        if printed {
            self.outcome(seq, if copy { Outcome::Reprinted } else { Outcome::Printed }, now_ms());
        } else {
            // Whatever stopped it shows as the printer's state until it is fixed.
            self.printer_ready = None;
            self.check_printer();
        }
        printed
    }

    /// Journals what became of a receipt, in its own commit.
    fn outcome(&mut self, seq: u64, outcome: Outcome, now: i64) {
        let result = match outcome {
            Outcome::Printed => self.journal.receipt_printed(seq, now),
            Outcome::Reprinted => self.journal.receipt_reprinted(seq, now),
            Outcome::Unconfirmed => self.journal.receipt_unconfirmed(seq, now),
        };
        if let Err(e) = result {
            // At the next start the receipt shows as unconfirmed anyway (intent without outcome).
            tracing::error!(seq, "the receipt's outcome could not be journaled: {e}");
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Printed,
    Reprinted,
    Unconfirmed,
}

/// What a journaled record was, as the UI shows it; `None` for kinds without a receipt.
fn what_was_recorded(record: &JournalRecord) -> Option<RecordedWhat> {
    match record.kind.as_str() {
        kinds::QUEUE_TICKET => {
            let ticket: TicketPayload = serde_json::from_str(record.payload.as_str()).ok()?;
            Some(RecordedWhat::Ticket { window: ticket.window, number: ticket.number })
        }
        kinds::ISSUE_REPORT => {
            let report: ReportPayload = serde_json::from_str(record.payload.as_str()).ok()?;
            Some(RecordedWhat::Report { category: report.category, tracking_number: report.tracking_number })
        }
        kinds::APPOINTMENT => {
            let booked: AppointmentPayload = serde_json::from_str(record.payload.as_str()).ok()?;
            Some(RecordedWhat::Appointment { window: booked.window, starts_at: booked.starts_at })
        }
        kinds::BILL_PAYMENT => {
            let paid: PaymentPayload = serde_json::from_str(record.payload.as_str()).ok()?;
            Some(RecordedWhat::Payment { utility: paid.utility, amount_fen: paid.amount_fen, order_id: paid.order_id })
        }
        // A vote's receipt carries its vote code: it is reprinted only for its voter (not offered
        // on the shared reprint page).
        _ => None,
    }
}

/// "09:41": the time of day `ms` falls on in China Standard Time.
fn time_in_china(ms: i64) -> String {
    let minutes = (ms + 8 * 3_600_000).div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The day `ms` falls on in China Standard Time: YYYY-MM-DD.
fn day_in_china(ms: i64) -> String {
    today_in_china(UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)).to_string()
}

/// Midnight of the day `ms` falls on in China Standard Time, in ms since the epoch.
fn start_of_day_in_china(ms: i64) -> i64 {
    const DAY_MS: i64 = 86_400_000;
    const OFFSET_MS: i64 = 8 * 3_600_000;
    (ms + OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - OFFSET_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_starts_at_midnight_in_beijing() {
        // 2026-11-27 01:41 UTC is 09:41 in Beijing; that day began at 2026-11-26 16:00 UTC.
        assert_eq!(start_of_day_in_china(1_795_743_660_000), 1_795_708_800_000);
        assert_eq!(start_of_day_in_china(1_795_708_800_000), 1_795_708_800_000);
        assert_eq!(start_of_day_in_china(1_795_708_799_999), 1_795_622_400_000);
        assert_eq!(time_in_china(1_795_743_660_000), "09:41");
        assert_eq!(day_in_china(1_795_743_660_000), "2026-11-27");
    }
}
