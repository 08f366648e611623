//! The kiosk runtime: starts the workers the configuration allows (the server link with its
//! online desk, the recording thread, the card reader), owns the channels between them and the
//! controller, and pumps: what the workers report goes in to the controller, the controller's
//! requests go out to the workers, and a request no worker can take is answered as refused. The UI
//! drives the pump on its tick and after each tap; nothing here knows Slint.

use crate::config::{Config, ContentUpdates, PrinterSetup, ReaderConfig, ScannerConfig};
use crate::content::Content;
use crate::content_store::ContentStore;
use crate::devices::device_board::{CARD_READER, PRINTER, SCANNER, SOUND};
use crate::devices::receipt_copy::CopyOrder;
use crate::devices::{DeviceBoard, ReaderWorker, ReceiptSetup, RecorderWiring, RecordingWorker, ScannerWorker};
use crate::journal::{JournalError, journal_path};
use crate::kiosk::KioskController;
use crate::kiosk::messages::{KioskEvent, OnlineAnswer, OnlineRequest, ServiceRequest};
use crate::records::{ReceiptHeading, ReceiptNumbering};
use crate::resident_key::ResidentSealer;
use crate::sync::SyncError;
use crate::sync::content_sync::ContentWatch;
use crate::sync::identity::KioskIdentity;
use crate::sync::link_board::StatusBoards;
use crate::sync::link_worker::{LinkTiming, ServerLink};
use anyhow::Context;
use citizen_window_hardware::card_reader::ReaderProtocol;
use citizen_window_hardware::device_state::DeviceStatus;
use citizen_window_hardware::printer::PrinterDriver;
use citizen_window_hardware::serial_link::{LinkOpener, SerialPortOpener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// The workers and the channels; each worker stops when the runtime is dropped.
pub struct KioskRuntime {
    events: Sender<KioskEvent>,
    incoming: Receiver<KioskEvent>,
    /// Where the resident's services go: the recording thread.
    recorder: Option<crossbeam_channel::Sender<ServiceRequest>>,
    /// Where the online services go: the desk on the server link.
    online: Option<UnboundedSender<OnlineRequest>>,
    /// Where the workers write their state (`kioskctl status`, the heartbeat).
    boards: StatusBoards,
    /// What the recording thread's receipts say and how they are numbered.
    receipts: ReceiptSetup,
    /// What a recording thread restarted with another printer takes over: the journal, how long
    /// it keeps acknowledged records, and the queue of requests (none is lost in the change).
    recording_setup: Option<(PathBuf, Duration, crossbeam_channel::Receiver<ServiceRequest>)>,
    /// Technicians' orders for copies of receipts (`kioskctl receipt reprint`): each recording
    /// thread serves the same queue.
    copies: (crossbeam_channel::Sender<CopyOrder>, crossbeam_channel::Receiver<CopyOrder>),
    /// How cards are sealed, once the kiosk is enrolled: a reader configured later needs it.
    sealer: Option<Arc<ResidentSealer>>,
    // The workers last, so that their channels close before they are joined.
    reader: Option<ReaderWorker>,
    scanner: Option<ScannerWorker>,
    /// The voice prompts' player and what it last said.
    voice: Option<(crate::voice::VoiceGuide, String)>,
    recording: Option<RecordingWorker>,
    link: Option<ServerLink>,
}

impl Default for KioskRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl KioskRuntime {
    /// A runtime with no worker yet: every request is answered as refused until one starts.
    pub fn new() -> Self {
        let (events, incoming) = std::sync::mpsc::channel();
        Self {
            events,
            incoming,
            recorder: None,
            online: None,
            boards: StatusBoards { devices: DeviceBoard::new(), link: Default::default() },
            receipts: throwaway_receipt_setup(),
            recording_setup: None,
            copies: crossbeam_channel::unbounded(),
            sealer: None,
            reader: None,
            scanner: None,
            voice: None,
            recording: None,
            link: None,
        }
    }

    /// Starts what the configuration and the kiosk's state allow; receipts carry `heading` (from
    /// the content), the terminal's label and numbers from enrolment. The kiosk always comes up:
    /// what cannot start is logged with what to do and shown as a banner or a refused service.
    /// `store` holds the server's content versions ([`startup_content`]); without one, the
    /// content folder shown is all the kiosk shows.
    pub fn start(config: &Config, heading: ReceiptHeading, store: Option<ContentStore>) -> anyhow::Result<Self> {
        let mut runtime = Self::new();
        let journal = journal_path(&config.state_dir);
        let identity = KioskIdentity::load(&config.state_dir)
            .inspect_err(|e| tracing::error!("the kiosk is not enrolled, so it works offline (kioskctl enrol): {e}"))
            .ok();
        runtime.receipts = receipt_setup(config, identity.as_ref(), heading)?;
        let content = store
            .map(|store| (ContentWatch::new(store, &config.content_updates.group), config.content_updates.clone()));
        let linked = identity.as_ref().map(|identity| {
            runtime
                .start_link_with_content(identity, &journal, &config.state_dir, LinkTiming::default(), content)
                .inspect_err(|e| tracing::error!("the server link cannot start: {e}"))
        });
        if !matches!(linked, Some(Ok(()))) {
            runtime.tell(KioskEvent::Online(false));
        }

        // Without a journal the kiosk still shows content; every service that records is refused
        // with a sentence, and the technician sees why in the log and in `kioskctl sync status`.
        let keep = config.journal_keep_acknowledged;
        if let Err(e) = runtime.start_recording(&journal, config.printer.as_ref(), keep) {
            tracing::error!("services that record are refused: {e}");
        }

        if let Some(identity) = &identity {
            let local_secret = crate::sync::identity::local_resident_secret(&config.state_dir)
                .context("the kiosk's own resident secret")?;
            let enrolment = &identity.enrolment;
            let sealer =
                ResidentSealer::new(&enrolment.resident_seal_public_key_hex, &enrolment.kiosk_id, local_secret)
                    .map_err(anyhow::Error::msg)?;
            runtime.sealer = Some(Arc::new(sealer));
        }
        runtime.replace_reader(config.reader.as_ref()).context("cannot start the card reader's thread")?;
        runtime.replace_scanner(config.scanner.as_ref()).context("cannot start the code scanner's thread")?;
        runtime.replace_voice(&config.voice).context("cannot start the voice's thread")?;
        Ok(runtime)
    }

    /// The card reader of `reader` from now on (none: no reader): the reader's thread, if any,
    /// is stopped and one started on the new port. Cards identify residents only on an enrolled
    /// kiosk (residents are sealed to the server's key from enrolment).
    pub fn replace_reader(&mut self, reader: Option<&ReaderConfig>) -> std::io::Result<()> {
        drop(self.reader.take());
        let Some(reader) = reader else {
            self.boards.devices.report(CARD_READER, DeviceStatus::NoDevice, None, None);
            return Ok(());
        };
        let Some(sealer) = self.sealer.clone() else {
            tracing::error!("cards cannot identify residents until the kiosk is enrolled (kioskctl enrol)");
            self.tell(KioskEvent::ReaderAvailable(false));
            return Ok(());
        };
        let opener = SerialPortOpener::new(&reader.port, reader.protocol.default_baud());
        self.start_reader(opener, reader.protocol, sealer)
    }

    /// The code scanner of `scanner` from now on (none: no scanner).
    pub fn replace_scanner(&mut self, scanner: Option<&ScannerConfig>) -> std::io::Result<()> {
        drop(self.scanner.take());
        let Some(scanner) = scanner else {
            self.boards.devices.report(SCANNER, DeviceStatus::NoDevice, None, None);
            return Ok(());
        };
        self.start_scanner(SerialPortOpener::new(&scanner.port, scanner.baud))
    }

    /// The code scanner's thread, on `opener`'s link.
    pub fn start_scanner<O: LinkOpener + 'static>(&mut self, opener: O) -> std::io::Result<()> {
        let devices = self.boards.devices.clone();
        self.scanner = Some(ScannerWorker::start(opener, self.events.clone(), devices)?);
        Ok(())
    }

    /// The voice of `setup` from now on: its device's player started again if the device
    /// changed (none: the kiosk is silent), the volume and quiet hours taken at once.
    pub fn replace_voice(&mut self, setup: &crate::config::VoiceSetup) -> std::io::Result<()> {
        let Some(device) = &setup.device else {
            self.voice = None;
            self.boards.devices.report(SOUND, DeviceStatus::NoDevice, None, None);
            return Ok(());
        };
        match &mut self.voice {
            Some((guide, on)) if on == device => guide.set_setup(setup.clone()),
            _ => {
                self.voice = None;
                let output = Box::new(crate::voice::AlsaOutput::new(device));
                self.start_voice(output, setup.clone(), device)?;
            }
        }
        Ok(())
    }

    /// The voice on `output` (a sound card, or a recording output in tests); `name` tells the
    /// output apart when the configuration changes.
    pub fn start_voice(
        &mut self,
        output: Box<dyn crate::voice::SoundOutput>,
        setup: crate::config::VoiceSetup,
        name: &str,
    ) -> std::io::Result<()> {
        let player = crate::voice::VoicePlayer::start(output, self.boards.devices.clone())?;
        self.voice = Some((crate::voice::VoiceGuide::new(player, setup), name.to_string()));
        Ok(())
    }

    /// `screen` is now shown: the voice says its moment, if it has one (the UI calls this when the
    /// screen changed).
    pub fn speak(&mut self, screen: &crate::kiosk::Screen, prompts: &crate::content::voice::VoicePrompts) {
        if let Some((guide, _)) = &mut self.voice {
            guide.show(screen, prompts);
        }
    }

    /// The receipt printer of `printer` from now on (none: no printer): the recording thread
    /// finishes the job in hand and a new one takes over its queue with the new printer.
    pub fn replace_printer(&mut self, printer: Option<&PrinterSetup>) -> Result<(), JournalError> {
        let Some((journal, keep, requests)) = self.recording_setup.clone() else { return Ok(()) };
        drop(self.recording.take());
        if printer.is_none() {
            self.boards.devices.report(PRINTER, DeviceStatus::NoDevice, None, None);
        }
        self.start_recording_with_queue(&journal, printer.map(PrinterSetup::driver), keep, requests)
    }

    /// The server link (uploads, heartbeat) and the online desk on it.
    pub fn start_link(
        &mut self,
        identity: &KioskIdentity,
        journal: &Path,
        state_dir: &Path,
        timing: LinkTiming,
    ) -> Result<(), SyncError> {
        self.start_link_with_content(identity, journal, state_dir, timing, None)
    }

    /// The server link, also taking the server's content into `content`'s store.
    pub fn start_link_with_content(
        &mut self,
        identity: &KioskIdentity,
        journal: &Path,
        state_dir: &Path,
        timing: LinkTiming,
        content: Option<(ContentWatch, ContentUpdates)>,
    ) -> Result<(), SyncError> {
        let link = ServerLink::start(
            identity,
            journal.to_path_buf(),
            state_dir.to_path_buf(),
            self.events.clone(),
            self.boards.clone(),
            timing,
            content,
        )?;
        self.online = Some(link.open_desk(self.events.clone()));
        self.link = Some(link);
        Ok(())
    }

    /// What the receipts of a recording thread started from now on say and how they are numbered.
    pub fn set_receipts(&mut self, receipts: ReceiptSetup) {
        self.receipts = receipts;
    }

    /// The recording thread, with the journal at `journal` and the printer on its serial port,
    /// if there is one. Start the link first, so that each commit wakes the uploader.
    pub fn start_recording(
        &mut self,
        journal: &Path,
        printer: Option<&PrinterSetup>,
        keep_acknowledged: Duration,
    ) -> Result<(), JournalError> {
        self.start_recording_on(journal, printer.map(PrinterSetup::driver), keep_acknowledged)
    }

    /// The recording thread with a printer on any link (a simulator in memory, in tests).
    pub fn start_recording_on<O: LinkOpener + 'static>(
        &mut self,
        journal: &Path,
        printer: Option<PrinterDriver<O>>,
        keep_acknowledged: Duration,
    ) -> Result<(), JournalError> {
        let (requests, taken) = crossbeam_channel::unbounded();
        self.start_recording_with_queue(journal, printer, keep_acknowledged, taken)?;
        self.recorder = Some(requests);
        Ok(())
    }

    fn start_recording_with_queue<O: LinkOpener + 'static>(
        &mut self,
        journal: &Path,
        printer: Option<PrinterDriver<O>>,
        keep_acknowledged: Duration,
        requests: crossbeam_channel::Receiver<ServiceRequest>,
    ) -> Result<(), JournalError> {
        let wiring = RecorderWiring {
            requests: requests.clone(),
            events: self.events.clone(),
            wake_sync: self.link.as_ref().map(ServerLink::wake),
            devices: self.boards.devices.clone(),
            copies: self.copies.1.clone(),
        };
        let receipts = self.receipts.clone();
        self.recording = Some(RecordingWorker::start(journal, printer, keep_acknowledged, receipts, wiring)?);
        self.recording_setup = Some((journal.to_path_buf(), keep_acknowledged, requests));
        Ok(())
    }

    /// The card reader's thread, on `opener`'s link.
    pub fn start_reader<O: LinkOpener + 'static>(
        &mut self,
        opener: O,
        protocol: ReaderProtocol,
        sealer: Arc<ResidentSealer>,
    ) -> std::io::Result<()> {
        let devices = self.boards.devices.clone();
        self.reader = Some(ReaderWorker::start(opener, protocol, sealer, self.events.clone(), devices)?);
        Ok(())
    }

    /// Sends the resident's services to `requests` instead of a recording thread (tests that
    /// play the recording thread's part).
    pub fn record_with(&mut self, requests: crossbeam_channel::Sender<ServiceRequest>) {
        self.recorder = Some(requests);
    }

    /// Sends the online requests to `requests` instead of the desk (tests that play the server).
    pub fn ask_online_with(&mut self, requests: UnboundedSender<OnlineRequest>) {
        self.online = Some(requests);
    }

    /// Where a technician's order for a copy of a receipt goes: the recording thread, once one runs.
    pub fn copy_orders(&self) -> crossbeam_channel::Sender<CopyOrder> {
        self.copies.0.clone()
    }

    /// Where a worker started by hand reports.
    pub fn events(&self) -> Sender<KioskEvent> {
        self.events.clone()
    }

    /// The devices' states, as the heartbeat sends them.
    pub fn devices(&self) -> &DeviceBoard {
        &self.boards.devices
    }

    /// The devices' and the server link's states, as `kioskctl status` shows them.
    pub fn boards(&self) -> &StatusBoards {
        &self.boards
    }

    /// Something the controller must hear on the next pump.
    fn tell(&self, event: KioskEvent) {
        let _ = self.events.send(event);
    }

    /// What the workers reported since the last pump goes to the controller, then its requests
    /// go out.
    pub fn pump(&self, controller: &mut KioskController, now: Instant) {
        for event in self.incoming.try_iter() {
            controller.handle_event(event, now);
        }
        self.forward(controller, now);
    }

    /// Hands the controller's new requests to the workers. A request no worker takes is answered
    /// at once: refused (nothing recorded) or unavailable (no server), so the resident is told.
    pub fn forward(&self, controller: &mut KioskController, now: Instant) {
        for request in controller.take_online_requests() {
            let number = request.number;
            if self.online.as_ref().is_none_or(|to| to.send(request).is_err()) {
                controller
                    .handle_event(KioskEvent::Answered { request: number, answer: OnlineAnswer::Unavailable }, now);
            }
        }
        for request in controller.take_requests() {
            let number = request.number;
            if self.recorder.as_ref().is_none_or(|to| to.send(request).is_err()) {
                tracing::error!("no recording thread takes requests: the service is refused");
                controller.handle_event(KioskEvent::RecordRefused { request: number }, now);
            }
        }
    }
}

