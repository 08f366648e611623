//! The server link's thread, in the running kiosk: the outbox uploader (woken by each new
//! transaction), the heartbeat (with the devices' states and the journal's backlog), the online
//! services' desk, and whether the server answers, reported to the kiosk as
//! [`KioskEvent::Online`]. It has its own connection to the journal; the recording thread keeps
//! the other.

use super::SyncError;
use super::content_sync::{self, ContentWatch};
use super::identity::KioskIdentity;
use super::link_board::StatusBoards;
use super::server_client::ServerClient;
use super::uploader::{OutboxUploader, SharedJournal};
use crate::config::ContentUpdates;
use crate::journal::Journal;
use crate::kiosk::messages::{KioskEvent, OnlineRequest};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How often the link sees whether the kiosk's certificate is due for renewal.
const RENEWAL_CHECK: Duration = Duration::from_secs(3600);

/// How often the link checks on the server.
#[derive(Debug, Clone, Copy)]
pub struct LinkTiming {
    /// Between heartbeats while the server answers: the offline banner shows within this long
    /// after the server stops answering (sooner if a resident's request fails first).
    pub heartbeat_online: Duration,
    /// Between tries while it does not: the banner goes within this long after it is back.
    pub heartbeat_offline: Duration,
    /// The uploader's look at the journal when nothing woke it (a record written by kioskctl).
    pub upload_idle: Duration,
    /// How the content push stream is watched and reopened.
    pub push: super::push_stream::PushTiming,
}

impl Default for LinkTiming {
    fn default() -> Self {
        Self {
            heartbeat_online: Duration::from_secs(30),
            heartbeat_offline: Duration::from_secs(10),
            upload_idle: Duration::from_secs(60),
            push: Default::default(),
        }
    }
}

/// The running link; stops (and joins its thread) when dropped.
pub struct ServerLink {
    shutdown: CancellationToken,
    wake: Arc<Notify>,
    client: ServerClient,
    runtime: tokio::runtime::Handle,
    thread: Option<JoinHandle<()>>,
}

impl ServerLink {
    pub fn start(
        identity: &KioskIdentity,
        journal_path: PathBuf,
        state_dir: PathBuf,
        events: Sender<KioskEvent>,
        boards: StatusBoards,
        timing: LinkTiming,
        content: Option<(ContentWatch, ContentUpdates)>,
    ) -> Result<Self, SyncError> {
        let client = ServerClient::new(identity)?;
        let journal: SharedJournal = Arc::new(Mutex::new(Journal::open(&journal_path)?));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SyncError::Local(format!("cannot start the server link's runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let shutdown = CancellationToken::new();
        let wake = Arc::new(Notify::new());
        let thread = {
            let (client, shutdown, wake) = (client.clone(), shutdown.clone(), wake.clone());
            std::thread::Builder::new()
                .name("server-link".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        let uploader = OutboxUploader::new(journal.clone(), client.clone()).telling(events.clone());
                        let uploads = tokio::spawn(uploader.run(wake.clone(), shutdown.clone(), timing.upload_idle));
                        let watch = content.as_ref().map(|(watch, _)| watch.clone());
                        if let Some((watch, updates)) = content {
                            let sync = content_sync::run(
                                client.clone(),
                                watch,
                                updates,
                                timing.push,
                                events.clone(),
                                shutdown.clone(),
                            );
                            tokio::spawn(sync);
                        }
                        let link =
                            Heartbeats { client, journal, state_dir, events, boards, wake, timing, content: watch };
                        link.run(shutdown.clone()).await;
                        let _ = uploads.await;
                    });
                })
                .map_err(|e| SyncError::Local(format!("cannot start the server link's thread: {e}")))?
        };
        Ok(Self { shutdown, wake, client, runtime: handle, thread: Some(thread) })
    }

    /// Something new is in the journal: upload it now.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Opens the online services' desk on this link's runtime (`sync::online_desk`); it stops
    /// with the link.
    pub fn open_desk(&self, events: Sender<KioskEvent>) -> tokio::sync::mpsc::UnboundedSender<OnlineRequest> {
        super::online_desk::start(self.client.clone(), &self.runtime, events, self.shutdown.clone())
    }
}

impl Drop for ServerLink {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the heartbeat loop needs.
struct Heartbeats {
    client: ServerClient,
    journal: SharedJournal,
    state_dir: PathBuf,
    events: Sender<KioskEvent>,
    /// The devices' states, sent with each heartbeat; the link's own state, written after each.
    boards: StatusBoards,
    wake: Arc<Notify>,
    timing: LinkTiming,
    /// The content's versions and push stream, when the kiosk takes content from the server.
    content: Option<ContentWatch>,
}

impl Heartbeats {
    /// Sends a heartbeat now and then; each answer or failure is the kiosk's online state. Back
    /// online, the uploader is woken at once: the backlog goes without waiting out its backoff.
    /// Once an hour, while online, it renews the kiosk's certificate if that is due.
    async fn run(mut self, shutdown: CancellationToken) {
        let mut online = None;
        let mut renewal_checked: Option<std::time::Instant> = None;
        loop {
            if online == Some(true) && renewal_checked.is_none_or(|at| at.elapsed() >= RENEWAL_CHECK) {
                renewal_checked = Some(std::time::Instant::now());
                let now = crate::journal::now_ms();
                if let Err(e) = super::renewal::renew_if_due(&mut self.client, &self.state_dir, now).await {
                    tracing::warn!("the kiosk's certificate could not be renewed (tried again in an hour): {e}");
                }
            }
            let devices = self.boards.devices.reports();
            let content = self.content.as_ref().map(ContentWatch::report);
            let stream = content.as_ref().map(|(_, _, report)| report.clone());
            let sent = super::heartbeat::send(&self.client, &self.journal, devices, content, &self.state_dir).await;
            self.boards.link.heartbeat(crate::journal::now_ms(), sent.as_ref().map(|_| ()), stream);
            let now_online = match sent {
                Ok(()) => true,
                Err(e) => {
                    if online != Some(false) {
                        tracing::warn!("the server does not answer: {e}");
                    }
                    false
                }
            };
            if online != Some(now_online) {
                if now_online {
                    self.wake.notify_one();
                }
                online = Some(now_online);
                if self.events.send(KioskEvent::Online(now_online)).is_err() {
                    return;
                }
            }
            let wait = if now_online { self.timing.heartbeat_online } else { self.timing.heartbeat_offline };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}
