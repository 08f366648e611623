//! `kioskctl scanner read`: waits for a code on the scanner and shows it, with what the kiosk
//! makes of it (a receipt's number, a bill's account, or a code it does not read).

use super::{CommandFailed, require_port};
use crate::records::{ScannedCode, classify_scanned_code as classify};
use citizen_window_hardware::scanner::{COMMON_BAUDS, ScannerDriver, ScannerEvent};
use citizen_window_hardware::serial_link::SerialPortOpener;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub code: String,
    /// receipt, bill_account or unrecognised.
    pub reads_as: &'static str,
}

pub fn read_code(port: &Path, baud: u32, timeout: Duration) -> Result<ScanReport, CommandFailed> {
    require_port(port)?;
    if !COMMON_BAUDS.contains(&baud) {
        return Err(CommandFailed(format!("--baud {baud}: scanners here send at 9600 or 115200")));
    }
    let mut driver = ScannerDriver::new(SerialPortOpener::new(port, baud));
    let deadline = Instant::now() + timeout;
    let mut last_garbled = None;
    while Instant::now() < deadline {
        let events = driver.poll(Instant::now()).map_err(|e| CommandFailed(e.to_string()))?;
        for event in events {
            match event {
                ScannerEvent::Scanned(code) => {
                    let reads_as = match classify(code.text(), false) {
                        ScannedCode::Receipt(_) => "receipt",
                        ScannedCode::BillAccount(_) => "bill_account",
                        ScannedCode::Unrecognised => "unrecognised",
                    };
                    return Ok(ScanReport { code: code.text().to_string(), reads_as });
                }
                ScannerEvent::Garbled(why) => last_garbled = Some(why),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(CommandFailed(match last_garbled {
        Some(why) => format!("no readable code within {} s; last attempt: {why}", timeout.as_secs()),
        None => format!(
            "no code within {} s: scan a code, and check that {} is the scanner, set to {baud} baud with a line ending after each code",
            timeout.as_secs(),
            port.display()
        ),
    }))
}

pub fn render(report: &ScanReport) -> String {
    let meaning = match report.reads_as {
        "receipt" => "a receipt's number: opens its report's status, or reprints it",
        "bill_account" => "a bill's account number: looks the bill up",
        _ => "not a code the kiosk reads (residents are told what it accepts)",
    };
    format!("code scanned\n  text:     {}\n  reads as: {meaning}\n", report.code)
}
