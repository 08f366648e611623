//! The client side of the control socket, as `kioskctl` uses it: status from the running kiosk
//! (else from its files), a restart, a changed configuration handed to the running kiosk, and a
//! copy of a receipt.

use super::{AskError, ControlAnswer, ControlRequest, ask};
use crate::config::Config;
use crate::technician::status_report::{KioskStatus, gather};
use crate::technician::{CommandFailed, receipt_commands};
use std::path::Path;
use std::time::Duration;

/// The status from the running kiosk over its socket, else from the files.
pub fn status(config: &Config, config_file: Option<&Path>) -> Result<KioskStatus, CommandFailed> {
    match ask(&config.control.socket, &ControlRequest::Status, Duration::from_secs(5)) {
        Ok(ControlAnswer::Status { status }) => Ok(*status),
        Ok(other) => Err(CommandFailed(format!("the kiosk answered {other:?} to a status request"))),
        Err(AskError::NotRunning(_)) => Ok(gather(config, config_file, None)),
        Err(e) => Err(CommandFailed(e.to_string())),
    }
}

/// What only the running kiosk knows, if it runs and answers.
pub fn running_status(config: &Config) -> Option<crate::technician::status_report::LiveStatus> {
    match ask(&config.control.socket, &ControlRequest::Status, Duration::from_secs(5)) {
        Ok(ControlAnswer::Status { status }) => status.running,
        _ => None,
    }
}

/// Asks the running kiosk to quit, for systemd to start it again.
pub fn restart(config: &Config) -> Result<String, CommandFailed> {
    match ask(&config.control.socket, &ControlRequest::Restart, Duration::from_secs(5)) {
        Ok(ControlAnswer::Restarting) => Ok("the kiosk is quitting; systemd starts it again within seconds\n".into()),
        Ok(other) => Err(CommandFailed(format!("the kiosk answered {other:?} to a restart request"))),
        Err(AskError::NotRunning(socket)) => Err(CommandFailed(format!(
            "the kiosk program is not running (nothing serves {socket}): `systemctl start citizen-window`"
        ))),
        Err(e) => Err(CommandFailed(e.to_string())),
    }
}

/// Asks the running kiosk to read its file again; says what it applied and what waits.
pub fn tell_running_kiosk(config: &Config) -> String {
    match ask(&config.control.socket, &ControlRequest::ReloadConfig, Duration::from_secs(20)) {
        Ok(ControlAnswer::Reloaded { applied, at_restart }) => {
            let mut out = String::new();
            if !applied.is_empty() {
                out += &format!("the running kiosk applied at once: {}\n", applied.join(", "));
            }
            if !at_restart.is_empty() {
                out += &format!("takes effect at the next start: {} (`kioskctl restart`)\n", at_restart.join(", "));
            }
            if out.is_empty() {
                out += "the running kiosk already had these values\n";
            }
            out
        }
        Ok(ControlAnswer::Refused { message }) => format!("the running kiosk did not apply it: {message}\n"),
        Ok(other) => format!("the running kiosk answered {other:?}\n"),
        Err(AskError::NotRunning(_)) => "the kiosk is not running: it takes the change when it starts\n".into(),
        Err(e) => format!("the running kiosk was not told ({e}): `kioskctl restart` applies the change\n"),
    }
}

/// A copy of a receipt (`kioskctl receipt reprint`): by the running kiosk's recording thread,
/// between residents' receipts; by kioskctl itself when the kiosk program is not running.
pub fn reprint(config: &Config, id: &str) -> Result<String, CommandFailed> {
    let request = ControlRequest::ReprintReceipt { id: id.to_string() };
    match ask(&config.control.socket, &request, super::desk::COPY_ANSWER + Duration::from_secs(5)) {
        Ok(ControlAnswer::Reprinted { copy }) => Ok(receipt_commands::describe(&copy, true)),
        Ok(ControlAnswer::Refused { message }) => Err(CommandFailed(message)),
        Ok(other) => Err(CommandFailed(format!("the kiosk answered {other:?} to a reprint request"))),
        Err(AskError::NotRunning(_)) => receipt_commands::reprint_here(config, id),
        Err(e) => Err(CommandFailed(e.to_string())),
    }
}
