//! PostgreSQL storage of the residents' ratings (`storage::ratings`).

use super::super::StorageError;
use super::super::ratings::{POSTGRES_RATINGS, RatingGroup};
use super::super::reports::name_pair;
use super::PostgresStorage;

impl PostgresStorage {
    pub async fn rating_groups(&self, days: &[String]) -> Result<Vec<RatingGroup>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_RATINGS, &[&days]).await?;
        Ok(rows
            .iter()
            .map(|r| RatingGroup {
                day: r.get::<_, Option<String>>(0).unwrap_or_default(),
                kiosk_id: r.get(1),
                service: r.get::<_, Option<String>>(2).unwrap_or_default(),
                score: r.get::<_, i32>(3).clamp(0, 5) as u8,
                reason: r.get(4),
                reason_name: name_pair(&r.get::<_, Option<String>>(5).unwrap_or_default()),
                count: r.get::<_, i64>(6) as u64,
            })
            .collect())
    }
}
