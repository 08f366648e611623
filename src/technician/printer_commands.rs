//! `kioskctl printer status` and `kioskctl printer test`.

use super::{CommandFailed, require_port, test_page::test_page};
use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::escpos::{PrinterStatus, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver, PrinterError, PrinterProfile};
use citizen_window_hardware::serial_link::SerialPortOpener;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub port: String,
    pub profile: String,
    pub state: String,
    pub paper: String,
    pub cover_open: bool,
    pub action: String,
    pub message: String,
    pub raw: PrinterStatus,
}

fn open(port: &Path, profile: &str) -> Result<PrinterDriver<SerialPortOpener>, CommandFailed> {
    require_port(port)?;
    let profile = PrinterProfile::load(profile).map_err(|e| CommandFailed(e.to_string()))?;
    let opener = SerialPortOpener::new(port, profile.baud);
    Ok(PrinterDriver::new(opener, profile))
}

fn failed(e: PrinterError) -> CommandFailed {
    CommandFailed(e.to_string())
}

/// Asks the printer for its status; `Ok` with the report even if it is not ready.
pub fn status(port: &Path, profile: &str) -> Result<StatusReport, CommandFailed> {
    let mut driver = open(port, profile)?;
    let status = driver.status().map_err(failed)?;
    Ok(StatusReport {
        port: port.display().to_string(),
        profile: driver.profile().name.clone(),
        state: status.device_status().to_string(),
        paper: status.paper().to_string(),
        cover_open: status.cover_open,
        action: status.required_action().to_string(),
        message: status.describe(),
        raw: status,
    })
}

pub fn render_status(report: &StatusReport) -> String {
    format!(
        "printer {} ({})\n  state:  {}\n  paper:  {}\n  cover:  {}\n  action: {}\n  {}\n",
        report.port,
        report.profile,
        report.state,
        report.paper,
        if report.cover_open { "open" } else { "closed" },
        report.action,
        report.message
    )
}

#[derive(Debug, Serialize)]
pub struct TestReport {
    pub bytes: usize,
    pub outcome: PrintOutcome,
}

/// Prints the test page and confirms it.
pub fn print_test_page(port: &Path, profile: &str) -> Result<TestReport, CommandFailed> {
    let mut driver = open(port, profile)?;
    let page = test_page(&driver.profile().name, driver.profile().columns);
    let font = GlyphRasterizer::find_system_font().ok();
    let mut encoder = ReceiptEncoder::new(driver.profile());
    if let Some(font) = &font {
        encoder = encoder.with_rasterizer(font);
    }
    let job = encoder.encode(&page).map_err(|e| CommandFailed(e.to_string()))?;
    let outcome = driver.print(&job).map_err(failed)?;
    if let PrintOutcome::Unconfirmed { fault, .. } = &outcome {
        return Err(CommandFailed(format!("test page not confirmed: {fault}")));
    }
    Ok(TestReport { bytes: job.len(), outcome })
}
