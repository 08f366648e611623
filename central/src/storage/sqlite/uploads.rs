//! One kiosk's batch stored inside the group-commit writer's transaction: each record inserted,
//! or found a duplicate or a conflict, and the kiosk's watermark walked up.

use super::super::{StorageError, classify_existing};
use super::group_commit::InsertJob;
use citizen_window_protocol::sync::BatchAck;
use rusqlite::{Connection, OptionalExtension, params};

/// Stores one job's batch and answers it as the kiosk will be; the caller commits.
pub(super) fn insert_one(c: &Connection, job: &InsertJob) -> Result<BatchAck, StorageError> {
    let (records, now_ms) = (&job.records, job.now_ms);
    let (kiosk, contiguous) = kiosk_number_and_progress(c, &job.kiosk_id)?;
    let mut contiguous = contiguous.max(job.starts_after);
    let mut ack =
        BatchAck { highest_contiguous_seq: 0, inserted: 0, duplicates: 0, conflicts: Vec::new(), refused: Vec::new() };
    // Sequence numbers this batch now has stored, inserted or already there.
    let mut stored_now: Vec<i64> = Vec::with_capacity(records.len());
    {
        let mut insert = c.prepare_cached(
            "INSERT INTO transactions (kiosk, id, seq, kind, payload, payload_hash, resident, created_at_ms, received_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        )?;
        let mut existing = c.prepare_cached(
            "SELECT id, seq, payload_hash FROM transactions WHERE kiosk = ?1 AND (id = ?2 OR seq = ?3) LIMIT 1",
        )?;
        for (r, hash) in records.iter().zip(&job.hashes) {
            let n = insert.execute(params![
                kiosk,
                &r.id.as_bytes()[..],
                r.seq as i64,
                r.kind,
                r.payload.as_str(),
                &hash[..],
                r.resident,
                r.created_at_ms,
                now_ms
            ])?;
            if n == 1 {
                ack.inserted += 1;
                stored_now.push(r.seq as i64);
                continue;
            }
            let stored = existing
                .query_row(params![kiosk, &r.id.as_bytes()[..], r.seq as i64], |row| {
                    Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?, row.get::<_, Vec<u8>>(2)?))
                })
                .optional()?;
            // Not stored and nothing in its place: a ballot another kiosk's upload cast a moment
            // ago (`one_ballot`). Left unacknowledged; sent again, it is set aside as a second vote.
            let Some((stored_id, stored_seq, stored_hash)) = stored else { continue };
            let stored_id = uuid::Uuid::from_slice(&stored_id).map(|id| id.to_string()).unwrap_or_default();
            match classify_existing(r, &stored_id, stored_seq as u64, &hex::encode(stored_hash)) {
                None => {
                    ack.duplicates += 1;
                    stored_now.push(r.seq as i64);
                }
                Some(conflict) => ack.conflicts.push(conflict),
            }
        }
    }
    stored_now.sort_unstable();
    // Walk up from the watermark: through this batch's numbers without asking the database, then
    // one lookup per number beyond them (records that arrived earlier, out of order). A range
    // query with ORDER BY would do it in one statement, but SQLite re-plans that statement each
    // time it is run with new numbers.
    {
        let mut exists = c.prepare_cached("SELECT 1 FROM transactions WHERE kiosk = ?1 AND seq = ?2")?;
        loop {
            let next = contiguous + 1;
            if stored_now.binary_search(&next).is_ok() || exists.exists(params![kiosk, next])? {
                contiguous = next;
            } else {
                break;
            }
        }
    }
    c.prepare_cached("UPDATE kiosk_progress SET contiguous = ?2 WHERE kiosk = ?1")?
        .execute(params![kiosk, contiguous])?;
    ack.highest_contiguous_seq = contiguous as u64;
    Ok(ack)
}

/// The kiosk's number in `transactions` and its watermark; a kiosk's first upload gives it a number.
fn kiosk_number_and_progress(c: &Connection, kiosk_id: &str) -> Result<(i64, i64), StorageError> {
    let mut known = c.prepare_cached("SELECT kiosk, contiguous FROM kiosk_progress WHERE kiosk_id = ?1")?;
    if let Some(found) = known.query_row(params![kiosk_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
        return Ok(found);
    }
    let kiosk = c
        .prepare_cached("INSERT INTO kiosk_progress (kiosk_id, contiguous) VALUES (?1, 0) RETURNING kiosk")?
        .query_row(params![kiosk_id], |r| r.get(0))?;
    Ok((kiosk, 0))
}
