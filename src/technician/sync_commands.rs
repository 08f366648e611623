//! `kioskctl enrol`, `kioskctl sync status|now|selftest`: they work whether or not the kiosk
//! program runs (the journal is shared through SQLite's WAL).

use super::CommandFailed;
use crate::journal::{Journal, NewTransaction, ReceiptPlan, SyncStatus, now_ms};
use crate::sync::identity::KioskIdentity;
use crate::sync::server_client::ServerClient;
use crate::sync::uploader::{OutboxUploader, SyncReport, with_journal};
use crate::sync::{SyncError, enrolment};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use crate::journal::journal_path;

fn failed(e: impl std::fmt::Display) -> CommandFailed {
    CommandFailed(e.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandFailed> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(failed)
}

pub fn enrol(state_dir: &Path, server: &str, token: &str, label: Option<&str>) -> Result<String, CommandFailed> {
    let identity = runtime()?.block_on(enrolment::enrol(state_dir, server, token, label)).map_err(failed)?;
    Ok(format!(
        "enrolled as {} with {}; key and certificate in {}\n",
        identity.enrolment.kiosk_id,
        identity.enrolment.server_url,
        crate::sync::identity::identity_dir(state_dir).display()
    ))
}

pub fn status(state_dir: &Path) -> Result<SyncStatus, CommandFailed> {
    Journal::open(&journal_path(state_dir)).and_then(|mut j| j.sync_status()).map_err(failed)
}

pub fn render_status(status: &SyncStatus, now: i64) -> String {
    let ago = |t: i64| format!("{} s ago", (now - t).max(0) / 1000);
    let mut out = format!(
        "transactions recorded: {}\nacknowledged through:  {}\nbacklog:               {}\n",
        status.last_seq, status.acknowledged_through, status.pending
    );
    out.push_str(&format!("oldest pending:        {}\n", status.oldest_pending_ms.map_or("-".into(), ago)));
    out.push_str(&format!("last success:          {}\n", status.last_success_ms.map_or("never".into(), ago)));
    if let Some((at, message)) = &status.last_error {
        out.push_str(&format!("last error:            {} ({})\n", message, ago(*at)));
    }
    if let Some((seq, reason)) = &status.last_refusal {
        out.push_str(&format!(
            "refused by the server: {} kept aside, never sent again (latest: record {seq}, {reason}); report them to the software's maintainers\n",
            status.refused
        ));
    }
    out
}

fn uploader(state_dir: &Path) -> Result<(OutboxUploader, Arc<Mutex<Journal>>), CommandFailed> {
    let identity = KioskIdentity::load(state_dir).map_err(failed)?;
    let client = ServerClient::new(&identity).map_err(failed)?;
    let journal = Arc::new(Mutex::new(Journal::open(&journal_path(state_dir)).map_err(failed)?));
    Ok((OutboxUploader::new(journal.clone(), client), journal))
}

/// Sends everything pending, then a heartbeat (without device states: the kiosk program owns the devices).
pub fn sync_now(state_dir: &Path) -> Result<SyncReport, CommandFailed> {
    let (uploader, journal) = uploader(state_dir)?;
    let client = ServerClient::new(&KioskIdentity::load(state_dir).map_err(failed)?).map_err(failed)?;
    let rt = runtime()?;
    let report = rt.block_on(uploader.sync_once()).map_err(failed)?;
    rt.block_on(crate::sync::heartbeat::send(&client, &journal, Vec::new(), None, state_dir)).map_err(failed)?;
    Ok(report)
}

/// Records a test transaction, syncs until the server acknowledges it, and returns the round trip.
pub fn selftest(state_dir: &Path, timeout: Duration) -> Result<(u64, Duration), CommandFailed> {
    let (uploader, journal) = uploader(state_dir)?;
    let started = Instant::now();
    let seq = {
        let payload = serde_json::json!({"selftest": true, "at_ms": now_ms()});
        let mut j = journal.lock().unwrap_or_else(|e| e.into_inner());
        let tx =
            NewTransaction { kind: "selftest", payload: &payload, resident: None, receipt: ReceiptPlan::NotNeeded };
        j.record(&tx, now_ms()).map_err(failed)?.seq
    };
    let rt = runtime()?;
    let mut last_error: Option<SyncError> = None;
    while started.elapsed() < timeout {
        match rt.block_on(uploader.sync_once()) {
            Ok(_) => {}
            Err(e) => last_error = Some(e),
        }
        let through = rt.block_on(with_journal(&journal, |j| j.acknowledged_through())).map_err(failed)?;
        if through >= seq {
            return Ok((seq, started.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(CommandFailed(match last_error {
        Some(e) => format!("the test transaction {seq} did not reach the server within {} s: {e}", timeout.as_secs()),
        None => format!("the test transaction {seq} was not acknowledged within {} s", timeout.as_secs()),
    }))
}
