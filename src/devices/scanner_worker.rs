//! The code scanner's thread: reads codes from the scanner's port and hands each to the kiosk;
//! what a code means is the controller's business (`kiosk::scanned_code`).

use super::device_board::{self, AvailabilityLine, DeviceBoard};
use super::worker_thread::WorkerThread;
use crate::kiosk::messages::KioskEvent;
use citizen_window_hardware::scanner::{ScannerDriver, ScannerEvent};
use citizen_window_hardware::serial_link::LinkOpener;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How often the port is read: a code's line arrives within a few milliseconds at 9600 baud.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// A running scanner thread; stops when dropped.
pub struct ScannerWorker {
    _thread: WorkerThread,
}

impl ScannerWorker {
    pub fn start<O: LinkOpener + 'static>(
        opener: O,
        events: Sender<KioskEvent>,
        devices: DeviceBoard,
    ) -> std::io::Result<Self> {
        let thread = WorkerThread::spawn("code-scanner", move |stop| {
            let mut line = AvailabilityLine::new(devices, device_board::SCANNER, "code scanner", opener.describe());
            let mut driver = ScannerDriver::new(opener);
            loop {
                let polled = driver.poll(Instant::now());
                let now_available = polled.is_ok();
                line.note(polled.as_ref().map(|_| ()));
                for event in polled.unwrap_or_default() {
                    let event = match event {
                        ScannerEvent::Scanned(code) => KioskEvent::CodeScanned(code.text().to_string()),
                        ScannerEvent::Garbled(why) => {
                            tracing::info!("the scanner sent something unreadable: {why}");
                            KioskEvent::CodeUnreadable
                        }
                    };
                    if events.send(event).is_err() {
                        return;
                    }
                }
                let pause = if now_available { POLL_EVERY } else { Duration::from_millis(500) };
                if stop.wait(pause) {
                    return;
                }
            }
        })?;
        Ok(Self { _thread: thread })
    }
}
