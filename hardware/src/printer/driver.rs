//! The printer driver owns the printer's link: it checks status before a job, sends the whole job
//! at once, confirms completion with GS r 1, and on a fault says what happened and clears the
//! printer so that a half-printed job does not come out later.

use crate::escpos::command;
use crate::escpos::profile::PrinterProfile;
use crate::escpos::status::{PrinterStatus, StatusQuery, is_completion_byte, is_status_byte};
use crate::serial_link::{LinkError, LinkOpener, ReconnectingLink};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long the printer has to answer a real-time status query.
const STATUS_ANSWER_TIMEOUT: Duration = Duration::from_millis(500);
/// How often the driver asks for status while it waits for a job to complete.
const STATUS_POLL_WHILE_PRINTING: Duration = Duration::from_millis(400);
/// Mechanical time allowed per printed line on top of the wire time.
const TIME_PER_LINE: Duration = Duration::from_millis(60);
/// Fixed allowance on top of wire and mechanical time (cut, start-up).
const COMPLETION_SLACK: Duration = Duration::from_secs(3);

/// Something went wrong before any byte of the job was sent: nothing was printed.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(
        "printer on {port} does not answer status queries: check that it is switched on, the cable, and that its speed is {baud} baud"
    )]
    NoAnswer { port: String, baud: u32 },
    #[error("printer is not ready: {}", .0.describe())]
    NotReady(PrinterStatus),
}

/// Why a job that was (at least partly) sent cannot be confirmed as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintFault {
    PaperOut,
    CoverOpen,
    Offline,
    HardwareError,
    Disconnected,
    /// The printer never confirmed completion and its status shows no reason.
    NoCompletion,
}

