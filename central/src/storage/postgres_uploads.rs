//! Uploads into PostgreSQL, group-committed: a few writer tasks per server instance take turns
//! at the batches waiting (at most one per kiosk, up to [`GROUP_LIMIT`], in a group) and store a
//! group with five statements in one transaction, where a batch at a time took seven round trips
//! and a commit of its own. Kiosks' rows are locked in one order (their ids sorted), so that instances sharing
//! the database wait for each other instead of deadlocking. Should the group fail, each batch is
//! stored on its own, so that it fails alone.

use super::{StorageError, classify_existing};
use citizen_window_protocol::sync::{BatchAck, TransactionRecord};
use deadpool_postgres::{Pool, Transaction};
use std::collections::{HashMap, HashSet, VecDeque};
use tokio::sync::{mpsc, oneshot};

/// Most batches stored together.
const GROUP_LIMIT: usize = 64;

/// Sequence numbers read per kiosk at a time when the watermark is walked up.
const WALK_PAGE: i64 = 1000;

pub(super) struct UploadJob {
    pub kiosk_id: String,
    /// Checked already (`check_record`).
    pub records: Vec<TransactionRecord>,
    /// The kiosk's declared floor: its watermark starts at least there.
    pub starts_after: i64,
    pub now_ms: i64,
    pub reply: oneshot::Sender<Result<BatchAck, StorageError>>,
}

/// Group writers per instance, each with a database connection of the pool it is given, so that
/// PostgreSQL works on several groups at once (a single writer left all but one of its processes
/// idle).
pub(super) const UPLOAD_WRITERS: usize = 4;

/// The batches waiting, shared by the writers: each takes a group from it in turn.
struct Queue {
    waiting: mpsc::UnboundedReceiver<UploadJob>,
    /// Batches of a kiosk already in the group being formed wait for the next one, in order.
    held: VecDeque<UploadJob>,
}

/// Starts the writer tasks; they end when the last sender is dropped.
pub(super) fn start_writer(pool: Pool) -> mpsc::UnboundedSender<UploadJob> {
    let (jobs, waiting) = mpsc::unbounded_channel();
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(Queue { waiting, held: VecDeque::new() }));
    for _ in 0..UPLOAD_WRITERS {
        tokio::spawn(group_commit_loop(pool.clone(), queue.clone()));
    }
    jobs
}

