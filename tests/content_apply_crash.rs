//! Crash safety of content updates: a child process applies one signed bundle after another and
//! is killed with SIGKILL at random moments, sixty times. After each kill the store, opened
//! again, shows one version whole (every file of the same version, each matching the manifest)
//! and never a version below the highest it accepted; the highest never goes down.
//!
//! The child is this test binary run again for its ignored `apply_child` test.

use citizen_window::content::Content;
use citizen_window::content_store::ContentStore;
use citizen_window_protocol::content_bundle::{Manifest, ManifestFile, SignedManifest, public_key_hex};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const KILLS: usize = 60;
const NOW: i64 = 1_796_000_000_000;

/// The example content (with one of its voice prompts) with every TOML file marked with
/// `version`, so that files of two versions can be told apart.
fn files_of(version: u64) -> BTreeMap<String, Vec<u8>> {
    let root = Content::example_dir();
    let mut files = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(&root).unwrap().to_str().unwrap().to_string();
            // One voice prompt stands for the 180: each apply stays short enough to be killed
            // in the middle of many times.
            if name.starts_with("voice/") && name != "voice/zh/done.wav" {
                continue;
            }
            let mut bytes = std::fs::read(&path).unwrap();
            if name.ends_with(".toml") {
                bytes.extend_from_slice(format!("\n# version {version}\n").as_bytes());
            }
            files.insert(name, bytes);
        }
    }
    files
}

fn open(root: &Path, key: &[u8]) -> ContentStore {
    ContentStore::open(root, &public_key_hex(key).unwrap(), "all", 8 * 1024 * 1024).unwrap()
}

/// The child's work: apply version highest + 1, print "applied N", and again.
#[test]
#[ignore = "the child process of sigkill_during_an_apply_leaves_one_whole_version"]
fn apply_child() {
    let root = std::path::PathBuf::from(std::env::var("CONTENT_CRASH_ROOT").expect("run by the crash test"));
    let key = hex::decode(std::env::var("CONTENT_CRASH_KEY").unwrap()).unwrap();
    let mut store = open(&root, &key);
    let mut out = std::io::stdout().lock();
    loop {
        let version = store.status().highest + 1;
        let files = files_of(version);
        let manifest = Manifest {
            version,
            signed_at_ms: NOW,
            expires_at_ms: NOW + 86_400_000,
            groups: vec![],
            files: files.iter().map(|(path, bytes)| ManifestFile::of(path, bytes)).collect(),
        };
        let signed = SignedManifest::sign(&manifest, &key).unwrap();
        store.apply(&signed, NOW, |file| Ok(files[&file.path].clone())).unwrap();
        writeln!(out, "applied {version}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_during_an_apply_leaves_one_whole_version() {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let key = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("content");
    let mut highest_seen = 0;
    let mut applied_seen = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "apply_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env("CONTENT_CRASH_ROOT", &root)
            .env("CONTENT_CRASH_KEY", hex::encode(&key))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut last = 0u64;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("applied ").and_then(|n| n.parse().ok()) {
                    last = n;
                }
            }
            last
        });
        // Somewhere in the first applies, at a different moment each time.
        std::thread::sleep(Duration::from_millis(20 + fastrand::u64(..120)));
        child.kill().unwrap();
        child.wait().unwrap();
        applied_seen = applied_seen.max(reader.join().unwrap());

        let store = open(&root, &key);
        let status = store.status();
        assert!(status.highest >= highest_seen, "kill {kill}: the highest went down: {status:?}");
        assert!(status.highest >= applied_seen, "kill {kill}: a reported apply was lost: {status:?}");
        highest_seen = status.highest;
        let Some(current) = status.current else {
            assert_eq!(status.highest, 0, "kill {kill}: accepted but nothing shown: {status:?}");
            continue;
        };
        assert_eq!(current, status.highest, "kill {kill}: a version below the highest accepted is shown");
        assert!(store.verify_current().is_empty(), "kill {kill}: {:?}", store.verify_current());
        let shown = store.current_dir().unwrap();
        for (name, bytes) in files_of(current) {
            assert_eq!(
                std::fs::read(shown.join(&name)).unwrap(),
                bytes,
                "kill {kill}: {name} is not version {current}'s"
            );
        }
        Content::load(&shown).unwrap_or_else(|e| panic!("kill {kill}: the content shown does not load: {e}"));
    }
    assert!(highest_seen >= 5, "the child applied only {highest_seen} versions in {KILLS} runs");
}
