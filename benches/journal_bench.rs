//! Journal commit latency with `synchronous=FULL`, beside the latency of a bare write + fsync on
//! the same disk in the same run (the physical limit). Run: `cargo bench --bench journal_bench`.

use citizen_window::journal::{Journal, NewTransaction, ReceiptPlan};
use serde_json::json;
use std::io::Write;
use std::time::Instant;

const SAMPLES: usize = 5000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!("| {name} | {:.3} ms | {:.3} ms | {:.3} ms |", p50 * 1e3, p99 * 1e3, samples[samples.len() - 1] * 1e3);
    (p50, p99)
}

fn main() {
    // The bench folder sits on the same disk as the kiosk's data would (the work tree), not /tmp.
    let base =
        std::env::var_os("CITIZEN_WINDOW_BENCH_DIR").map_or_else(|| std::path::PathBuf::from("target"), Into::into);
    let dir = tempfile::tempdir_in(&base).unwrap();
    println!("# Journal commit latency ({SAMPLES} commits, folder {})\n", dir.path().display());
    println!("| operation | p50 | p99 | max |");
    println!("|---|---:|---:|---:|");

    // The physical limit: append ~300 bytes and fdatasync, as a WAL commit must at least do.
    // The two are interleaved, so that both see the same background load on this shared machine.
    let mut file = std::fs::File::create(dir.path().join("fsync-probe")).unwrap();
    let record = [b'x'; 300];
    let mut journal = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
    let payload =
        json!({"service": "water", "account": "3301-0288-1742", "amount_fen": 4140, "order": "T20261126-000153"});
    let (mut fsync, mut commits) = (Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES));
    for n in 0..SAMPLES {
        let started = Instant::now();
        file.write_all(&record).unwrap();
        file.sync_data().unwrap();
        fsync.push(started.elapsed().as_secs_f64());
        let tx =
            NewTransaction { kind: "bill_payment", payload: &payload, resident: None, receipt: ReceiptPlan::Intended };
        let started = Instant::now();
        journal.record(&tx, 1_764_000_000_000 + n as i64).unwrap();
        commits.push(started.elapsed().as_secs_f64());
    }
    let (_, fsync_p99) = report("bare write + fdatasync (physical limit)", fsync);
    let (_, journal_p99) = report("journal record (WAL, synchronous=FULL)", commits);
    println!("\np99 ratio (journal / bare fsync): {:.2} (goal: at most 2)\n", journal_p99 / fsync_p99);
}
