//! `citizen-window run`: the kiosk UI on the real display, with the configured content and
//! session timing, the server link, the recording thread (journal and receipt printer) and the
//! card reader.

use crate::config::Config;
use crate::content::Content;
use crate::devices::{KioskEvent, ReaderWorker, RecordingWorker};
use crate::kiosk::KioskController;
use crate::resident_key::ResidentSealer;
use crate::sync::identity::KioskIdentity;
use crate::sync::link_worker::{LinkTiming, ServerLink};
use crate::sync::online_desk::OnlineDesk;
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
    let _threads = KioskThreads::start(&ui, &config)?;
    ui.window.run().context("the kiosk UI stopped with an error")
}

/// The kiosk's worker threads, each reporting to the UI; stopped when dropped.
pub struct KioskThreads {
    pub desk: Option<OnlineDesk>,
    pub link: Option<ServerLink>,
    pub recorder: Option<RecordingWorker>,
    pub reader: Option<ReaderWorker>,
}

impl KioskThreads {
    /// Starts what the configuration and the kiosk's state allow. The kiosk always comes up:
    /// what cannot start is logged with what to do and shown as a banner or a refused service.
    pub fn start(ui: &KioskUi, config: &Config) -> Result<Self> {
        let (events, reports) = std::sync::mpsc::channel();
        ui.listen(reports);
        let journal_path = crate::technician::sync_commands::journal_path(&config.state_dir);
        let identity = KioskIdentity::load(&config.state_dir)
            .inspect_err(|e| tracing::error!("the kiosk is not enrolled, so it works offline (kioskctl enrol): {e}"))
            .ok();

        let link = identity.as_ref().and_then(|identity| {
            let timing = LinkTiming::default();
            ServerLink::start(identity, journal_path.clone(), config.state_dir.clone(), events.clone(), timing)
                .inspect_err(|e| tracing::error!("the server link cannot start: {e}"))
                .ok()
        });
        if link.is_none() {
            ui.update(|k, now| k.handle_event(KioskEvent::Online(false), now));
        }
        let desk = link.as_ref().and_then(|link| {
            let (online_requests, desk_requests) = std::sync::mpsc::channel();
            let (client, runtime) = link.client();
            OnlineDesk::start(client, runtime, desk_requests, events.clone())
                .inspect_err(|e| tracing::error!("the online services cannot start: {e}"))
                .ok()
                .inspect(|_| ui.ask_online_with(online_requests))
        });

        // Without a journal the kiosk still shows content; every service that records is refused
        // with a sentence, and the technician sees why in the log and in `kioskctl sync status`.
        let (requests, recorder_requests) = std::sync::mpsc::channel();
        let wake = link.as_ref().map(ServerLink::wake);
        let recorder =
            match RecordingWorker::start(journal_path, config.printer.clone(), recorder_requests, events.clone(), wake)
            {
                Ok(worker) => {
                    ui.record_with(requests);
                    Some(worker)
                }
                Err(e) => {
                    tracing::error!("services that record are refused: {e}");
                    None
                }
            };

        let reader = match (&config.reader, &identity) {
            (None, _) => None,
            (Some(_), None) => {
                // Residents are sealed to the server's key from enrolment.
                tracing::error!("cards cannot identify residents until the kiosk is enrolled (kioskctl enrol)");
                ui.update(|k, now| k.handle_event(KioskEvent::ReaderAvailable(false), now));
                None
            }
            (Some(reader), Some(identity)) => {
                let local_secret = crate::sync::identity::local_resident_secret(&config.state_dir)
                    .context("the kiosk's own resident secret")?;
                let enrolment = &identity.enrolment;
                let sealer =
                    ResidentSealer::new(&enrolment.resident_seal_public_key_hex, &enrolment.kiosk_id, local_secret)
                        .map_err(anyhow::Error::msg)?;
                let worker = ReaderWorker::start(reader.port.clone(), reader.protocol, Arc::new(sealer), events)
                    .context("cannot start the card reader's thread")?;
                Some(worker)
            }
        };
        Ok(Self { desk, link, recorder, reader })
    }
}
