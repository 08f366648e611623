//! Signed content from the server onto the kiosk's screen, on the server link's runtime: the
//! manifest asked for (with its version as the ETag) at start, at each ring of the push stream
//! (`push_stream`) and every poll interval; a new one applied through the content store (files
//! fetched, checked, switched in one rename; the store's work runs off the link's thread) and the
//! new content handed to the controller, which shows it between sessions. The files on disk are
//! checked at start and every few hours; a damaged one is fetched again and counted.

use super::push_stream::{self, PushTiming, SharedStreamState};
use super::server_client::{ManifestAnswer, ServerClient};
use crate::config::ContentUpdates;
use crate::content::Content;
use crate::content_store::{ContentStore, Refusal, StoreStatus};
use crate::kiosk::messages::KioskEvent;
use citizen_window_protocol::content_bundle::{Manifest, SignedManifest};
use citizen_window_protocol::heartbeat::ContentReport;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How often the task looks whether a technician switched the version on disk (a rollback).
const LOOK_AT_DISK: Duration = Duration::from_secs(5);

/// After a download failed (the link dropped midway), the manifest is asked for again this soon
/// rather than at the next poll; the files already fetched are kept.
const RETRY_AFTER_FAILED_FETCH: Duration = Duration::from_secs(15);

/// What the heartbeat reports of the content, kept up to date by the content task without
/// waiting on the store (which may be busy applying a large bundle).
#[derive(Clone)]
pub struct ContentWatch {
    store: Arc<Mutex<ContentStore>>,
    status: Arc<Mutex<StoreStatus>>,
    stream: SharedStreamState,
    repaired: Arc<AtomicU64>,
    /// The version on screen (0: the local content folder's).
    shown: Arc<AtomicU64>,
    group: String,
}

impl ContentWatch {
    pub fn new(store: ContentStore, group: &str) -> Self {
        let status = store.status();
        Self {
            shown: Arc::new(AtomicU64::new(status.current.unwrap_or(0))),
            status: Arc::new(Mutex::new(status)),
            store: Arc::new(Mutex::new(store)),
            stream: SharedStreamState::default(),
            repaired: Arc::new(AtomicU64::new(0)),
            group: group.to_string(),
        }
    }

    /// The applied version, the refused bundles ("version N: why", newest first) and the rest.
    pub fn report(&self) -> (Option<u64>, Vec<String>, ContentReport) {
        let status = self.status.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let stream = self.stream.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let refused = status.refused.iter().map(|(_, version, why)| format!("version {version}: {why}")).collect();
        let report = ContentReport {
            group: self.group.clone(),
            previous_version: status.previous,
            highest_version: status.highest,
            stream: stream.state.to_string(),
            stream_since_ms: stream.since_ms,
            stream_detail: stream.detail,
            clock_behind: status.clock_behind,
            repaired_files: self.repaired.load(Ordering::Relaxed),
        };
        (status.current, refused, report)
    }

    /// Runs `work` on the store off the async thread, then refreshes the status.
    async fn with_store<T: Send + 'static>(&self, work: impl FnOnce(&mut ContentStore) -> T + Send + 'static) -> T {
        let (store, status) = (self.store.clone(), self.status.clone());
        tokio::task::spawn_blocking(move || {
            let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
            let result = work(&mut store);
            *status.lock().unwrap_or_else(|e| e.into_inner()) = store.status();
            result
        })
        .await
        .expect("the content store's work does not panic")
    }
}

/// The content task: runs until `shutdown`.
pub async fn run(
    client: ServerClient,
    watch: ContentWatch,
    updates: ContentUpdates,
    push: PushTiming,
    events: Sender<KioskEvent>,
    shutdown: CancellationToken,
) {
    let bell = Arc::new(Notify::new());
    let shown = watch.shown.clone();
    tokio::spawn(push_stream::hold(
        client.clone(),
        updates.group.clone(),
        push,
        watch.stream.clone(),
        move || shown.load(Ordering::Relaxed),
        bell.clone(),
        shutdown.clone(),
    ));
    let mut sync = ContentSync { client, watch, group: updates.group.clone(), events, known: None };
    let mut next_file_check = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_file_check {
            sync.repair().await;
            next_file_check = tokio::time::Instant::now() + updates.check_files_every;
        }
        let fetched_whole = sync.check().await;
        let wait = if fetched_whole { updates.poll } else { RETRY_AFTER_FAILED_FETCH.min(updates.poll) };
        let asked_at = tokio::time::Instant::now() + wait;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = bell.notified() => break,
                _ = tokio::time::sleep_until(asked_at) => break,
                _ = tokio::time::sleep_until(next_file_check) => break,
                _ = tokio::time::sleep(LOOK_AT_DISK) => sync.follow_the_disk().await,
            }
        }
    }
}

