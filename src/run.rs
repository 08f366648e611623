//! `citizen-window run`: the kiosk UI on the real display, with the configured content and
//! session timing, and the kiosk runtime's workers (`runtime::KioskRuntime`); the control socket
//! for `kioskctl` and systemd's notifications beside it.

use crate::config::Config;
use crate::config::file::default_config_path;
use crate::control::desk::ControlDesk;
use crate::control::server::ControlServer;
use crate::control::ui_duties::UiDuties;
use crate::kiosk::KioskController;
use crate::runtime::KioskRuntime;
use crate::service_manager::Notifier;
use crate::ui::{AppWindow, Clock, KioskUi};
use anyhow::{Context, Result};
use slint::ComponentHandle;
use std::os::fd::AsFd;
use std::path::Path;
use std::rc::Rc;
use std::sync::Mutex;
use std::time::Instant;

/// Runs the kiosk with the configuration file `config_path`; without one, with the default file
/// ([`default_config_path`]) if there is one, else with the defaults.
pub fn run(config_path: Option<&Path>) -> Result<()> {
    let default_path = default_config_path();
    let config_path = config_path.or_else(|| default_path.exists().then_some(default_path.as_path()));
    let config = match config_path {
        Some(path) => Config::load(path)?,
        None => {
            tracing::warn!("no configuration file at {}: the defaults apply", default_path.display());
            Config::parse("", Path::new("(defaults)"))?
        }
    };
    let window = AppWindow::new().context(
        "the kiosk UI cannot open a display: on the board build with --features board; on a desktop run it under X11 \
         (SLINT_BACKEND=winit-software); without any display use `citizen-window screenshot` or the headless demo",
    )?;
    match config.window_size {
        Some((width, height)) => window.window().set_size(slint::PhysicalSize::new(width, height)),
        None => window.window().set_fullscreen(true),
    }
    // On the board's virtual terminal: no key switches away, the kernel draws nothing over the UI.
    let _console = crate::console_lockdown::lock(std::io::stdin().as_fd());
    let (ui, _services) = start_kiosk(window, config, config_path, Notifier::from_environment())?;
    ui.window.run().context("the kiosk UI stopped with an error")
}

/// The kiosk of `config` in `window`: its content, controller, UI, workers and services, started;
/// the caller shows the window and turns the event loop. `config_path`: the file `config` came
/// from (`kioskctl config set` has it read again).
pub fn start_kiosk(
    window: AppWindow,
    config: Config,
    config_path: Option<&Path>,
    notifier: Notifier,
) -> Result<(Rc<KioskUi>, KioskServices)> {
    let (content, store) = crate::runtime::startup_content(&config)?;
    let heading = crate::kiosk::service_policy::receipt_heading(&content.station);
    let clock: Clock = Rc::new(Instant::now);
    let mut controller = KioskController::new(content, config.session, Instant::now(), fastrand::u64(..))
        .with_bilingual_receipts(config.receipts_bilingual)
        .with_wall_clock(Instant::now(), citizen_window_protocol::china_time::unix_now_ms());
    controller.set_languages(&config.languages);
    controller.set_help_answer_timeout(config.help_answer_timeout);
    let ui = Rc::new(KioskUi::new(window, controller, clock));
    let runtime = KioskRuntime::start(&config, heading, store)?;
    let services = KioskServices::start(ui.clone(), runtime, config, config_path, notifier);
    Ok((ui, services))
}

/// The kiosk of the file `config_path` on a headless window (1080×1920 unless the file sets a
/// size), shown, for tests, benchmarks and the soak; the caller has set a headless platform
/// (`ui::screenshot::use_headless_renderer` or its own) and turns the event loop.
#[cfg(feature = "developer")]
pub fn start_headless_kiosk(config_path: &Path, notifier: Notifier) -> Result<(Rc<KioskUi>, KioskServices)> {
    let config = Config::load(config_path)?;
    let window = AppWindow::new().context("the headless renderer cannot start")?;
    let (width, height) = config.window_size.unwrap_or((1080, 1920));
    window.window().set_size(slint::PhysicalSize::new(width, height));
    let (ui, services) = start_kiosk(window, config, Some(config_path), notifier)?;
    ui.window.show()?;
    Ok((ui, services))
}

/// What serves a running kiosk's UI besides its workers: the control socket and the UI thread's
/// duties (its answers to the socket, systemd's watchdog). Stopped when dropped.
pub struct KioskServices {
    _control: Option<ControlServer>,
    _duties: UiDuties,
}

impl KioskServices {
    /// Attaches `runtime` to `ui` and serves the control socket of `config`; `config_path` is
    /// the file the configuration came from (reloaded by `kioskctl config set`).
    pub fn start(
        ui: Rc<KioskUi>,
        runtime: KioskRuntime,
        config: Config,
        config_path: Option<&Path>,
        notifier: Notifier,
    ) -> Self {
        let boards = runtime.boards().clone();
        let copies = runtime.copy_orders();
        ui.attach(runtime);
        let (ui_requests, ui_inbox) = std::sync::mpsc::channel();
        let desk = ControlDesk {
            config_path: config_path.map(Path::to_path_buf),
            config: Mutex::new(config.clone()),
            boards,
            started: Instant::now(),
            ui: Mutex::new(ui_requests),
            copies,
        };
        let control = ControlServer::start(&config.control, move |request| desk.answer(request))
            .inspect_err(|e| {
                tracing::error!("kioskctl cannot reach this kiosk ({}): {e}", config.control.socket.display())
            })
            .ok();
        let duties = UiDuties::start(ui, ui_inbox, notifier, config);
        Self { _control: control, _duties: duties }
    }
}
