//! The outbox uploader: sends unacknowledged journal records in sequence order, in batches, and
//! raises the journal's watermark to what the server acknowledges. On failure it retries with
//! exponential backoff and full jitter, always with the same ids; it stops cleanly on shutdown.

use super::SyncError;
use super::server_client::ServerClient;
use crate::journal::{Journal, JournalRecord, now_ms};
use citizen_window_hardware::backoff::ReconnectBackoff;
use citizen_window_protocol::record_rules::refusal_codes;
use citizen_window_protocol::sync::{
    MAX_BATCH, MAX_BATCH_BYTES, RECORD_OVERHEAD_BYTES, TransactionRecord, UploadBatch,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub type SharedJournal = Arc<Mutex<Journal>>;

/// Runs `f` on the journal on a blocking thread (SQLite calls block and fsync).
pub async fn with_journal<T: Send + 'static>(
    journal: &SharedJournal,
    f: impl FnOnce(&mut Journal) -> Result<T, crate::journal::JournalError> + Send + 'static,
) -> Result<T, SyncError> {
    let journal = journal.clone();
    tokio::task::spawn_blocking(move || {
        let mut journal = journal.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut journal)
    })
    .await
    .map_err(|e| SyncError::Local(format!("journal task failed: {e}")))?
    .map_err(SyncError::from)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub sent: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub refused: u64,
    pub acknowledged_through: u64,
}

/// A journal record as it is uploaded.
pub fn to_wire(record: JournalRecord) -> TransactionRecord {
    TransactionRecord {
        id: record.id,
        seq: record.seq,
        kind: record.kind,
        payload: record.payload,
        payload_hash: record.payload_hash,
        resident: record.resident,
        created_at_ms: record.created_at_ms,
    }
}

/// How many of `records`, from the first, fit in one upload of at most [`MAX_BATCH_BYTES`]; at
/// least one, since the journal refuses payloads that could not fit alone.
fn records_within_byte_limit(records: &[JournalRecord]) -> usize {
    let mut bytes = 0;
    let fitting = records
        .iter()
        .take_while(|r| {
            bytes += r.payload.as_str().len() + r.kind.len() + RECORD_OVERHEAD_BYTES;
            bytes <= MAX_BATCH_BYTES
        })
        .count();
    fitting.max(1).min(records.len())
}

pub struct OutboxUploader {
    journal: SharedJournal,
    client: ServerClient,
    batch_size: usize,
    /// Where a vote the server did not count is told, for the resident still on screen.
    events: Option<std::sync::mpsc::Sender<crate::kiosk::messages::KioskEvent>>,
}

impl OutboxUploader {
    pub fn new(journal: SharedJournal, client: ServerClient) -> Self {
        Self { journal, client, batch_size: 500, events: None }
    }

    pub fn telling(mut self, events: std::sync::mpsc::Sender<crate::kiosk::messages::KioskEvent>) -> Self {
        self.events = Some(events);
        self
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.clamp(1, MAX_BATCH);
        self
    }

