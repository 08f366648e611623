//! The server link's last known state, shared: the heartbeat loop writes it after each try, the
//! control socket reads it for `kioskctl status`.

use citizen_window_protocol::heartbeat::ContentReport;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// What the last heartbeat showed of the server and the push stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkState {
    /// `None` until the first heartbeat has been tried.
    pub online: Option<bool>,
    /// When the link last changed between online and offline (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Why the last heartbeat failed, while offline.
    pub last_error: Option<String>,
    /// The server refuses this kiosk (revoked, its certificate expired or another fleet's).
    pub certificate_refused: bool,
    /// The content versions and the push stream, when the kiosk takes content.
    pub content: Option<ContentReport>,
}

#[derive(Debug, Clone, Default)]
pub struct LinkBoard(Arc<Mutex<LinkState>>);

impl LinkBoard {
    /// A heartbeat's outcome at `now_ms`.
    pub fn heartbeat(&self, now_ms: i64, outcome: Result<(), &super::SyncError>, content: Option<ContentReport>) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let online = outcome.is_ok();
        if state.online != Some(online) {
            state.since_ms = Some(now_ms);
        }
        state.online = Some(online);
        state.last_error = outcome.err().map(ToString::to_string);
        state.certificate_refused = outcome.is_err_and(super::SyncError::refuses_this_kiosk);
        state.content = content;
    }

    pub fn state(&self) -> LinkState {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The boards the workers write their state on, read by the heartbeat and `kioskctl status`.
#[derive(Debug, Clone, Default)]
pub struct StatusBoards {
    pub devices: crate::devices::DeviceBoard,
    pub link: LinkBoard,
}
