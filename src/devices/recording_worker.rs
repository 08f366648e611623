//! The recording thread: owns the journal and the receipt printer, and carries out each service's
//! plan (`kiosk::service_policy`) in docs/SYNC.md's order on one thread: commit the transaction
//! with its receipt intent, tell the kiosk, print, then commit the outcome. Between jobs it
//! watches the printer (so the kiosk can warn before a resident starts a service that prints) and
//! prunes what the server acknowledged long ago. Generic over the printer's link, so that it runs
//! on a serial port, a pseudo-terminal or an in-memory simulator alike.

use super::device_board::{self, DeviceBoard};
use super::receipt_copy::{self, CopyOrder};
use super::worker_thread::{StopSignal, WorkerThread};
use crate::journal::{Journal, JournalError, NewTransaction, ReceiptPlan, ReceiptState, now_ms};
use crate::kiosk::messages::{KioskEvent, Recorded, ServiceRequest};
use crate::kiosk::service_policy::{self, Entry, JournalView, Plan, REPRINT_WINDOW_MS, SeenBefore};
use crate::records::{self, Printing, ReceiptHeading, ReceiptLanguage, ReceiptNumbering, TicketPayload, kinds};
use citizen_window_hardware::device_state::DeviceStatus;
use citizen_window_hardware::escpos::Receipt;
use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::printer::PrinterDriver;
use citizen_window_hardware::serial_link::LinkOpener;
use citizen_window_protocol::china_time;
use crossbeam_channel::Receiver;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How often the printer's status is asked while no job runs.
const PRINTER_CHECK_INTERVAL: Duration = Duration::from_secs(3);
/// How often acknowledged records past their retention are pruned.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// What the recording thread talks to.
pub struct RecorderWiring {
    /// The resident's requests, from the kiosk runtime; the thread also ends when they end.
    pub requests: Receiver<ServiceRequest>,
    pub events: Sender<KioskEvent>,
    /// Woken after each commit, so that the server link uploads it right away.
    pub wake_sync: Option<Arc<tokio::sync::Notify>>,
    pub devices: DeviceBoard,
    /// Technicians' orders for copies of receipts, served between the residents' jobs.
    pub copies: Receiver<CopyOrder>,
}

/// What this kiosk's receipts say of where they come from, and how they are numbered.
#[derive(Clone)]
pub struct ReceiptSetup {
    pub heading: ReceiptHeading,
    pub numbering: ReceiptNumbering,
}

/// A running recording thread; stops when dropped, after the job in hand.
pub struct RecordingWorker {
    _thread: WorkerThread,
}

impl RecordingWorker {
    /// Opens the journal (an error here is the journal's own, with what to do) and starts the
    /// thread. Receipts left between intent and outcome by a crash become unconfirmed first.
    /// Acknowledged records older than `keep_acknowledged` (at least the reprint window) are
    /// pruned.
    pub fn start<O: LinkOpener + 'static>(
        journal_path: &Path,
        printer: Option<PrinterDriver<O>>,
        keep_acknowledged: Duration,
        receipts: ReceiptSetup,
        wiring: RecorderWiring,
    ) -> Result<Self, JournalError> {
        let mut journal = Journal::open(journal_path)?;
        let cut_off = journal.recover_unconfirmed_receipts(now_ms())?;
        if !cut_off.is_empty() {
            tracing::warn!(count = cut_off.len(), "receipts cut off by a restart are offered for reprint");
        }
        let keep_ms = (keep_acknowledged.as_millis() as i64).max(REPRINT_WINDOW_MS);
        let requests = wiring.requests.clone();
        let thread = WorkerThread::spawn("recording", move |stop| {
            Recorder::new(journal, printer, keep_ms, receipts, wiring).run(&requests, &stop)
        })
        .map_err(|e| JournalError::Other {
            path: journal_path.to_path_buf(),
            message: format!("cannot start the recording thread: {e}"),
        })?;
        Ok(Self { _thread: thread })
    }
}

struct Recorder<O: LinkOpener> {
    journal: Journal,
    printer: Option<PrinterDriver<O>>,
    /// Draws the Chinese text the printer's own font lacks (found once, at start).
    glyphs: Option<GlyphRasterizer>,
    printer_ready: Option<bool>,
    keep_acknowledged_ms: i64,
    last_pruned: Option<Instant>,
    receipts: ReceiptSetup,
    wiring: RecorderWiring,
}

impl<O: LinkOpener> Recorder<O> {
    fn new(
        journal: Journal,
        printer: Option<PrinterDriver<O>>,
        keep_acknowledged_ms: i64,
        receipts: ReceiptSetup,
        wiring: RecorderWiring,
    ) -> Self {
        let glyphs = GlyphRasterizer::find_system_font()
            .inspect_err(|e| tracing::warn!("receipts print with the printer's own font only: {e}"))
            .ok();
        if printer.is_none() {
            wiring.devices.report(device_board::PRINTER, DeviceStatus::NoDevice, None, None);
        }
        let last_pruned = None;
        Self { journal, printer, glyphs, printer_ready: None, keep_acknowledged_ms, last_pruned, receipts, wiring }
    }

