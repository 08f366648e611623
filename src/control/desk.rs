//! Answers the control socket's requests: status gathered from the kiosk's boards, the UI thread
//! and its files; a configuration reloaded from its file and handed to the UI thread; a restart.

use super::ui_duties::UiRequest;
use super::{ControlAnswer, ControlRequest};
use crate::config::Config;
use crate::devices::receipt_copy::CopyOrder;
use crate::sync::link_board::StatusBoards;
use crate::technician::receipt_commands::copy_language;
use crate::technician::status_report::{self, LiveStatus};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How long the UI thread may take to answer before status says it does not.
const UI_ANSWER: Duration = Duration::from_secs(1);
/// How long a reconfiguration may take (a printer's job in hand finishes first).
const RECONFIGURE_ANSWER: Duration = Duration::from_secs(15);
/// How long a technician's copy may take: the residents' job in hand, then the copy itself.
pub const COPY_ANSWER: Duration = Duration::from_secs(45);

pub struct ControlDesk {
    /// The file the kiosk was started with; `None`: it runs on the defaults.
    pub config_path: Option<PathBuf>,
    pub config: Mutex<Config>,
    pub boards: StatusBoards,
    pub started: Instant,
    pub ui: Mutex<Sender<UiRequest>>,
    /// The recording thread's queue of technicians' copies.
    pub copies: crossbeam_channel::Sender<CopyOrder>,
}

impl ControlDesk {
    pub fn answer(&self, request: ControlRequest) -> ControlAnswer {
        match request {
            ControlRequest::Status => {
                let config = self.config.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let live = LiveStatus {
                    pid: std::process::id(),
                    uptime_seconds: self.started.elapsed().as_secs(),
                    ui: self.ask_ui(UiRequest::State, UI_ANSWER),
                    devices: self.boards.devices.reports(),
                    link: self.boards.link.state(),
                };
                let status = status_report::gather(&config, self.config_path.as_deref(), Some(live));
                ControlAnswer::Status { status: Box::new(status) }
            }
            ControlRequest::ReloadConfig => self.reload(),
            ControlRequest::Restart => {
                self.send_ui(UiRequest::Quit);
                ControlAnswer::Restarting
            }
            ControlRequest::ReprintReceipt { id } => self.reprint(id),
        }
    }

    /// Has the recording thread print a copy, between the residents' jobs, and waits for it.
    fn reprint(&self, id: String) -> ControlAnswer {
        let language = copy_language(&self.config.lock().unwrap_or_else(|e| e.into_inner()));
        let (reply, answer) = std::sync::mpsc::channel();
        let refused = |message: &str| ControlAnswer::Refused { message: message.to_string() };
        if self.copies.send(CopyOrder { id, language, reply }).is_err() {
            return refused("the kiosk is stopping: try again once it has started");
        }
        match answer.recv_timeout(COPY_ANSWER) {
            Ok(Ok(copy)) => ControlAnswer::Reprinted { copy },
            Ok(Err(message)) => ControlAnswer::Refused { message },
            Err(_) => refused(
                "the kiosk's recording thread did not print the copy in time: its journal may refuse work; see `kioskctl doctor` and `kioskctl logs`",
            ),
        }
    }

    fn reload(&self) -> ControlAnswer {
        let Some(path) = &self.config_path else {
            return ControlAnswer::Refused {
                message: "the kiosk runs on its defaults, with no configuration file: start it with --config".into(),
            };
        };
        let new = match Config::load(path) {
            Ok(config) => config,
            Err(e) => return ControlAnswer::Refused { message: format!("the kiosk keeps its configuration: {e}") },
        };
        let boxed = Box::new(new.clone());
        match self.ask_ui(|reply| UiRequest::Reconfigure(boxed, reply), RECONFIGURE_ANSWER) {
            Some(done) => {
                *self.config.lock().unwrap_or_else(|e| e.into_inner()) = new;
                ControlAnswer::Reloaded { applied: done.applied, at_restart: done.at_restart }
            }
            None => ControlAnswer::Refused {
                message: "the kiosk's UI did not take the new configuration in time: `kioskctl restart` applies it"
                    .into(),
            },
        }
    }

    fn send_ui(&self, request: UiRequest) -> bool {
        let sent = self.ui.lock().unwrap_or_else(|e| e.into_inner()).send(request).is_ok();
        super::ui_duties::wake();
        sent
    }

    /// Asks the UI thread and waits up to `wait`; `None` if it does not answer.
    fn ask_ui<T>(&self, request: impl FnOnce(Sender<T>) -> UiRequest, wait: Duration) -> Option<T> {
        let (reply, answer) = std::sync::mpsc::channel();
        self.send_ui(request(reply)).then(|| answer.recv_timeout(wait).ok()).flatten()
    }
}
