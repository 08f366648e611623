//! What the control socket needs from the UI thread, done on that thread's event loop: its page,
//! a new configuration applied, quitting. The same timer pings systemd's watchdog, so a UI that
//! stops turning its event loop stops the pings and systemd restarts the kiosk.

use crate::config::Config;
use crate::service_manager::Notifier;
use crate::technician::status_report::UiState;
use crate::ui::KioskUi;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

/// How often the UI thread looks for requests.
const TURN: Duration = Duration::from_millis(100);

/// A request to the UI thread, with where its answer goes.
pub enum UiRequest {
    State(Sender<UiState>),
    Reconfigure(Box<Config>, Sender<Reconfigured>),
    Quit,
}

/// What a new configuration changed: applied at once, or waiting for a restart (by key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconfigured {
    pub applied: Vec<String>,
    pub at_restart: Vec<String>,
}

/// The UI thread's duties, running while this is kept.
pub struct UiDuties {
    _timer: slint::Timer,
}

thread_local! {
    /// Serves the requests waiting, on the UI thread ([`UiDuties::start`] sets it).
    static SERVE_NOW: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Wakes the UI thread to serve the requests waiting at once, rather than at its next turn
/// (where the event loop takes no work from other threads, the next turn serves them).
pub fn wake() {
    let _ = slint::invoke_from_event_loop(|| {
        let serve = SERVE_NOW.with(|serve| serve.borrow().clone());
        if let Some(serve) = serve {
            serve();
        }
    });
}

/// What the duties keep between turns.
struct Duties {
    ui: Rc<KioskUi>,
    requests: Receiver<UiRequest>,
    notifier: Notifier,
    /// The configuration in force.
    config: Config,
    ping_every: Option<Duration>,
    last_ping: Option<Instant>,
    ready_told: bool,
}

impl Duties {
    /// One turn of the timer: ready (once), the watchdog's ping when due, the requests.
    fn turn(&mut self) {
        if !self.ready_told {
            // The event loop turns: the kiosk is up.
            self.notifier.ready();
            self.ready_told = true;
        }
        if let Some(every) = self.ping_every
            && self.last_ping.is_none_or(|at| at.elapsed() >= every)
        {
            self.notifier.watchdog_ping();
            self.last_ping = Some(Instant::now());
        }
        self.serve();
    }

    fn serve(&mut self) {
        for request in self.requests.try_iter() {
            match request {
                UiRequest::State(reply) => {
                    let _ = reply.send(ui_state(&self.ui));
                }
                UiRequest::Reconfigure(new, reply) => {
                    let _ = reply.send(reconfigure(&self.ui, &self.config, &new));
                    self.config = *new;
                }
                UiRequest::Quit => {
                    self.notifier.stopping();
                    let _ = slint::quit_event_loop();
                }
            }
        }
    }
}

impl UiDuties {
    /// Serves `requests` and pings the watchdog from the UI's event loop; `config` is the
    /// configuration the kiosk started with.
    pub fn start(ui: Rc<KioskUi>, requests: Receiver<UiRequest>, notifier: Notifier, config: Config) -> Self {
        let ping_every = notifier.watchdog_interval().map(|interval| interval / 2);
        let duties = Rc::new(RefCell::new(Duties {
            ui,
            requests,
            notifier,
            config,
            ping_every,
            last_ping: None,
            ready_told: false,
        }));
        let timer = slint::Timer::default();
        let turning = duties.clone();
        timer.start(slint::TimerMode::Repeated, TURN, move || {
            if let Ok(mut duties) = turning.try_borrow_mut() {
                duties.turn();
            }
        });
        let serve: Rc<dyn Fn()> = Rc::new(move || {
            if let Ok(mut duties) = duties.try_borrow_mut() {
                duties.serve();
            }
        });
        SERVE_NOW.with(|now| *now.borrow_mut() = Some(serve));
        Self { _timer: timer }
    }
}

impl Drop for UiDuties {
    fn drop(&mut self) {
        SERVE_NOW.with(|now| now.borrow_mut().take());
    }
}

fn ui_state(ui: &KioskUi) -> UiState {
    let controller = ui.controller.borrow();
    let screen = controller.screen(Instant::now());
    let page = format!("{:?}", crate::ui::page_name(&screen.page)).to_lowercase();
    UiState { page, session_active: screen.page != crate::kiosk::Page::Attract }
}

/// Applies what changed from `old` to `new` that the running kiosk can take, and names the rest.
pub fn reconfigure(ui: &KioskUi, old: &Config, new: &Config) -> Reconfigured {
    let mut done = Reconfigured::default();
    if old.session != new.session {
        ui.update(|k, _| k.set_timing(new.session));
        done.applied.push("session".into());
    }
    if old.languages != new.languages {
        ui.update(|k, _| k.set_languages(&new.languages));
        done.applied.push("display.languages".into());
    }
    if old.voice != new.voice {
        match ui.with_runtime(|runtime| runtime.replace_voice(&new.voice)) {
            Ok(()) => done.applied.push("voice".into()),
            Err(e) => {
                tracing::error!("the voice cannot start its thread: {e}");
                done.at_restart.push(format!("voice (it did not start: {e})"));
            }
        }
    }
    if old.help_answer_timeout != new.help_answer_timeout {
        ui.update(|k, _| k.set_help_answer_timeout(new.help_answer_timeout));
        done.applied.push("help.answer_timeout_seconds".into());
    }
    if old.receipts_bilingual != new.receipts_bilingual {
        ui.update(|k, _| k.set_bilingual_receipts(new.receipts_bilingual));
        done.applied.push("receipts.language".into());
    }
    if old.reader != new.reader {
        match ui.with_runtime(|runtime| runtime.replace_reader(new.reader.as_ref())) {
            Ok(()) => done.applied.push("reader".into()),
            Err(e) => {
                tracing::error!("the new card reader cannot start: {e}");
                done.at_restart.push(format!("reader (it did not start: {e})"));
            }
        }
    }
    if old.scanner != new.scanner {
        match ui.with_runtime(|runtime| runtime.replace_scanner(new.scanner.as_ref())) {
            Ok(()) => done.applied.push("scanner".into()),
            Err(e) => {
                tracing::error!("the new code scanner cannot start: {e}");
                done.at_restart.push(format!("scanner (it did not start: {e})"));
            }
        }
    }
    let printer = |config: &Config| config.printer.as_ref().map(|p| (p.port.clone(), p.profile.clone()));
    if printer(old) != printer(new) {
        match ui.with_runtime(|runtime| runtime.replace_printer(new.printer.as_ref())) {
            Ok(()) => done.applied.push("printer".into()),
            Err(e) => {
                tracing::error!("the recording thread cannot restart with the new printer: {e}");
                done.at_restart.push(format!("printer (the recording thread did not restart: {e})"));
            }
        }
    }
    let at_restart = [
        ("state_dir", old.state_dir != new.state_dir),
        ("content_dir", old.content_dir != new.content_dir),
        ("display.size", old.window_size != new.window_size),
        ("journal.keep_acknowledged_days", old.journal_keep_acknowledged != new.journal_keep_acknowledged),
        ("content", old.content_updates != new.content_updates),
        ("control", old.control != new.control),
    ];
    done.at_restart.extend(at_restart.iter().filter(|(_, changed)| *changed).map(|(key, _)| key.to_string()));
    done
}
