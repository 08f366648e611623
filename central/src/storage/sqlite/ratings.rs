//! SQLite storage of the residents' ratings (`storage::ratings`).

use super::super::StorageError;
use super::super::ratings::{RatingGroup, SQLITE_RATINGS};
use super::super::reports::name_pair;
use super::SqliteStorage;
use rusqlite::params;

impl SqliteStorage {
    pub async fn rating_groups(&self, days: &[String]) -> Result<Vec<RatingGroup>, StorageError> {
        let list = serde_json::to_string(days).expect("strings serialise");
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_RATINGS)?;
            let rows = stmt.query_map(params![list], |r| {
                Ok(RatingGroup {
                    day: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    kiosk_id: r.get(1)?,
                    service: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    score: r.get::<_, i64>(3)?.clamp(0, 5) as u8,
                    reason: r.get(4)?,
                    reason_name: name_pair(&r.get::<_, Option<String>>(5)?.unwrap_or_default()),
                    count: r.get::<_, i64>(6)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
