//! PostgreSQL's pages of a period's transactions for the console's export (`storage::export_sql`).

use super::super::export_sql::POSTGRES_EXPORT_PAGE;
use super::super::{ExportCursor, ExportedTransaction, StorageError};
use super::PostgresStorage;

impl PostgresStorage {
    pub async fn export_page(
        &self,
        from_ms: i64,
        to_ms: i64,
        cursor: &ExportCursor,
        limit: u32,
    ) -> Result<(Vec<ExportedTransaction>, Option<ExportCursor>), StorageError> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(POSTGRES_EXPORT_PAGE).await?;
        let rows = client.query(&statement, &[&cursor.kiosk, &cursor.seq, &from_ms, &to_ms, &i64::from(limit)]).await?;
        let page: Vec<ExportedTransaction> = rows
            .iter()
            .map(|r| ExportedTransaction {
                kiosk_id: r.get(0),
                seq: r.get(1),
                id: r.get(2),
                kind: r.get(3),
                created_at_ms: r.get(4),
                received_at_ms: r.get(5),
                payload: r.get(6),
            })
            .collect();
        let next = page
            .last()
            .filter(|_| page.len() as u32 == limit)
            .map(|last| ExportCursor { kiosk: last.kiosk_id.clone(), seq: last.seq });
        Ok((page, next))
    }
}
