//! Crash safety: a child process records transactions in a loop while syncing, and is killed with
//! SIGKILL at random moments and restarted, over a hundred times. At the end every transaction it
//! reported committed is on the server exactly once, and the server's sequence has no gap.
//!
//! The child is this test binary run again for its ignored `crash_child` test.

mod support;

use citizen_window::journal::{Journal, NewTransaction, ReceiptPlan, now_ms};
use citizen_window::sync::identity::KioskIdentity;
use citizen_window::sync::server_client::ServerClient;
use citizen_window::sync::uploader::OutboxUploader;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::TestFleet;

const KILLS: usize = 120;

/// The child's work: record, print "committed SEQ ID" once the commit returned, sync every few.
/// Not a test of its own: the crash-safety test runs it, with `--ignored`, in the process it kills.
#[test]
#[ignore = "the child process of sigkill_at_random_moments_loses_nothing_and_counts_nothing_twice"]
fn crash_child() {
    let state = std::env::var("CRASH_HARNESS_STATE").expect("run by the crash-safety test");
    let state = std::path::PathBuf::from(state);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let identity = KioskIdentity::load(&state).unwrap();
    let journal = Arc::new(Mutex::new(Journal::open(&support::journal_path(&state)).unwrap()));
    let uploader = OutboxUploader::new(journal.clone(), ServerClient::new(&identity).unwrap()).with_batch_size(50);
    let mut out = std::io::stdout().lock();
    let drain_only = std::env::var_os("CRASH_HARNESS_DRAIN").is_some();
    for round in 0u64.. {
        if drain_only {
            runtime.block_on(uploader.sync_once()).unwrap();
            writeln!(out, "drained").unwrap();
            return;
        }
        let payload = serde_json::json!({"round": round, "pid": std::process::id()});
        let committed = {
            let mut j = journal.lock().unwrap();
            let tx = NewTransaction {
                kind: "queue_ticket",
                payload: &payload,
                resident: None,
                receipt: ReceiptPlan::Intended,
            };
            j.record(&tx, now_ms()).unwrap()
        };
        writeln!(out, "committed {} {}", committed.seq, committed.id).unwrap();
        out.flush().unwrap();
        if round % 7 == 0 {
            // Failures are fine here: the parent may be restarting the world around us.
            let _ = runtime.block_on(uploader.sync_once());
        }
    }
}

fn spawn_child(state: &std::path::Path, drain: bool) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env("CRASH_HARNESS_STATE", state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if drain {
        command.env("CRASH_HARNESS_DRAIN", "1");
    }
    command.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_nothing_and_counts_nothing_twice() {
    let fleet = TestFleet::start(None).await;
    let state = tempfile::tempdir().unwrap();
    let identity = fleet.enrol(state.path()).await;
    let mut reported: Vec<(u64, String)> = Vec::new();
    let mut rng = fastrand::Rng::with_seed(0x5EED);
    let started = Instant::now();
    for _ in 0..KILLS {
        let mut child = spawn_child(state.path(), false);
        let stdout = child.stdout.take().unwrap();
        let lines =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        // Kill somewhere between start-up and a busy loop of commits and uploads.
        tokio::time::sleep(Duration::from_millis(rng.u64(20..250))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for line in lines.join().unwrap() {
            let mut parts = line.split_whitespace();
            if parts.next() == Some("committed") {
                let seq = parts.next().unwrap().parse().unwrap();
                reported.push((seq, parts.next().unwrap().to_string()));
            }
        }
    }
    // A last run that is not killed sends whatever is left.
    let drain = spawn_child(state.path(), true).wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&drain.stdout).contains("drained"), "the final sync failed");

    let stored = fleet.storage().await.export(Some(&identity.enrolment.kiosk_id)).await.unwrap();
    let stored_ids: HashSet<String> = stored.iter().map(|t| t.record.id.to_string()).collect();
    assert_eq!(stored_ids.len(), stored.len(), "no transaction is stored twice");
    for (seq, id) in &reported {
        assert!(stored_ids.contains(id), "committed transaction {seq} ({id}) is missing on the server");
    }
    let seqs: Vec<u64> = stored.iter().map(|t| t.record.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "the sequence has no gaps");
    let mut journal = Journal::open(&support::journal_path(state.path())).unwrap();
    assert_eq!(journal.last_seq().unwrap(), seqs.len() as u64, "everything the journal holds is on the server");
    assert_eq!(journal.sync_status().unwrap().pending, 0);
    assert!(reported.len() > KILLS, "the harness did work between kills: {} commits", reported.len());
    eprintln!("{KILLS} kills, {} commits reported, {} stored, {:?}", reported.len(), stored.len(), started.elapsed());
}