/// What the kiosk shows when it starts, and the store of the server's content (once enrolled):
/// the newest whole version the server sent (a damaged current one is repaired meanwhile, and the
/// previous shows), else the configured content folder.
pub fn startup_content(config: &Config) -> anyhow::Result<(Content, Option<ContentStore>)> {
    let store = KioskIdentity::load(&config.state_dir).ok().and_then(|identity| {
        let updates = &config.content_updates;
        let key = &identity.enrolment.content_signing_public_key_hex;
        ContentStore::open(
            &crate::content_store::store_dir(&config.state_dir),
            key,
            &updates.group,
            updates.max_file_bytes,
        )
        .inspect_err(|e| tracing::error!("the server's content cannot be kept, so none is taken: {e}"))
        .ok()
    });
    if let Some(dir) = store.as_ref().and_then(ContentStore::whole_dir) {
        match Content::load(&dir) {
            Ok(content) => return Ok((content, store)),
            Err(e) => tracing::error!(
                "the server's content in {} does not load ({e}): the content folder shows",
                dir.display()
            ),
        }
    }
    let content = Content::load(&config.content_dir).with_context(|| {
        format!(
            "no usable content in {}: install a content folder there (docs/CONTENT.md) or set content_dir",
            config.content_dir.display()
        )
    })?;
    Ok((content, store))
}

