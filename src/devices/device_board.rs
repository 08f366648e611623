//! The devices' last known states, shared: each device worker writes its own line in the words of
//! XFS4IoT / UnifiedPOS, the heartbeat reads them all. A device that is not configured says so.

use citizen_window_hardware::device_state::{DeviceStatus, PaperStatus};
use citizen_window_protocol::heartbeat::DeviceReport;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The devices the kiosk has, as the server knows them.
pub const PRINTER: &str = "receipt_printer";
pub const CARD_READER: &str = "card_reader";
pub const SCANNER: &str = "code_scanner";
pub const SOUND: &str = "sound_output";

#[derive(Debug, Clone, Default)]
pub struct DeviceBoard(Arc<Mutex<BTreeMap<&'static str, DeviceReport>>>);

impl DeviceBoard {
    /// A board on which every device the kiosk has starts as `no_device` until its worker reports.
    pub fn new() -> Self {
        let board = Self::default();
        for device in [PRINTER, CARD_READER, SCANNER, SOUND] {
            board.report(device, DeviceStatus::NoDevice, None, None);
        }
        board
    }

    /// The state of `device` now; `paper` for a printer.
    pub fn report(
        &self,
        device: &'static str,
        status: DeviceStatus,
        paper: Option<PaperStatus>,
        detail: Option<String>,
    ) {
        let report = DeviceReport {
            device: device.to_string(),
            status: status.to_string(),
            paper: paper.map(|p| p.to_string()),
            detail,
        };
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(device, report);
    }

    /// Every device's last state, in a stable order.
    pub fn reports(&self) -> Vec<DeviceReport> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }
}

/// One device's line, as its thread keeps it: written, and a failure logged, when the device's
/// availability changes, not on every poll.
#[derive(Debug)]
pub struct AvailabilityLine {
    board: DeviceBoard,
    device: &'static str,
    /// The device in words, for the log ("card reader").
    what: &'static str,
    /// Where it is (its port), for the log and the board's detail.
    place: String,
    available: Option<bool>,
}

impl AvailabilityLine {
    pub fn new(board: DeviceBoard, device: &'static str, what: &'static str, place: impl Into<String>) -> Self {
        Self { board, device, what, place: place.into(), available: None }
    }

    /// Notes whether the device just answered (`Err` says why not); returns its availability
    /// when that changed (or is the first noted).
    pub fn note<E: std::fmt::Display>(&mut self, result: Result<(), &E>) -> Option<bool> {
        let available = result.is_ok();
        if self.available == Some(available) {
            return None;
        }
        self.available = Some(available);
        let detail = result.err().map(|e| format!("{}: {e}", self.place));
        if let Some(detail) = &detail {
            tracing::warn!("{} at {detail}", self.what);
        }
        let status = if available { DeviceStatus::Online } else { DeviceStatus::Offline };
        self.board.report(self.device, status, None, detail);
        Some(available)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_keeps_its_last_state_and_unreported_ones_say_no_device() {
        let board = DeviceBoard::new();
        board.report(PRINTER, DeviceStatus::UserError, Some(PaperStatus::Out), Some("paper out".into()));
        board.report(PRINTER, DeviceStatus::Online, Some(PaperStatus::Low), None);
        let reports = board.reports();
        assert_eq!(reports.len(), 4);
        let printer = reports.iter().find(|r| r.device == PRINTER).unwrap();
        assert_eq!((printer.status.as_str(), printer.paper.as_deref()), ("online", Some("low")));
        let reader = reports.iter().find(|r| r.device == CARD_READER).unwrap();
        assert_eq!((reader.status.as_str(), reader.paper.as_deref()), ("no_device", None));
        let scanner = reports.iter().find(|r| r.device == SCANNER).unwrap();
        assert_eq!(scanner.status, "no_device");
    }

    #[test]
    fn an_availability_line_changes_the_board_only_when_the_device_comes_or_goes() {
        let board = DeviceBoard::new();
        let mut line = AvailabilityLine::new(board.clone(), SCANNER, "code scanner", "/dev/ttyS9");
        let gone = std::io::Error::other("unplugged");
        assert_eq!(line.note(Err(&gone)), Some(false));
        assert_eq!(line.note(Err(&gone)), None);
        let scanner = || board.reports().into_iter().find(|r| r.device == SCANNER).unwrap();
        assert_eq!(
            (scanner().status.as_str(), scanner().detail.as_deref()),
            ("offline", Some("/dev/ttyS9: unplugged"))
        );
        assert_eq!(line.note::<std::io::Error>(Ok(())), Some(true));
        assert_eq!(line.note::<std::io::Error>(Ok(())), None);
        assert_eq!((scanner().status.as_str(), scanner().detail), ("online", None));
    }
}