impl std::fmt::Display for PrintFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PrintFault::PaperOut => "printer ran out of paper during the job: load paper, then reprint the receipt",
            PrintFault::CoverOpen => "printer cover opened during the job: close it, then reprint the receipt",
            PrintFault::Offline => "printer went offline during the job: check it, then reprint the receipt",
            PrintFault::HardwareError => "printer reported an error during the job: reset it, then reprint the receipt",
            PrintFault::Disconnected => {
                "printer was disconnected during the job: check the cable, then reprint the receipt"
            }
            PrintFault::NoCompletion => {
                "printer did not confirm the job: check the receipt, reprint it if it is missing"
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum PrintOutcome {
    /// The printer processed every byte of the job.
    Confirmed { bytes: usize, elapsed_ms: u64, paper_low: bool },
    /// The job may be partly printed or not at all: offer a reprint marked as a copy.
    Unconfirmed { fault: PrintFault, elapsed_ms: u64, status: Option<PrinterStatus> },
}

pub struct PrinterDriver<O: LinkOpener> {
    link: ReconnectingLink<O>,
    profile: PrinterProfile,
    rx: Vec<u8>,
}

impl<O: LinkOpener> PrinterDriver<O> {
    pub fn new(opener: O, profile: PrinterProfile) -> Self {
        Self { link: ReconnectingLink::new(opener), profile, rx: Vec::new() }
    }

    pub fn profile(&self) -> &PrinterProfile {
        &self.profile
    }

    pub fn link(&mut self) -> &mut ReconnectingLink<O> {
        &mut self.link
    }

    /// Asks all four real-time status questions.
    pub fn status(&mut self) -> Result<PrinterStatus, PrinterError> {
        self.link.discard_input()?;
        self.rx.clear();
        let mut status = PrinterStatus::default();
        for query in StatusQuery::ALL {
            self.link.write_all(&command::realtime_status(query as u8), Instant::now() + STATUS_ANSWER_TIMEOUT)?;
            let byte = self.wait_for_byte(is_status_byte, Instant::now() + STATUS_ANSWER_TIMEOUT)?;
            let Some(byte) = byte else {
                return Err(PrinterError::NoAnswer { port: self.link.port_name(), baud: self.profile.baud });
            };
            status.apply(query, byte);
        }
        Ok(status)
    }

    /// Reads until a byte matching `wanted` arrives or `deadline` passes; other bytes are kept.
    fn wait_for_byte(&mut self, wanted: fn(u8) -> bool, deadline: Instant) -> Result<Option<u8>, LinkError> {
        loop {
            if let Some(pos) = self.rx.iter().position(|&b| wanted(b)) {
                let byte = self.rx[pos];
                self.rx.drain(..=pos);
                return Ok(Some(byte));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            let mut buf = [0u8; 64];
            let n = self.link.read_some(&mut buf)?;
            self.rx.extend_from_slice(&buf[..n]);
        }
    }

    /// Prints a whole job (from [`crate::escpos::ReceiptEncoder`]) and confirms it.
    pub fn print(&mut self, job: &[u8]) -> Result<PrintOutcome, PrinterError> {
        let status = self.status()?;
        if !status.ready_to_print() {
            return Err(PrinterError::NotReady(status));
        }
        let started = Instant::now();
        let lines = job.iter().filter(|&&b| b == command::LF).count() + 10;
        let wire = Duration::from_secs_f64(self.profile.wire_seconds(job.len() + 3));
        let deadline = started + wire.mul_f64(1.5) + TIME_PER_LINE * lines as u32 + COMPLETION_SLACK;
        let elapsed_ms = |at: Instant| at.elapsed().as_millis() as u64;

        let mut message = Vec::with_capacity(job.len() + 3);
        message.extend_from_slice(job);
        message.extend_from_slice(&command::TRANSMIT_PAPER_STATUS);
        if let Err(e) = self.link.write_all(&message, deadline) {
            tracing::warn!(error = %e, "printer link failed during a job");
            let fault = match e {
                LinkError::Disconnected { .. } => PrintFault::Disconnected,
                LinkError::WriteTimeout { .. } => PrintFault::NoCompletion,
            };
            return Ok(self.give_up(fault, None, started));
        }

        let mut live = PrinterStatus::default();
        let mut next_poll = Instant::now() + wire + STATUS_POLL_WHILE_PRINTING;
        let mut pending_queries: Vec<StatusQuery> = Vec::new();
        loop {
            let mut buf = [0u8; 64];
            let n = match self.link.read_some(&mut buf) {
                Ok(n) => n,
                Err(_) => return Ok(self.give_up(PrintFault::Disconnected, None, started)),
            };
            for &byte in &buf[..n] {
                if is_status_byte(byte) && !pending_queries.is_empty() {
                    let query = pending_queries.remove(0);
                    live.apply(query, byte);
                } else if is_completion_byte(byte) {
                    return Ok(PrintOutcome::Confirmed {
                        bytes: job.len(),
                        elapsed_ms: elapsed_ms(started),
                        paper_low: byte & 0b0000_0011 != 0,
                    });
                }
            }
            if let Some(fault) = fault_from(&live) {
                return Ok(self.give_up(fault, Some(live), started));
            }
            let now = Instant::now();
            if now >= deadline {
                let fallback = if live.offline { PrintFault::Offline } else { PrintFault::NoCompletion };
                let fault = fault_from(&live).unwrap_or(fallback);
                return Ok(self.give_up(fault, Some(live), started));
            }
            if now >= next_poll && pending_queries.is_empty() {
                for query in [StatusQuery::Printer, StatusQuery::OfflineCause, StatusQuery::PaperSensor] {
                    if self.link.write_all(&command::realtime_status(query as u8), now + STATUS_ANSWER_TIMEOUT).is_err()
                    {
                        return Ok(self.give_up(PrintFault::Disconnected, None, started));
                    }
                    pending_queries.push(query);
                }
                next_poll = now + STATUS_POLL_WHILE_PRINTING;
            }
        }
    }

    /// Ends a job that cannot be confirmed: clears the printer's buffer (where the model supports
    /// it) so that the rest of the job does not print later, garbled, on the next receipt.
    /// The status returned is read after the clear, so the printer has processed it by then.
    fn give_up(&mut self, fault: PrintFault, mut status: Option<PrinterStatus>, started: Instant) -> PrintOutcome {
        if fault != PrintFault::Disconnected {
            if self.profile.supports_clear_buffers {
                let deadline = Instant::now() + STATUS_ANSWER_TIMEOUT;
                let _ = self.link.write_all(&command::recover(true), deadline);
            }
            if let Ok(after) = self.status() {
                status = Some(after);
            }
        }
        tracing::warn!(%fault, "print job unconfirmed");
        PrintOutcome::Unconfirmed { fault, elapsed_ms: started.elapsed().as_millis() as u64, status }
    }
}

fn fault_from(status: &PrinterStatus) -> Option<PrintFault> {
    if status.paper_out || status.stopped_by_paper_end {
        Some(PrintFault::PaperOut)
    } else if status.cover_open {
        Some(PrintFault::CoverOpen)
    } else if status.unrecoverable_error || status.autocutter_error || status.recoverable_error {
        Some(PrintFault::HardwareError)
    } else {
        None
    }
}
