//! The running kiosk's control socket, which `kioskctl` uses while the kiosk runs: one JSON
//! request per connection, one JSON answer. `server` serves it, `desk` answers, `ui_duties`
//! carries what only the UI thread can do (its page, a new configuration, quitting) and pings
//! systemd's watchdog from the UI's event loop; [`ask`] is the client.

pub mod client;
pub mod desk;
pub mod server;
pub mod ui_duties;

use crate::devices::receipt_copy::CopyPrinted;
use crate::technician::status_report::KioskStatus;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// The largest request the kiosk reads, and the largest answer `kioskctl` reads.
pub const REQUEST_LIMIT: u64 = 4 << 10;
pub const ANSWER_LIMIT: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum ControlRequest {
    Status,
    /// Read the configuration file again and apply what can be applied without a restart.
    ReloadConfig,
    /// Quit; systemd starts the kiosk again (`Restart=always`).
    Restart,
    /// Print again, marked as a copy, the receipt with this number (or of this journal record).
    ReprintReceipt {
        id: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum ControlAnswer {
    Status { status: Box<KioskStatus> },
    Reloaded { applied: Vec<String>, at_restart: Vec<String> },
    Restarting,
    Reprinted { copy: CopyPrinted },
    Refused { message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// Nothing serves the socket: the kiosk program is not running.
    #[error("the kiosk program is not running (nothing serves {0})")]
    NotRunning(String),
    #[error("{0}")]
    Failed(String),
}

/// Sends `request` to the kiosk serving `socket` and waits up to `deadline` for its answer.
pub fn ask(socket: &Path, request: &ControlRequest, deadline: Duration) -> Result<ControlAnswer, AskError> {
    use std::io::ErrorKind;
    let shown = socket.display().to_string();
    let mut stream = UnixStream::connect(socket).map_err(|e| match e.kind() {
        ErrorKind::NotFound | ErrorKind::ConnectionRefused => AskError::NotRunning(shown.clone()),
        ErrorKind::PermissionDenied => AskError::Failed(format!(
            "you may not use {shown}: run kioskctl as root or as a member of the technicians' group (control.group)"
        )),
        _ => AskError::Failed(format!("cannot reach the kiosk at {shown}: {e}")),
    })?;
    let failed = |e: std::io::Error| AskError::Failed(format!("the kiosk at {shown} did not answer in time: {e}"));
    stream.set_read_timeout(Some(deadline)).map_err(failed)?;
    stream.set_write_timeout(Some(deadline)).map_err(failed)?;
    let mut line = serde_json::to_vec(request).expect("requests serialise");
    line.push(b'\n');
    stream.write_all(&line).map_err(failed)?;
    let mut answer = Vec::new();
    BufReader::new(stream.take(ANSWER_LIMIT)).read_until(b'\n', &mut answer).map_err(failed)?;
    serde_json::from_slice(&answer).map_err(|e| {
        AskError::Failed(format!("the kiosk's answer cannot be read ({e}): is kioskctl the same version?"))
    })
}