async fn group_commit_loop(pool: Pool, queue: std::sync::Arc<tokio::sync::Mutex<Queue>>) {
    loop {
        let Some(group) = next_group(&mut *queue.lock().await).await else { return };
        let results = commit_group(&pool, &group).await;
        for (job, result) in group.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// The next group: the held batches first, then the waiting ones, at most one per kiosk.
async fn next_group(queue: &mut Queue) -> Option<Vec<UploadJob>> {
    let first = match queue.held.pop_front() {
        Some(job) => job,
        None => queue.waiting.recv().await?,
    };
    let mut kiosks: HashSet<String> = HashSet::from([first.kiosk_id.clone()]);
    let mut group = vec![first];
    let mut take = |job: UploadJob, group: &mut Vec<UploadJob>, held: &mut VecDeque<UploadJob>| {
        if group.len() < GROUP_LIMIT && kiosks.insert(job.kiosk_id.clone()) {
            group.push(job);
        } else {
            held.push_back(job);
        }
    };
    let mut still_held = VecDeque::new();
    for job in std::mem::take(&mut queue.held) {
        take(job, &mut group, &mut still_held);
    }
    queue.held = still_held;
    while group.len() < GROUP_LIMIT {
        match queue.waiting.try_recv() {
            Ok(job) => take(job, &mut group, &mut queue.held),
            Err(_) => break,
        }
    }
    Some(group)
}

/// The group in one transaction; on failure, each batch in a transaction of its own.
async fn commit_group(pool: &Pool, group: &[UploadJob]) -> Vec<Result<BatchAck, StorageError>> {
    match in_transaction(pool, group).await {
        Ok(acks) => acks.into_iter().map(Ok).collect(),
        Err(_) if group.len() > 1 => {
            let mut results = Vec::with_capacity(group.len());
            for job in group {
                results.push(in_transaction(pool, std::slice::from_ref(job)).await.map(|mut acks| acks.remove(0)));
            }
            results
        }
        Err(e) => vec![Err(e)],
    }
}

async fn in_transaction(pool: &Pool, group: &[UploadJob]) -> Result<Vec<BatchAck>, StorageError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let acks = store_group(&tx, group).await?;
    tx.commit().await?;
    Ok(acks)
}

/// Every batch of the group (one per kiosk), answered as if each had been stored alone.
async fn store_group(tx: &Transaction<'_>, group: &[UploadJob]) -> Result<Vec<BatchAck>, StorageError> {
    let mut contiguous = lock_progress(tx, group).await?;
    for job in group {
        let watermark = contiguous.get_mut(&job.kiosk_id).expect("every kiosk of the group has a watermark");
        *watermark = (*watermark).max(job.starts_after);
    }
    let mut acks: Vec<BatchAck> = group
        .iter()
        .map(|_| BatchAck {
            highest_contiguous_seq: 0,
            inserted: 0,
            duplicates: 0,
            conflicts: Vec::new(),
            refused: Vec::new(),
        })
        .collect();
    let inserted = insert_records(tx, group).await?;
    // Inserted records count once (a copy of one in the same batch is a duplicate); the others
    // are duplicates or conflicts, told apart by what is stored.
    let mut not_inserted: Vec<(usize, &TransactionRecord)> = Vec::new();
    for (index, job) in group.iter().enumerate() {
        let mut counted: HashSet<String> = HashSet::new();
        for record in &job.records {
            let id = record.id.to_string();
            if inserted.contains(&(job.kiosk_id.clone(), id.clone())) {
                if counted.insert(id) {
                    acks[index].inserted += 1;
                } else {
                    acks[index].duplicates += 1;
                }
            } else {
                not_inserted.push((index, record));
            }
        }
    }
    if !not_inserted.is_empty() {
        classify_not_inserted(tx, group, &not_inserted, &mut acks).await?;
    }
    walk_watermarks(tx, &mut contiguous).await?;
    let (kiosk_ids, watermarks): (Vec<&str>, Vec<i64>) = contiguous.iter().map(|(k, c)| (k.as_str(), *c)).unzip();
    let advance = tx
        .prepare_cached(
            "UPDATE kiosk_progress p SET contiguous = w.contiguous
             FROM UNNEST($1::text[], $2::bigint[]) AS w(kiosk_id, contiguous) WHERE p.kiosk_id = w.kiosk_id",
        )
        .await?;
    tx.execute(&advance, &[&kiosk_ids, &watermarks]).await?;
    for (index, job) in group.iter().enumerate() {
        acks[index].highest_contiguous_seq = contiguous[&job.kiosk_id] as u64;
    }
    Ok(acks)
}

/// Creates each kiosk's progress row on its first upload and locks it until the commit, in the
/// order of the kiosks' ids; returns each kiosk's watermark.
async fn lock_progress(tx: &Transaction<'_>, group: &[UploadJob]) -> Result<HashMap<String, i64>, StorageError> {
    let mut kiosk_ids: Vec<&str> = group.iter().map(|job| job.kiosk_id.as_str()).collect();
    kiosk_ids.sort_unstable();
    let lock = tx
        .prepare_cached(
            "INSERT INTO kiosk_progress (kiosk_id, contiguous)
             SELECT k, 0 FROM UNNEST($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n
             ON CONFLICT (kiosk_id) DO UPDATE SET contiguous = kiosk_progress.contiguous
             RETURNING kiosk_id, contiguous",
        )
        .await?;
    Ok(tx.query(&lock, &[&kiosk_ids]).await?.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Inserts every record of the group in one statement; returns the (kiosk, id) of those inserted.
async fn insert_records(tx: &Transaction<'_>, group: &[UploadJob]) -> Result<HashSet<(String, String)>, StorageError> {
    let all = || group.iter().flat_map(|job| job.records.iter().map(move |record| (job, record)));
    let kiosks: Vec<&str> = all().map(|(job, _)| job.kiosk_id.as_str()).collect();
    let ids: Vec<String> = all().map(|(_, r)| r.id.to_string()).collect();
    let seqs: Vec<i64> = all().map(|(_, r)| r.seq as i64).collect();
    let kinds: Vec<&str> = all().map(|(_, r)| r.kind.as_str()).collect();
    let payloads: Vec<&str> = all().map(|(_, r)| r.payload.as_str()).collect();
    let hashes: Vec<&str> = all().map(|(_, r)| r.payload_hash.as_str()).collect();
    let residents: Vec<Option<&str>> = all().map(|(_, r)| r.resident.as_deref()).collect();
    let created: Vec<i64> = all().map(|(_, r)| r.created_at_ms).collect();
    let received: Vec<i64> = all().map(|(job, _)| job.now_ms).collect();
    let insert = tx
        .prepare_cached(
            "INSERT INTO transactions (kiosk_id, id, seq, kind, payload, payload_hash, resident, created_at_ms, received_at_ms)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                                  $8::bigint[], $9::bigint[])
             ON CONFLICT DO NOTHING RETURNING kiosk_id, id",
        )
        .await?;
    let rows =
        tx.query(&insert, &[&kiosks, &ids, &seqs, &kinds, &payloads, &hashes, &residents, &created, &received]).await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Records not inserted: a replay of what is stored (a duplicate) or a conflict to report.
async fn classify_not_inserted(
    tx: &Transaction<'_>,
    group: &[UploadJob],
    not_inserted: &[(usize, &TransactionRecord)],
    acks: &mut [BatchAck],
) -> Result<(), StorageError> {
    let kiosks: Vec<&str> = not_inserted.iter().map(|(index, _)| group[*index].kiosk_id.as_str()).collect();
    let ids: Vec<String> = not_inserted.iter().map(|(_, r)| r.id.to_string()).collect();
    let seqs: Vec<i64> = not_inserted.iter().map(|(_, r)| r.seq as i64).collect();
    let stored: Vec<(String, String, i64, String)> = tx
        .query(
            "SELECT t.kiosk_id, t.id, t.seq, t.payload_hash FROM transactions t
             JOIN UNNEST($1::text[], $2::text[], $3::bigint[]) AS q(kiosk_id, id, seq)
               ON t.kiosk_id = q.kiosk_id AND (t.id = q.id OR t.seq = q.seq)",
            &[&kiosks, &ids, &seqs],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect();
    for ((index, record), id) in not_inserted.iter().zip(&ids) {
        let kiosk_id = &group[*index].kiosk_id;
        let of_kiosk = || stored.iter().filter(|(k, ..)| k == kiosk_id);
        let found = of_kiosk()
            .find(|(_, stored_id, ..)| stored_id == id)
            .or_else(|| of_kiosk().find(|(_, _, stored_seq, _)| *stored_seq == record.seq as i64));
        let Some((_, stored_id, stored_seq, stored_hash)) = found else {
            // A copy inside the group of a record stored by it: the first copy was stored. (Or a
            // ballot another upload cast a moment ago (`one_ballot`): not stored, so the watermark
            // stays below it; sent again, it is set aside as a second vote.)
            acks[*index].duplicates += 1;
            continue;
        };
        match classify_existing(record, stored_id, *stored_seq as u64, stored_hash) {
            None => acks[*index].duplicates += 1,
            Some(conflict) => acks[*index].conflicts.push(conflict),
        }
    }
    Ok(())
}

/// Walks each kiosk's watermark up through the sequence numbers now stored above it, a page of
/// numbers per kiosk in one statement for the whole group.
async fn walk_watermarks(tx: &Transaction<'_>, contiguous: &mut HashMap<String, i64>) -> Result<(), StorageError> {
    let next = tx
        .prepare_cached(
            "SELECT w.kiosk_id, t.seq FROM UNNEST($1::text[], $2::bigint[]) AS w(kiosk_id, contiguous)
             CROSS JOIN LATERAL (SELECT seq FROM transactions
                                 WHERE kiosk_id = w.kiosk_id AND seq > w.contiguous ORDER BY seq LIMIT $3) t",
        )
        .await?;
    let mut walking: Vec<String> = contiguous.keys().cloned().collect();
    while !walking.is_empty() {
        let watermarks: Vec<i64> = walking.iter().map(|k| contiguous[k]).collect();
        let mut above: HashMap<String, Vec<i64>> = HashMap::new();
        for row in tx.query(&next, &[&walking, &watermarks, &WALK_PAGE]).await? {
            above.entry(row.get(0)).or_default().push(row.get(1));
        }
        // A kiosk whose whole page was contiguous may have more above it: it walks on.
        let mut more = Vec::new();
        for kiosk_id in walking {
            let mut seqs = above.remove(&kiosk_id).unwrap_or_default();
            seqs.sort_unstable();
            let watermark = contiguous.get_mut(&kiosk_id).expect("every kiosk of the group has a watermark");
            let before = *watermark;
            for seq in &seqs {
                if *seq != *watermark + 1 {
                    break;
                }
                *watermark = *seq;
            }
            if seqs.len() as i64 == WALK_PAGE && *watermark - before == WALK_PAGE {
                more.push(kiosk_id);
            }
        }
        walking = more;
    }
    Ok(())
}
