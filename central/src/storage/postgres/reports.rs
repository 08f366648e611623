//! PostgreSQL storage of the office's handling of issue reports (`storage::reports`).

use super::super::StorageError;
use super::super::kind_sql::const_str_concat;
use super::super::reports::{
    Bound, OVERDUE_COUNT, REPORT_COLUMNS, REPORT_COUNTS, REPORT_PLACES, ReportFilter, ReportMove, ReportRow,
    ReportUpdate, name_pair, report_page_sql,
};
use super::PostgresStorage;

fn report_row(r: &tokio_postgres::Row) -> ReportRow {
    ReportRow {
        tracking_number: r.get(0),
        kiosk_id: r.get(1),
        received_at_ms: r.get(2),
        reported_at_ms: r.get(3),
        category: r.get(4),
        category_name: name_pair(r.get(5)),
        place: r.get(6),
        place_name: name_pair(r.get(7)),
        status: r.get(8),
        note: r.get(9),
        updated_at_ms: r.get(10),
        kiosk_label: r.get(11),
    }
}

impl PostgresStorage {
    pub async fn reports(&self, f: &ReportFilter) -> Result<Vec<ReportRow>, StorageError> {
        let (sql, values) = report_page_sql(f, |n| format!("${n}"), false);
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(&sql).await?;
        let bound: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| match v {
                Bound::Text(text) => text as &(dyn tokio_postgres::types::ToSql + Sync),
                Bound::Int(n) => n as &(dyn tokio_postgres::types::ToSql + Sync),
            })
            .collect();
        let rows = client.query(&statement, &bound).await?;
        Ok(rows.iter().map(report_row).collect())
    }

    pub async fn report(&self, tracking_number: &str) -> Result<Option<ReportRow>, StorageError> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(const_str_concat!(REPORT_COLUMNS, " WHERE tracking_number = $1")).await?;
        Ok(client.query_opt(&statement, &[&tracking_number]).await?.as_ref().map(report_row))
    }

    pub async fn report_updates(&self, tracking_number: &str) -> Result<Vec<ReportUpdate>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT at_ms, staff, status, note FROM report_updates WHERE tracking_number = $1 ORDER BY at_ms, ctid",
                &[&tracking_number],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| ReportUpdate { at_ms: r.get(0), staff: r.get(1), status: r.get(2), note: r.get(3) })
            .collect())
    }

    pub async fn move_report(
        &self,
        tracking_number: &str,
        from: &str,
        u: &ReportUpdate,
    ) -> Result<ReportMove, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let moved = tx
            .execute(
                "UPDATE reports SET status = $3, note = $4, updated_at_ms = $5 WHERE tracking_number = $1 AND status = $2",
                &[&tracking_number, &from, &u.status, &u.note, &u.at_ms],
            )
            .await?;
        if moved == 0 {
            let now =
                tx.query_opt("SELECT status FROM reports WHERE tracking_number = $1", &[&tracking_number]).await?;
            return Ok(now.map_or(ReportMove::NotFound, |r| ReportMove::Changed(r.get(0))));
        }
        tx.execute(
            "INSERT INTO report_updates (tracking_number, at_ms, staff, status, note) VALUES ($1, $2, $3, $4, $5)",
            &[&tracking_number, &u.at_ms, &u.staff, &u.status, &u.note],
        )
        .await?;
        tx.commit().await?;
        Ok(ReportMove::Moved)
    }

    pub async fn report_counts(
        &self,
        not_assigned_before: i64,
        open_before: i64,
    ) -> Result<(Vec<(String, u64)>, u64), StorageError> {
        let client = self.pool.get().await?;
        let counts = client.query(REPORT_COUNTS, &[]).await?;
        let overdue = client.query_one(OVERDUE_COUNT, &[&not_assigned_before, &open_before]).await?;
        Ok((counts.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as u64)).collect(), overdue.get::<_, i64>(0) as u64))
    }

    pub async fn report_places(&self) -> Result<Vec<(String, (String, String))>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(REPORT_PLACES, &[]).await?;
        Ok(rows.iter().map(|r| (r.get(0), name_pair(r.get(1)))).collect())
    }
}
