//! The card reader's thread: polls the driver at the protocol's pace, turns ID cards into
//! residents (the full number held only in the session's handle, in memory), and reports to the kiosk.

use super::stoppable_thread::StoppableThread;
use super::{CardProblem, KioskEvent};
use crate::resident_key::ResidentSealer;
use crate::session::{IdentifyError, resident_from_card};
use citizen_window_hardware::card_reader::{CardData, CardReaderDriver, ReaderEvent, ReaderProtocol};
use citizen_window_hardware::sam::date::CalendarDate;
use citizen_window_hardware::serial_link::SerialPortOpener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Today's date where the kiosks stand (China Standard Time, UTC+8, no daylight saving): an ID
/// card is valid through its last day there.
pub fn today_in_china(now: SystemTime) -> CalendarDate {
    let seconds = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64) + 8 * 3600;
    CalendarDate::from_days_since_epoch(seconds.div_euclid(86_400))
}

/// A running reader thread; stops when dropped.
pub struct ReaderWorker {
    _thread: StoppableThread,
}

impl ReaderWorker {
    pub fn start(
        port: PathBuf,
        protocol: ReaderProtocol,
        sealer: Arc<ResidentSealer>,
        events: Sender<KioskEvent>,
    ) -> std::io::Result<Self> {
        let thread = StoppableThread::spawn("card-reader", move |stop| {
            let baud = protocol.default_baud();
            let mut driver = CardReaderDriver::new(protocol, SerialPortOpener::new(&port, baud), baud);
            let mut available = None;
            while !StoppableThread::stopping(stop) {
                let polled = driver.poll(Instant::now());
                let now_available = polled.is_ok();
                if available != Some(now_available) {
                    available = Some(now_available);
                    if let Err(e) = &polled {
                        tracing::warn!("card reader at {}: {e}", port.display());
                    }
                    if events.send(KioskEvent::ReaderAvailable(now_available)).is_err() {
                        return;
                    }
                }
                for event in polled.unwrap_or_default() {
                    let event = to_kiosk_event(event, &sealer, today_in_china(SystemTime::now()));
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
                std::thread::sleep(pause);
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
        let before = UNIX_EPOCH + Duration::from_secs(1_795_708_799);
        assert_eq!(today_in_china(before).to_string(), "2026-11-26");
        assert_eq!(today_in_china(before + Duration::from_secs(1)).to_string(), "2026-11-27");
    }
}