/// The receipts of this kiosk: numbered with its number from enrolment (0000 before) and its own
/// key, labelled with the name the technician gave it at enrolment (or its number).
fn receipt_setup(
    config: &Config,
    identity: Option<&KioskIdentity>,
    mut heading: ReceiptHeading,
) -> anyhow::Result<ReceiptSetup> {
    let numbering = receipt_numbering(&config.state_dir, identity)?;
    let enrolment = identity.map(|identity| &identity.enrolment);
    let kiosk_number = numbering.kiosk();
    heading.terminal = match enrolment.and_then(|e| e.label.clone()) {
        Some(label) => label,
        None => format!("{kiosk_number:04}"),
    };
    Ok(ReceiptSetup { heading, numbering })
}

/// How the kiosk with the state folder `state_dir` and `identity` numbers its receipts (kiosk
/// 0000 before enrolment), with its own secret, made if it has none yet.
pub fn receipt_numbering(state_dir: &Path, identity: Option<&KioskIdentity>) -> anyhow::Result<ReceiptNumbering> {
    let key = crate::sync::identity::receipt_number_key(state_dir)
        .context("the key of the receipt numbers (the kiosk's own secret)")?;
    let kiosk_number = identity.and_then(|identity| identity.enrolment.kiosk_number).unwrap_or(0);
    ReceiptNumbering::new(kiosk_number, key).map_err(anyhow::Error::msg)
}

/// What the kiosk of `config` prints at the top of its receipts and how it numbers them, from
/// its content and enrolment, as it does when it runs (`kioskctl receipt reprint` while it is
/// stopped).
pub fn receipts_of(config: &Config) -> anyhow::Result<ReceiptSetup> {
    let (content, _) = startup_content(config)?;
    let heading = crate::kiosk::service_policy::receipt_heading(&content.station);
    let identity = KioskIdentity::load(&config.state_dir).ok();
    receipt_setup(config, identity.as_ref(), heading)
}

/// Receipts numbered as kiosk 0000 with a key of this run only (their numbers cannot be read back
/// after a restart) and no heading: until [`KioskRuntime::set_receipts`] or
/// [`KioskRuntime::start`] says otherwise, in tests that start workers by hand.
fn throwaway_receipt_setup() -> ReceiptSetup {
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    aws_lc_rs::rand::fill(&mut *key).expect("the system random generator works");
    let numbering = ReceiptNumbering::new(0, key).expect("0 is a kiosk number");
    ReceiptSetup { heading: ReceiptHeading::default(), numbering }
}
