//! `citizen-window run`: the kiosk UI on the real display, with the configured content and
//! session timing, the recording thread (journal and receipt printer) and the card reader.

use crate::config::{Config, ReaderConfig};
use crate::content::Content;
use crate::devices::{KioskEvent, ReaderWorker, RecordingWorker};
use crate::kiosk::KioskController;
use crate::resident_key::ResidentKeyer;
use crate::sync::identity::KioskIdentity;
use crate::ui::{AppWindow, Clock, KioskUi};
use anyhow::{Context, Result};
use slint::ComponentHandle;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

pub fn run(config_path: Option<&Path>) -> Result<()> {
    let config = match config_path {
        Some(path) => Config::load(path)?,
        None => Config::parse("", Path::new("(defaults)"))?,
    };
    let content = Content::load(&config.content_dir).with_context(|| {
        format!(
            "no usable content in {}: install a content folder there (docs/CONTENT.md) or set content_dir",
            config.content_dir.display()
        )
    })?;
    let window = AppWindow::new().context(
        "the kiosk UI cannot open a display: on the board build with --features board; on a desktop run it under X11 \
         (SLINT_BACKEND=winit-software); without any display use `citizen-window screenshot` or the headless demo",
    )?;
    match config.window_size {
        Some((width, height)) => window.window().set_size(slint::PhysicalSize::new(width, height)),
        None => window.window().set_fullscreen(true),
    }
    let clock: Clock = Rc::new(Instant::now);
    let ui = KioskUi::new(window, KioskController::new(content, config.session, Instant::now()), clock);
    let (events, reports) = std::sync::mpsc::channel();
    ui.listen(reports);
    let (requests, recorder_requests) = std::sync::mpsc::channel();
    let journal_path = crate::technician::sync_commands::journal_path(&config.state_dir);
    // Without a journal the kiosk still shows content; every service that records is refused
    // with a sentence, and the technician sees why in the log and in `kioskctl sync status`.
    let _recorder =
        match RecordingWorker::start(journal_path, config.printer.clone(), recorder_requests, events.clone()) {
            Ok(worker) => {
                ui.record_with(requests);
                Some(worker)
            }
            Err(e) => {
                tracing::error!("services that record are refused: {e}");
                None
            }
        };
    let _reader = match &config.reader {
        Some(reader) => start_reader(&ui, &config, reader, events)?,
        None => None,
    };
    ui.window.run().context("the kiosk UI stopped with an error")
}

/// The card reader's thread, reporting to the UI. Residents are keyed with the fleet's secret
/// from enrolment: without it the kiosk runs, and says that cards cannot be used.
fn start_reader(
    ui: &KioskUi,
    config: &Config,
    reader: &ReaderConfig,
    events: std::sync::mpsc::Sender<KioskEvent>,
) -> Result<Option<ReaderWorker>> {
    let secret = match KioskIdentity::load(&config.state_dir) {
        Ok(identity) => identity.resident_secret,
        Err(e) => {
            tracing::error!("cards cannot identify residents until the kiosk is enrolled (kioskctl enrol): {e}");
            ui.update(|k, now| k.handle_event(KioskEvent::ReaderAvailable(false), now));
            return Ok(None);
        }
    };
    let keyer = ResidentKeyer::new(secret).map_err(anyhow::Error::msg)?;
    let worker = ReaderWorker::start(reader.port.clone(), reader.protocol, Arc::new(keyer), events)
        .context("cannot start the card reader's thread")?;
    Ok(Some(worker))
}
