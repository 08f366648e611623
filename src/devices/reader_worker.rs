//! The card reader's thread: polls the driver at the protocol's pace, turns ID cards into
//! residents (the full number held only in the session's handle, in memory), and reports to the kiosk.

use super::device_board::{self, AvailabilityLine, DeviceBoard};
use super::worker_thread::WorkerThread;
use crate::kiosk::messages::{CardProblem, KioskEvent};
use crate::resident_key::ResidentSealer;
use crate::session::{IdentifyError, resident_from_card};
use citizen_window_hardware::card_reader::{CardData, CardReaderDriver, ReaderEvent, ReaderProtocol};
use citizen_window_hardware::sam::date::CalendarDate;
use citizen_window_hardware::serial_link::LinkOpener;
use citizen_window_protocol::china_time;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// Today's date where the kiosks stand (China Standard Time): an ID card is valid through its
/// last day there.
pub fn today_in_china(now_ms: i64) -> CalendarDate {
    CalendarDate::from_days_since_epoch(china_time::day_number(now_ms))
}

/// A running reader thread; stops when dropped.
pub struct ReaderWorker {
    _thread: WorkerThread,
}

impl ReaderWorker {
    /// Polls the reader on `opener`'s link (a serial port, a pseudo-terminal, a simulator).
    pub fn start<O: LinkOpener + 'static>(
        opener: O,
        protocol: ReaderProtocol,
        sealer: Arc<ResidentSealer>,
        events: Sender<KioskEvent>,
        devices: DeviceBoard,
    ) -> std::io::Result<Self> {
        let thread = WorkerThread::spawn("card-reader", move |stop| {
            let mut line = AvailabilityLine::new(devices, device_board::CARD_READER, "card reader", opener.describe());
            let mut driver = CardReaderDriver::new(protocol, opener, protocol.default_baud());
            loop {
                let polled = driver.poll(Instant::now());
                let now_available = polled.is_ok();
                if line.note(polled.as_ref().map(|_| ())).is_some()
                    && events.send(KioskEvent::ReaderAvailable(now_available)).is_err()
                {
                    return;
                }
                for event in polled.unwrap_or_default() {
                    let event = to_kiosk_event(event, &sealer, today_in_china(crate::journal::now_ms()));
                    if events.send(event).is_err() {
                        return;
                    }
                }
                // A card just found is read at once; otherwise the protocol's pace.
                let pause = match (now_available, driver.reading()) {
                    (true, true) => Duration::ZERO,
                    (true, false) => protocol.poll_interval(),
                    (false, _) => Duration::from_millis(500),
                };
                if stop.wait(pause) {
                    return;
                }
            }
        })?;
        Ok(Self { _thread: thread })
    }
}

/// One reader event as the kiosk sees it; the card itself is dropped (and zeroed) here.
fn to_kiosk_event(event: ReaderEvent, sealer: &ResidentSealer, today: CalendarDate) -> KioskEvent {
    match event {
        ReaderEvent::CardFound => KioskEvent::CardReading,
        ReaderEvent::CardRead(CardData::IdCard(card)) => match resident_from_card(&card, sealer, today) {
            Ok(resident) => KioskEvent::Identified(resident),
            Err(IdentifyError::Expired(last_day)) => KioskEvent::CardRefused(CardProblem::Expired(last_day)),
        },
        ReaderEvent::CardRead(_) => KioskEvent::CardRefused(CardProblem::NotAnIdCard),
        ReaderEvent::ReadFailed(reason) => {
            tracing::info!("a card could not be read: {reason}");
            KioskEvent::CardRefused(CardProblem::ReadFailed)
        }
        ReaderEvent::CardRemoved => KioskEvent::CardRemoved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_rolls_over_at_midnight_in_beijing_not_in_greenwich() {
        // 2026-11-26 15:59:59 UTC is 23:59:59 in Beijing; one second later it is the 27th there.
        let before = 1_795_708_799_000;
        assert_eq!(today_in_china(before).to_string(), "2026-11-26");
        assert_eq!(today_in_china(before + 1000).to_string(), "2026-11-27");
    }
}
