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

#[derive(Debug, Clone, Default)]
pub struct DeviceBoard(Arc<Mutex<BTreeMap<&'static str, DeviceReport>>>);

impl DeviceBoard {
    /// A board on which every device the kiosk has starts as `no_device` until its worker reports.
    pub fn new() -> Self {
        let board = Self::default();
        for device in [PRINTER, CARD_READER, SCANNER] {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_keeps_its_last_state_and_unreported_ones_say_no_device() {
        let board = DeviceBoard::new();
        board.report(PRINTER, DeviceStatus::UserError, Some(PaperStatus::Out), Some("paper out".into()));
        board.report(PRINTER, DeviceStatus::Online, Some(PaperStatus::Low), None);
        let reports = board.reports();
        assert_eq!(reports.len(), 3);
        let printer = reports.iter().find(|r| r.device == PRINTER).unwrap();
        assert_eq!((printer.status.as_str(), printer.paper.as_deref()), ("online", Some("low")));
        let reader = reports.iter().find(|r| r.device == CARD_READER).unwrap();
        assert_eq!((reader.status.as_str(), reader.paper.as_deref()), ("no_device", None));
        let scanner = reports.iter().find(|r| r.device == SCANNER).unwrap();
        assert_eq!(scanner.status, "no_device");
    }
}
