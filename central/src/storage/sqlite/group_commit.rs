//! The group-commit writer: uploads are queued to one thread, which commits every batch waiting
//! (up to [`GROUP_LIMIT`]) in one transaction, one fsync for the group instead of one per request.

use super::super::{StorageError, check_record, floor_value};
use super::SqliteStorage;
use super::uploads::insert_one;
use citizen_window_protocol::sync::{BatchAck, TransactionRecord};
use rusqlite::Connection;

pub(super) struct InsertJob {
    pub(super) kiosk_id: String,
    pub(super) records: Vec<TransactionRecord>,
    /// Each record's payload hash as bytes, checked against its payload before the job is queued.
    pub(super) hashes: Vec<[u8; 32]>,
    /// The kiosk's declared floor: its watermark starts at least there.
    pub(super) starts_after: i64,
    pub(super) now_ms: i64,
    reply: tokio::sync::oneshot::Sender<Result<BatchAck, StorageError>>,
}

/// Most batches committed together.
const GROUP_LIMIT: usize = 256;

impl SqliteStorage {
    /// Queues the batch for the group-commit writer and waits for its durable commit.
    pub async fn insert_batch(
        &self,
        kiosk_id: &str,
        records: Vec<TransactionRecord>,
        starts_after: u64,
        now_ms: i64,
    ) -> Result<BatchAck, StorageError> {
        let hashes = records.iter().map(check_record).collect::<Result<Vec<_>, _>>()?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let starts_after = floor_value(starts_after)?;
        let job = InsertJob { kiosk_id: kiosk_id.to_string(), records, hashes, starts_after, now_ms, reply };
        self.writer.send(job).map_err(|_| StorageError::Backend("the database writer has stopped".into()))?;
        answer.await.map_err(|_| StorageError::Backend("the database writer has stopped".into()))?
    }
}

/// The writer thread's work: takes the first job waiting and every other already queued, commits
/// them, answers each. Ends when the last sender (the last clone of the storage) is dropped.
pub(super) fn group_commit_loop(mut conn: Connection, jobs: std::sync::mpsc::Receiver<InsertJob>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < GROUP_LIMIT {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let results = commit_group(&mut conn, &group);
        for (job, result) in group.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// All batches in one transaction, answered only after the commit. Should one batch fail, the
/// group is rolled back and each batch is committed on its own, so that it fails alone. (A
/// savepoint per batch gave the same isolation, but copied every page it touched into a
/// sub-journal first.) Every statement is prepared once and cached.
fn commit_group(conn: &mut Connection, group: &[InsertJob]) -> Vec<Result<BatchAck, StorageError>> {
    match in_transaction(conn, |tx| group.iter().map(|job| insert_one(tx, job)).collect::<Result<Vec<_>, _>>()) {
        Ok(acks) => acks.into_iter().map(Ok).collect(),
        Err(_) if group.len() > 1 => group.iter().map(|job| in_transaction(conn, |tx| insert_one(tx, job))).collect(),
        Err(e) => vec![Err(e)],
    }
}

fn in_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}
