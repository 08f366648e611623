//! Technician commands behind `kioskctl`: each returns a report or an error whose message says
//! what failed and what to check, and the binary turns that into one line and an exit code.

pub mod config_commands;
pub mod content_commands;
pub mod doctor;
mod doctor_checks;
mod doctor_display;
pub mod journal_commands;
pub mod ports;
pub mod printer_commands;
pub mod reader_commands;
pub mod receipt_commands;
pub mod scanner_commands;
pub mod status_report;
pub mod sync_commands;
pub mod test_page;

use std::path::Path;

/// The error every technician command returns: one line for the terminal.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CommandFailed(pub String);

/// Fails early, with advice, when the port path does not exist.
pub fn require_port(port: &Path) -> Result<(), CommandFailed> {
    if std::fs::metadata(port).is_err() {
        return Err(CommandFailed(format!(
            "no such port {}: run `kioskctl ports` to see the serial ports present, and check the cable",
            port.display()
        )));
    }
    Ok(())
}