    fn run(mut self, requests: &Receiver<ServiceRequest>, stop: &StopSignal) {
        let copies = self.wiring.copies.clone();
        self.check_printer();
        self.offer_reprints();
        self.prune_if_due();
        loop {
            crossbeam_channel::select! {
                recv(requests) -> request => match request {
                    Ok(request) => self.serve(request),
                    Err(_) => return,
                },
                recv(copies) -> order => if let Ok(order) = order {
                    self.copy(order);
                },
                recv(stop.channel()) -> _ => return,
                default(PRINTER_CHECK_INTERVAL) => {
                    self.check_printer();
                    self.prune_if_due();
                }
            }
        }
    }

    fn send(&self, event: KioskEvent) {
        // The kiosk gone means it is shutting down; the journal already holds everything.
        let _ = self.wiring.events.send(event);
    }

    fn check_printer(&mut self) {
        let ready = match &mut self.printer {
            None => false,
            Some(printer) => match printer.status() {
                Ok(status) => {
                    let detail = (!status.ready_to_print()).then(|| status.describe());
                    self.wiring.devices.report(
                        device_board::PRINTER,
                        status.device_status(),
                        Some(status.paper()),
                        detail,
                    );
                    status.ready_to_print()
                }
                Err(e) => {
                    if self.printer_ready != Some(false) {
                        tracing::warn!("printer: {e}");
                    }
                    self.wiring.devices.report(device_board::PRINTER, DeviceStatus::Offline, None, Some(e.to_string()));
                    false
                }
            },
        };
        if self.printer_ready != Some(ready) {
            self.printer_ready = Some(ready);
            self.send(KioskEvent::PrinterReady(ready));
        }
    }