struct ContentSync {
    client: ServerClient,
    watch: ContentWatch,
    group: String,
    events: Sender<KioskEvent>,
    /// The version of the last manifest taken (applied or refused): sent as the ETag.
    known: Option<u64>,
}

impl ContentSync {
    /// Asks for the manifest and applies a new one. Returns false when a download failed midway
    /// (to be tried again soon).
    async fn check(&mut self) -> bool {
        let signed = match self.client.content_manifest(&self.group, self.known).await {
            Ok(ManifestAnswer::New(signed)) => signed,
            Ok(ManifestAnswer::Unchanged | ManifestAnswer::NonePublished) => return true,
            Err(e) => {
                tracing::debug!("the content manifest cannot be asked for now: {e}");
                return true;
            }
        };
        // Named by the version it says it is; whether it is, the store's checks decide.
        let offered = serde_json::from_str::<Manifest>(&signed.manifest).map_or(0, |m| m.version);
        let result = self.apply(signed).await;
        match result {
            Ok(version) => {
                self.known = Some(offered);
                if self.watch.shown.swap(version, Ordering::Relaxed) != version {
                    tracing::info!(version, "content version applied");
                    self.show_current().await;
                }
                true
            }
            Err(Refusal::Fetch { path, message }) => {
                tracing::warn!(
                    version = offered,
                    "content file {path} could not be fetched ({message}): trying again soon"
                );
                false
            }
            Err(Refusal::Disk { path, source }) => {
                // The kiosk's own trouble, not the bundle's: not a refusal, tried again soon.
                let path = path.display();
                tracing::error!(
                    version = offered,
                    "the content cannot be written to {path} ({source}): check the disk"
                );
                false
            }
            Err(refusal) => {
                // An expired bundle may be a wrong clock's doing: asked for again at each poll.
                if !matches!(refusal, Refusal::Expired { .. }) {
                    self.known = Some(offered);
                }
                let why = refusal.to_string();
                tracing::error!(version = offered, "content bundle refused: {why}");
                self.watch.with_store(move |store| store.record_refusal(crate::journal::now_ms(), offered, &why)).await;
                true
            }
        }
    }

    async fn apply(&self, signed: SignedManifest) -> Result<u64, Refusal> {
        let (client, runtime) = (self.client.clone(), tokio::runtime::Handle::current());
        self.watch
            .with_store(move |store| {
                store.apply(&signed, crate::journal::now_ms(), |file| {
                    let version = serde_json::from_str::<Manifest>(&signed.manifest).map_or(0, |m| m.version);
                    runtime.block_on(client.content_file(version, &file.path, file.size)).map_err(|e| e.to_string())
                })
            })
            .await
    }

    /// Fetches again each file of the current version that is damaged or missing on disk, then
    /// shows the version whole.
    async fn repair(&self) {
        let Some((version, damaged)) = self.watch.with_store(|store| store.damaged_files()).await else { return };
        let mut repaired_all = true;
        for file in damaged {
            tracing::warn!(version, path = %file.path, "a content file is damaged on disk: fetching it again");
            let bytes = match self.client.content_file(version, &file.path, file.size).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    tracing::warn!(path = %file.path, "the damaged content file cannot be fetched now ({e}): the last whole version shows meanwhile");
                    repaired_all = false;
                    continue;
                }
            };
            let put = self.watch.with_store(move |store| store.replace_file(version, &file, &bytes)).await;
            match put {
                Ok(()) => {
                    self.watch.repaired.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::error!("a damaged content file was not put right: {e}");
                    repaired_all = false;
                }
            }
        }
        if repaired_all {
            self.show_current().await;
        }
    }

    /// Shows the version `current` points at if it is not the one shown (`kioskctl content
    /// rollback` switched it).
    async fn follow_the_disk(&self) {
        let current = self.watch.with_store(|store| store.status().current).await;
        if let Some(version) = current
            && self.watch.shown.swap(version, Ordering::Relaxed) != version
        {
            tracing::warn!(version, "the content version on disk was switched (a technician's rollback): showing it");
            self.show_current().await;
        }
    }

    /// Loads the current version and hands it to the controller.
    async fn show_current(&self) {
        let Some(dir) = self.watch.with_store(|store| store.current_dir()).await else { return };
        match tokio::task::spawn_blocking(move || Content::load(&dir)).await {
            Ok(Ok(content)) => {
                let _ = self.events.send(KioskEvent::ContentArrived(Box::new(content)));
            }
            Ok(Err(e)) => tracing::error!("the applied content does not load: {e}"),
            Err(e) => tracing::error!("loading the applied content failed: {e}"),
        }
    }
}
