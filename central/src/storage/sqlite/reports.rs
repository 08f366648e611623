//! SQLite storage of the office's handling of issue reports (`storage::reports`).

use super::super::StorageError;
use super::super::kind_sql::const_str_concat;
use super::super::reports::{
    Bound, OVERDUE_COUNT, REPORT_COLUMNS, REPORT_COUNTS, REPORT_PLACES, ReportFilter, ReportMove, ReportRow,
    ReportUpdate, name_pair, report_page_sql,
};
use super::SqliteStorage;
use rusqlite::{OptionalExtension, params};

fn report_row(r: &rusqlite::Row) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        tracking_number: r.get(0)?,
        kiosk_id: r.get(1)?,
        received_at_ms: r.get(2)?,
        reported_at_ms: r.get(3)?,
        category: r.get(4)?,
        category_name: name_pair(&r.get::<_, String>(5)?),
        place: r.get(6)?,
        place_name: name_pair(&r.get::<_, String>(7)?),
        status: r.get(8)?,
        note: r.get(9)?,
        updated_at_ms: r.get(10)?,
        kiosk_label: r.get(11)?,
    })
}

impl SqliteStorage {
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StorageError> {
        let (sql, values) = report_page_sql(filter, |n| format!("?{n}"), true);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let bound: Vec<&dyn rusqlite::ToSql> = values
                .iter()
                .map(|v| match v {
                    Bound::Text(text) => text as &dyn rusqlite::ToSql,
                    Bound::Int(n) => n as &dyn rusqlite::ToSql,
                })
                .collect();
            let rows = stmt.query_map(bound.as_slice(), report_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn report(&self, tracking_number: &str) -> Result<Option<ReportRow>, StorageError> {
        let tracking_number = tracking_number.to_string();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(const_str_concat!(REPORT_COLUMNS, " WHERE tracking_number = ?1"))?;
            Ok(stmt.query_row(params![tracking_number], report_row).optional()?)
        })
        .await
    }

    pub async fn report_updates(&self, tracking_number: &str) -> Result<Vec<ReportUpdate>, StorageError> {
        let tracking_number = tracking_number.to_string();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT at_ms, staff, status, note FROM report_updates WHERE tracking_number = ?1 ORDER BY at_ms, rowid",
            )?;
            let rows = stmt.query_map(params![tracking_number], |r| {
                Ok(ReportUpdate { at_ms: r.get(0)?, staff: r.get(1)?, status: r.get(2)?, note: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn move_report(
        &self,
        tracking_number: &str,
        from: &str,
        update: &ReportUpdate,
    ) -> Result<ReportMove, StorageError> {
        let (tracking_number, from, u) = (tracking_number.to_string(), from.to_string(), update.clone());
        self.with(move |c| {
            let tx = c.transaction()?;
            let moved = tx.execute(
                "UPDATE reports SET status = ?3, note = ?4, updated_at_ms = ?5 WHERE tracking_number = ?1 AND status = ?2",
                params![tracking_number, from, u.status, u.note, u.at_ms],
            )?;
            if moved == 0 {
                let now: Option<String> = tx
                    .query_row("SELECT status FROM reports WHERE tracking_number = ?1", params![tracking_number], |r| {
                        r.get(0)
                    })
                    .optional()?;
                return Ok(now.map_or(ReportMove::NotFound, ReportMove::Changed));
            }
            tx.execute(
                "INSERT INTO report_updates (tracking_number, at_ms, staff, status, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![tracking_number, u.at_ms, u.staff, u.status, u.note],
            )?;
            tx.commit()?;
            Ok(ReportMove::Moved)
        })
        .await
    }

    pub async fn report_counts(
        &self,
        not_assigned_before: i64,
        open_before: i64,
    ) -> Result<(Vec<(String, u64)>, u64), StorageError> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached(REPORT_COUNTS)?;
            let counts =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?.collect::<Result<Vec<_>, _>>()?;
            let overdue: i64 = c.query_row(OVERDUE_COUNT, params![not_assigned_before, open_before], |r| r.get(0))?;
            Ok((counts, overdue as u64))
        })
        .await
    }

    pub async fn report_places(&self) -> Result<Vec<(String, (String, String))>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(REPORT_PLACES)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, name_pair(&r.get::<_, String>(1)?))))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