    /// Sends everything pending now; notes the attempt in the journal for `kioskctl sync status`.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        let result = self.drain().await;
        let (ok, message) = match &result {
            Ok(report) => (true, format!("sent {}, acknowledged through {}", report.sent, report.acknowledged_through)),
            Err(e) => (false, e.to_string()),
        };
        // A journal that cannot note the attempt still has every record: only the note is lost.
        if let Err(e) = with_journal(&self.journal, move |j| j.record_sync_attempt(ok, &message, now_ms())).await {
            tracing::warn!("cannot note the sync attempt: {e}");
        }
        result
    }

    /// Sends what the server lacks, from the journal's watermark or from the server's own when
    /// it is lower (a server restored from a backup), declaring this identity's floor
    /// ([`Journal::delivery_floor`]) so that a kiosk enrolled again delivers its backlog once.
    async fn drain(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let batch_size = self.batch_size;
        let kiosk_id = self.client.identity().enrolment.kiosk_id.clone();
        let made_since_recorded = self.client.identity().enrolment.enrolled_at_ms.is_some();
        let mut from = with_journal(&self.journal, |j| j.acknowledged_through()).await?;
        let mut previous_answer: Option<u64> = None;
        loop {
            let id = kiosk_id.clone();
            let (floor, mut pending) = with_journal(&self.journal, move |j| {
                let floor = j.delivery_floor(&id, made_since_recorded)?;
                Ok((floor, j.records_after(from.max(floor), batch_size)?))
            })
            .await?;
            pending.truncate(records_within_byte_limit(&pending));
            let Some(last) = pending.last().map(|r| r.seq) else {
                report.acknowledged_through = with_journal(&self.journal, |j| j.acknowledged_through()).await?;
                return Ok(report);
            };
            let batch = UploadBatch { records: pending.into_iter().map(to_wire).collect(), starts_after: floor };
            report.sent += batch.records.len() as u64;
            let ack = self.client.upload(&batch).await?;
            report.inserted += u64::from(ack.inserted);
            report.duplicates += u64::from(ack.duplicates);
            report.conflicts += ack.conflicts.len() as u64;
            report.refused += ack.refused.len() as u64;
            let highest = ack.highest_contiguous_seq;
            let conflicts = ack.conflicts.clone();
            let refused = ack.refused.clone();
            for not_counted in ack.refused.iter().filter(|r| r.code.as_deref() == Some(refusal_codes::ALREADY_VOTED)) {
                if let Some(events) = &self.events {
                    let _ = events.send(crate::kiosk::messages::KioskEvent::VoteNotCounted { seq: not_counted.seq });
                }
            }
            let raised = with_journal(&self.journal, move |j| {
                for c in &conflicts {
                    tracing::error!(seq = c.seq, id = %c.id, reason = %c.reason, "server reports a conflicting transaction");
                    j.record_conflict(c.seq, &c.id, &c.reason, now_ms())?;
                }
                // Set aside before the watermark passes them, so a crash between never loses the note.
                for r in &refused {
                    tracing::error!(seq = r.seq, id = %r.id, reason = %r.reason, "server refused a record for good; kept aside");
                    j.record_refusal(r.seq, &r.id, &r.reason, now_ms())?;
                }
                j.acknowledge_through(highest, now_ms())
            })
            .await;
            if let Err(e) = raised {
                return Err(SyncError::Malformed(format!("the server's acknowledgement cannot be taken: {e}")));
            }
            report.acknowledged_through = highest;
            if highest >= last {
                from = highest;
                continue;
            }
            if previous_answer == Some(highest) {
                // The server holds a gap it does not fill from what it is sent: do not loop on it.
                return Err(SyncError::Malformed(format!(
                    "the server acknowledged only up to {highest} of {last}, twice: the technician can see the server's view with citizen-central kiosks"
                )));
            }
            // The server lacks records below what was sent (restored from a backup): send from its value.
            tracing::warn!(
                server = highest,
                sent_through = last,
                "the server is behind this kiosk: sending from its watermark"
            );
            previous_answer = Some(highest);
            from = highest;
        }
    }

    /// Syncs until `shutdown`: right away when `wake` is notified (a new transaction), every
    /// `idle` otherwise, and with backoff after failures.
    pub async fn run(self, wake: Arc<Notify>, shutdown: CancellationToken, idle: Duration) {
        let mut backoff = ReconnectBackoff::new(Duration::from_millis(500), Duration::from_secs(300));
        loop {
            let wait = match self.sync_once().await {
                Ok(_) => {
                    backoff.record_success();
                    idle
                }
                Err(e) => {
                    let delay = backoff.record_failure(Instant::now(), fastrand::f64());
                    tracing::warn!(retry_in_ms = delay.as_millis() as u64, "sync failed: {e}");
                    if e.is_retryable() { delay } else { delay.max(Duration::from_secs(60)) }
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Payload;

    fn record_of(payload_bytes: usize) -> JournalRecord {
        let payload = Payload::from_value(&serde_json::json!({ "blob": "x".repeat(payload_bytes) }));
        JournalRecord {
            seq: 1,
            id: uuid::Uuid::nil(),
            kind: "report".into(),
            payload_hash: payload.hash(),
            payload,
            resident: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn batches_are_cut_to_the_servers_byte_limit() {
        let small = vec![record_of(100); 50];
        assert_eq!(records_within_byte_limit(&small), 50);
        let large = vec![record_of(crate::journal::MAX_PAYLOAD_BYTES - 20); 100];
        let fitting = records_within_byte_limit(&large);
        assert!(fitting > 1 && fitting < 100, "{fitting}");
        let bytes: usize = large[..fitting].iter().map(|r| r.payload.as_str().len() + RECORD_OVERHEAD_BYTES).sum();
        assert!(bytes <= MAX_BATCH_BYTES);
        assert_eq!(records_within_byte_limit(&large[..1]), 1);
        assert_eq!(records_within_byte_limit(&[]), 0);
    }
}
