//! Which kiosks may be served: enrolled and not revoked. A certificate signed by the fleet CA is
//! not enough on its own: the operator can revoke a kiosk (a stolen one) or remove it, and from
//! then on it is refused on every request. The register is read from the database at most once a
//! second per server instance, so that checking costs a lookup in memory; a kiosk it does not know
//! yet (enrolled through another instance a moment ago) is looked up on its own.

use crate::storage::{Storage, StorageError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How stale the register may be: a revocation reaches every instance within this.
pub const REGISTER_REFRESH: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    /// Revoked by the operator at this time (milliseconds since 1970).
    Revoked(i64),
    /// Not enrolled (never, or removed).
    Unknown,
}

fn standing_of(revoked_at: Option<i64>) -> Standing {
    revoked_at.map_or(Standing::Active, Standing::Revoked)
}

/// Each enrolled kiosk and when it was revoked, if it was.
type Register = Arc<HashMap<String, Option<i64>>>;

pub struct KioskRegister {
    /// The register and when it was read.
    kiosks: RwLock<(Instant, Register)>,
    refreshing: tokio::sync::Mutex<()>,
}

impl Default for KioskRegister {
    fn default() -> Self {
        let stale = Instant::now().checked_sub(REGISTER_REFRESH * 2).unwrap_or_else(Instant::now);
        Self { kiosks: RwLock::new((stale, Arc::new(HashMap::new()))), refreshing: tokio::sync::Mutex::new(()) }
    }
}

impl KioskRegister {
    pub async fn standing(&self, storage: &Storage, kiosk_id: &str) -> Result<Standing, StorageError> {
        let (loaded_at, kiosks) = self.kiosks.read().unwrap_or_else(|e| e.into_inner()).clone();
        let kiosks = if loaded_at.elapsed() >= REGISTER_REFRESH {
            self.refresh(storage).await?.unwrap_or(kiosks)
        } else {
            kiosks
        };
        match kiosks.get(kiosk_id) {
            Some(revoked_at) => Ok(standing_of(*revoked_at)),
            None => Ok(storage.kiosk_standing(kiosk_id).await?.map_or(Standing::Unknown, standing_of)),
        }
    }

    /// Reloads the register, unless another request is doing it (that one's result will do).
    async fn refresh(&self, storage: &Storage) -> Result<Option<Register>, StorageError> {
        let Ok(_only_one) = self.refreshing.try_lock() else { return Ok(None) };
        let kiosks: Arc<HashMap<_, _>> = Arc::new(storage.kiosk_standings().await?.into_iter().collect());
        *self.kiosks.write().unwrap_or_else(|e| e.into_inner()) = (Instant::now(), kiosks.clone());
        Ok(Some(kiosks))
    }
}
