//! `citizen-window run`: the kiosk UI on the real display, with the configured content and
//! session timing, and the kiosk runtime's workers (`runtime::KioskRuntime`).

use crate::config::Config;
use crate::kiosk::KioskController;
use crate::runtime::KioskRuntime;
use crate::ui::{AppWindow, Clock, KioskUi};
use anyhow::{Context, Result};
use slint::ComponentHandle;
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

pub fn run(config_path: Option<&Path>) -> Result<()> {
    let config = match config_path {
        Some(path) => Config::load(path)?,
        None => Config::parse("", Path::new("(defaults)"))?,
    };
    let (content, store) = crate::runtime::startup_content(&config)?;
    let window = AppWindow::new().context(
        "the kiosk UI cannot open a display: on the board build with --features board; on a desktop run it under X11 \
         (SLINT_BACKEND=winit-software); without any display use `citizen-window screenshot` or the headless demo",
    )?;
    match config.window_size {
        Some((width, height)) => window.window().set_size(slint::PhysicalSize::new(width, height)),
        None => window.window().set_fullscreen(true),
    }
    let heading = crate::kiosk::service_policy::receipt_heading(&content.station);
    let clock: Clock = Rc::new(Instant::now);
    let ui = KioskUi::new(
        window,
        KioskController::new(content, config.session, Instant::now(), fastrand::u64(..))
            .with_bilingual_receipts(config.receipts_bilingual)
            .with_wall_clock(Instant::now(), citizen_window_protocol::china_time::unix_now_ms()),
        clock,
    );
    ui.attach(KioskRuntime::start(&config, heading, store)?);
    ui.window.run().context("the kiosk UI stopped with an error")
}
