//! The console's watch over the fleet, one per server instance: it hears of each change from the
//! fleet bell, loads that kiosk, and passes its row on to the live views when what the row shows
//! changed; each second it looks for kiosks that have just gone silent (no heartbeat tells of
//! that), and every [`FULL_LOOK`] it looks at every kiosk (a change made by the command line on
//! SQLite rings no bell).

use crate::api::{SharedState, now_ms};
use crate::fleet_bell::FleetChange;
use crate::kiosk_condition;
use crate::storage::KioskRow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// What the live views are told.
#[derive(Debug, Clone)]
pub enum LiveChange {
    /// This kiosk's row changed.
    Row(Arc<KioskRow>),
    /// Too much changed at once: reload the page.
    Reload,
}

/// How often every kiosk is looked at anyway.
pub const FULL_LOOK: Duration = Duration::from_secs(30);
/// How often silent kiosks are looked for.
const SILENCE_LOOK: Duration = Duration::from_secs(1);
/// Changes waiting for a slow live view; past this it is told to reload.
const WAITING_CHANGES: usize = 4096;
/// Live views open at once, so that they cannot take all the console's connections.
pub const MAX_LIVE_VIEWS: usize = 64;

pub struct FleetWatch {
    changes: broadcast::Sender<LiveChange>,
    /// One place per open live view.
    pub live_views: Arc<tokio::sync::Semaphore>,
}

/// What the watch remembers of a kiosk: when it was last heard, whether it counted as online, and
/// a fingerprint of its row as shown.
struct Seen {
    last_heartbeat_ms: Option<i64>,
    online: bool,
    fingerprint: u64,
}

impl FleetWatch {
    pub fn start(state: SharedState, shutdown: CancellationToken) -> Arc<Self> {
        let watch = Arc::new(Self {
            changes: broadcast::channel(WAITING_CHANGES).0,
            live_views: Arc::new(tokio::sync::Semaphore::new(MAX_LIVE_VIEWS)),
        });
        tokio::spawn(keep_watching(state, watch.changes.clone(), shutdown));
        watch
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveChange> {
        self.changes.subscribe()
    }
}

/// A fingerprint of what a kiosk's row shows at `now_ms`.
fn fingerprint(kiosk: &KioskRow, now_ms: i64, interval_ms: i64) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    super::pages::fleet_row(kiosk, now_ms, interval_ms).into_string().hash(&mut hasher);
    hasher.finish()
}

/// What the watch knows of the fleet, and whom it tells.
struct Watcher {
    seen: HashMap<String, Seen>,
    /// Whether every kiosk has been looked at once (before that, nothing is news).
    looked: bool,
    interval_ms: i64,
    changes: broadcast::Sender<LiveChange>,
}

impl Watcher {
    /// Takes a kiosk as loaded at `now_ms`: tells the live views if its row changed, or to reload
    /// for a kiosk they do not show (enrolled since).
    fn take(&mut self, kiosk: KioskRow, now_ms: i64) {
        let print = fingerprint(&kiosk, now_ms, self.interval_ms);
        let online = kiosk_condition::online(&kiosk, now_ms, self.interval_ms);
        let entry = Seen { last_heartbeat_ms: kiosk.last_heartbeat_ms, online, fingerprint: print };
        match self.seen.insert(kiosk.kiosk_id.clone(), entry) {
            Some(before) if before.fingerprint != print => {
                let _ = self.changes.send(LiveChange::Row(Arc::new(kiosk)));
            }
            Some(_) => {}
            None if self.looked => {
                let _ = self.changes.send(LiveChange::Reload);
            }
            None => {}
        }
    }

    /// The kiosks that counted as online and have gone silent by `now_ms`.
    fn gone_silent(&self, now_ms: i64) -> Vec<String> {
        let silent_after = kiosk_condition::offline_after_ms(self.interval_ms);
        self.seen
            .iter()
            .filter(|(_, s)| s.online && s.last_heartbeat_ms.is_none_or(|t| now_ms - t > silent_after))
            .map(|(id, _)| id.clone())
            .collect()
    }
}

async fn keep_watching(state: SharedState, changes: broadcast::Sender<LiveChange>, shutdown: CancellationToken) {
    let mut bell = state.fleet_bell.subscribe();
    let mut watcher =
        Watcher { seen: HashMap::new(), looked: false, interval_ms: state.heartbeat_interval_ms, changes };
    let mut silence = tokio::time::interval(SILENCE_LOOK);
    let mut full = tokio::time::interval(FULL_LOOK);
    loop {
        let mut look_at: Vec<String> = Vec::new();
        let mut everything = false;
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => return,
            _ = full.tick() => everything = true,
            change = bell.recv() => match change {
                Ok(FleetChange::Kiosk(kiosk_id)) => look_at.push(kiosk_id),
                Ok(FleetChange::Everything) | Err(broadcast::error::RecvError::Lagged(_)) => everything = true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = silence.tick() => look_at = watcher.gone_silent(now_ms()),
        }
        if everything {
            match state.storage.kiosks().await {
                Ok(kiosks) => {
                    let now = now_ms();
                    for kiosk in kiosks {
                        watcher.take(kiosk, now);
                    }
                    watcher.looked = true;
                }
                Err(e) => tracing::warn!("the console's fleet watch cannot read the kiosks: {e}"),
            }
            continue;
        }
        for kiosk_id in look_at {
            match state.storage.kiosk(&kiosk_id).await {
                Ok(Some(kiosk)) => watcher.take(kiosk, now_ms()),
                Ok(None) => {}
                Err(e) => tracing::warn!("the console's fleet watch cannot read kiosk {kiosk_id}: {e}"),
            }
        }
    }
}
