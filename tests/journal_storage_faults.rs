//! The journal on a real, small filesystem (a tmpfs, where the machine lets the tests mount one):
//! a full disk and a filesystem that turns read-only refuse new transactions with a clear error
//! and lose nothing already committed.

use citizen_window::journal::{Journal, JournalError, NewTransaction, ReceiptPlan};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for one test, unmounted on drop.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().to_path_buf();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Self { _dir: dir, path })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn record(journal: &mut Journal, n: i64) -> Result<u64, JournalError> {
    let payload = json!({"report": n, "text": "路灯不亮 ".repeat(200)});
    journal
        .record(
            &NewTransaction { kind: "issue_report", payload: &payload, resident: None, receipt: ReceiptPlan::Intended },
            n,
        )
        .map(|c| c.seq)
}

fn committed_seqs(path: &Path) -> Vec<u64> {
    let mut journal = Journal::open(path).unwrap();
    journal.pending(1_000_000).unwrap().iter().map(|r| r.seq).collect()
}

#[test]
fn a_full_disk_refuses_transactions_and_keeps_every_committed_one() {
    let Some(fs) = Tmpfs::mount("512k") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        eprintln!("cannot mount a tmpfs here (not root?): the size-limited-file unit test covers a full disk");
        return;
    };
    let path = fs.path.join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    // Leave a little room that a technician could free.
    std::fs::write(fs.path.join("filler"), vec![0u8; 64 * 1024]).unwrap();
    let mut committed = Vec::new();
    let error = loop {
        match record(&mut journal, committed.len() as i64) {
            Ok(seq) => committed.push(seq),
            Err(e) => break e,
        }
        assert!(committed.len() < 10_000, "the disk never filled");
    };
    assert!(matches!(error, JournalError::DiskFull { .. }), "{error:?}");
    assert!(error.to_string().contains("Free space"), "{error}");
    assert!(committed.len() > 10);
    // Refused again while the disk stays full; nothing half-written appears.
    assert!(record(&mut journal, 99_999).is_err());
    drop(journal);
    assert_eq!(committed_seqs(&path), committed);
    // Space is freed: transactions are taken again, numbered on without a gap.
    std::fs::remove_file(fs.path.join("filler")).unwrap();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(record(&mut journal, 100_000).unwrap(), *committed.last().unwrap() + 1);
}

#[test]
fn a_read_only_filesystem_refuses_transactions_and_keeps_every_committed_one() {
    let Some(fs) = Tmpfs::mount("4m") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        eprintln!("cannot mount a tmpfs here (not root?): skipping the read-only filesystem test");
        return;
    };
    let path = fs.path.join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    let committed: Vec<u64> = (0..5).map(|n| record(&mut journal, n).unwrap()).collect();
    drop(journal);
    // The same files seen through a read-only mount, as after the kernel remounts a failing disk.
    let read_only = ReadOnlyView::of(&fs.path);
    let ro_path = read_only.path.join("journal.sqlite");
    let error = match Journal::open(&ro_path) {
        Err(e) => e,
        Ok(mut journal) => {
            let e = record(&mut journal, 5).unwrap_err();
            assert!(journal.refusal().is_some(), "a read-only filesystem stops new transactions");
            e
        }
    };
    assert!(matches!(error, JournalError::ReadOnly { .. }), "{error:?}");
    assert!(error.to_string().contains("remount it read-write"), "{error}");
    drop(read_only);
    assert_eq!(committed_seqs(&path), committed);
}

/// A read-only bind mount of a folder.
struct ReadOnlyView {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl ReadOnlyView {
    fn of(source: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let run = |args: &[&str]| {
            let status = Command::new("mount").args(args).status().unwrap();
            assert!(status.success(), "mount {args:?}");
        };
        run(&["--bind", source.to_str().unwrap(), path.to_str().unwrap()]);
        run(&["-o", "remount,bind,ro", path.to_str().unwrap()]);
        Self { _dir: dir, path }
    }
}

impl Drop for ReadOnlyView {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