    /// Deletes acknowledged records past their retention, once an hour.
    fn prune_if_due(&mut self) {
        if self.last_pruned.is_some_and(|at| at.elapsed() < PRUNE_INTERVAL) {
            return;
        }
        self.last_pruned = Some(Instant::now());
        match self.journal.prune_acknowledged(now_ms() - self.keep_acknowledged_ms) {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "acknowledged records past their retention were pruned"),
            Err(e) => tracing::error!("the journal could not be pruned: {e}"),
        }
    }

    /// Tells the kiosk which receipts can be reprinted now.
    fn offer_reprints(&mut self) {
        match self.journal.unconfirmed_receipts() {
            Ok(records) => {
                let unconfirmed = records.iter().map(|r| (r.seq, r.kind.as_str(), r.payload.as_str(), r.created_at_ms));
                self.send(KioskEvent::Reprintable(service_policy::reprint_offer(unconfirmed, now_ms())));
            }
            Err(e) => tracing::error!("the receipts to reprint cannot be listed: {e}"),
        }
    }

    fn serve(&mut self, request: ServiceRequest) {
        let now = now_ms();
        let numbering = &self.receipts.numbering;
        let mut journal = JournalFacts(&mut self.journal);
        let plan = service_policy::plan(request.number, request.ask, now, fastrand::u64(..), numbering, &mut journal);
        let language = request.language;
        match plan {
            Ok(Plan::Record(entry)) => self.record(request.number, *entry, now, language),
            Ok(Plan::Reprint { seq }) => {
                self.reprint(request.number, seq, language);
                self.offer_reprints();
            }
            Ok(Plan::Refuse(event)) => self.send(event),
            Err(e) => {
                tracing::error!("a service could not be recorded: {e}");
                self.send(KioskEvent::RecordRefused { request: request.number });
            }
        }
    }

    fn record(&mut self, request: u64, entry: Entry, now: i64, language: ReceiptLanguage) {
        let new = NewTransaction {
            kind: entry.kind,
            payload: &entry.payload,
            resident: entry.resident.as_deref(),
            receipt: ReceiptPlan::Intended,
        };
        let committed = match &entry.once {
            None => self.journal.record(&new, now).map(Some),
            Some(once) => self.journal.record_once(&new, &once.key, now),
        };
        let seq = match committed {
            Ok(Some(committed)) => committed.seq,
            Ok(None) => return self.seen_before(request, entry),
            Err(e) => {
                tracing::error!("a service could not be recorded: {e}");
                return self.send(KioskEvent::RecordRefused { request });
            }
        };
        if let Some(wake) = &self.wiring.wake_sync {
            wake.notify_one();
        }
        let printing = self.printer_ready == Some(true);
        self.send(KioskEvent::Recorded(Recorded { request, seq, what: entry.what, printing, copy: false }));
        let heading = &self.receipts.heading;
        let original = Printing { language, heading, copy: false, holder: entry.holder.as_deref() };
        let printed = match (printing, entry.statement) {
            (false, _) => false,
            (true, Some(statement)) => {
                let receipt = records::statement_receipt(&statement, now, original);
                self.print_receipt(seq, &receipt, false)
            }
            (true, None) => {
                let holder = entry.holder.clone();
                self.print(seq, false, language, holder.as_deref())
            }
        };
        if !printed {
            self.outcome(seq, Outcome::Unconfirmed, now_ms());
        }
        self.send(KioskEvent::ReceiptOutcome { seq, printed });
        if !printed {
            self.offer_reprints();
        }
    }

    /// A request whose once-key was recorded before: refused, or answered with the earlier
    /// record (a paid order reported again shows as paid, with its receipt's fate).
    fn seen_before(&mut self, request: u64, entry: Entry) {
        let Some(once) = entry.once else { return };
        match once.seen_before {
            SeenBefore::Refuse(event) => self.send(event),
            SeenBefore::ShowEarlier => {
                tracing::info!(kind = entry.kind, "reported again: it is recorded once");
                match self.journal.once_key_seq(&once.key) {
                    Ok(Some(seq)) => {
                        let printed = matches!(
                            self.journal.receipt_state(seq),
                            Ok(ReceiptState::Printed | ReceiptState::Reprinted)
                        );
                        let recorded = Recorded { request, seq, what: entry.what, printing: false, copy: false };
                        self.send(KioskEvent::Recorded(recorded));
                        self.send(KioskEvent::ReceiptOutcome { seq, printed });
                    }
                    Ok(None) | Err(_) => self.send(KioskEvent::RecordRefused { request }),
                }
            }
        }
    }

    /// Prints a recorded transaction's receipt again, marked as a copy; nothing new is recorded
    /// but the outcome. A copy that does not come out leaves the receipt as it was.
    fn reprint(&mut self, request: u64, seq: u64, language: ReceiptLanguage) {
        let what =
            self.journal.get(seq).ok().and_then(|r| service_policy::what_was_recorded(&r.kind, r.payload.as_str()));
        let Some(what) = what else {
            tracing::error!(seq, "a reprint was asked for a record that has no receipt");
            self.send(KioskEvent::RecordRefused { request });
            return;
        };
        let printing = self.printer_ready == Some(true);
        self.send(KioskEvent::Recorded(Recorded { request, seq, what, printing, copy: true }));
        let printed = printing && self.print(seq, true, language, None);
        self.send(KioskEvent::ReceiptOutcome { seq, printed });
    }

    /// Prints the receipt of `seq` (from its journal record) and journals a confirmed outcome;
    /// false if it did not print.
    fn print(&mut self, seq: u64, copy: bool, language: ReceiptLanguage, holder: Option<&str>) -> bool {
        let record = match self.journal.get(seq) {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(seq, "the record to print cannot be read: {e}");
                return false;
            }
        };
        let printing = Printing { language, heading: &self.receipts.heading, copy, holder };
        let Some(receipt) = receipt_copy::receipt_of(&record, &self.receipts.numbering, printing) else {
            return false;
        };
        self.print_receipt(seq, &receipt, copy)
    }

    /// Prints `receipt` for the transaction `seq` and journals a confirmed outcome.
    fn print_receipt(&mut self, seq: u64, receipt: &Receipt, copy: bool) -> bool {
        let Some(printer) = &mut self.printer else { return false };
        let printed = receipt_copy::press(printer, self.glyphs.as_ref(), receipt)
            .inspect_err(|why| tracing::warn!(seq, "receipt not printed: {why}"))
            .is_ok();
        if printed {
            self.outcome(seq, if copy { Outcome::Reprinted } else { Outcome::Printed }, now_ms());
        } else {
            self.printer_lost();
        }
        printed
    }

    /// Whatever stopped a print shows as the printer's state until it is fixed.
    fn printer_lost(&mut self) {
        self.printer_ready = None;
        self.check_printer();
    }

    /// A technician's copy (`kioskctl receipt reprint`), between the residents' jobs.
    fn copy(&mut self, order: CopyOrder) {
        let printer = self.printer.as_mut();
        let copied = receipt_copy::print_copy(
            &mut self.journal,
            printer,
            self.glyphs.as_ref(),
            &self.receipts,
            &order.id,
            order.language,
        );
        match &copied {
            Ok(copy) => tracing::info!(seq = copy.seq, "a technician reprinted a receipt"),
            Err(why) => {
                tracing::warn!("a technician's reprint failed: {why}");
                self.printer_lost();
            }
        }
        // An unconfirmed receipt now reprinted is no longer offered to residents.
        self.offer_reprints();
        let _ = order.reply.send(copied);
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

/// What a service's plan reads of the journal.
struct JournalFacts<'a>(&'a mut Journal);

impl JournalView for JournalFacts<'_> {
    type Error = JournalError;

    fn todays_tickets(&mut self, now_ms: i64) -> Result<Vec<TicketPayload>, JournalError> {
        Ok(self
            .0
            .records_of_kind_since(kinds::QUEUE_TICKET, china_time::start_of_day_ms(now_ms))?
            .iter()
            .filter_map(|r| serde_json::from_str(r.payload.as_str()).ok())
            .collect())
    }

    fn next_seq(&mut self) -> Result<u64, JournalError> {
        Ok(self.0.last_seq()? + 1)
    }

    fn kind_of(&mut self, seq: u64) -> Result<Option<String>, JournalError> {
        match self.0.get(seq) {
            Ok(record) => Ok(Some(record.kind)),
            Err(JournalError::NoSuchRecord(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
