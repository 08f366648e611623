//! Applying bundles: each refusal leaves the content exactly as it was; versions never go back;
//! a download resumes; a kill between acceptance and switch is finished at the next open.

use super::*;
use citizen_window_protocol::content_bundle::{ManifestFile, public_key_hex};
use std::collections::BTreeMap;

const NOW: i64 = 1_796_000_000_000;
const DAY: i64 = 86_400_000;

struct Office {
    key: Vec<u8>,
}

impl Office {
    fn new() -> Self {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Self { key: aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref().to_vec() }
    }

    fn public(&self) -> String {
        public_key_hex(&self.key).unwrap()
    }

    /// The example content, as a bundle of `version`, with `edit` applied to its files.
    fn bundle(&self, version: u64, edit: impl FnOnce(&mut Files, &mut Manifest)) -> (SignedManifest, Files) {
        let mut files = example_files();
        let mut manifest = Manifest {
            version,
            signed_at_ms: NOW - 1000,
            expires_at_ms: NOW + DAY,
            groups: vec![],
            files: files.iter().map(|(path, bytes)| ManifestFile::of(path, bytes)).collect(),
        };
        edit(&mut files, &mut manifest);
        (SignedManifest::sign(&manifest, &self.key).unwrap(), files)
    }
}

type Files = BTreeMap<String, Vec<u8>>;

fn example_files() -> Files {
    let mut files = Files::new();
    let root = Content::example_dir();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(&root).unwrap().to_str().unwrap().replace('\\', "/");
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Every TOML file of the bundle changed (a comment added), so that it must be fetched.
fn every_text_changed(files: &mut Files, manifest: &mut Manifest) {
    for (path, bytes) in files.iter_mut() {
        if path.ends_with(".toml") {
            bytes.extend_from_slice(format!("\n# {}\n", manifest.version).as_bytes());
        }
    }
    manifest.files = files.iter().map(|(p, b)| ManifestFile::of(p, b)).collect();
}

fn fetch_from(files: &Files) -> impl FnMut(&ManifestFile) -> Result<Vec<u8>, String> + '_ {
    |file| files.get(&file.path).cloned().ok_or_else(|| "404".to_string())
}

/// Every file under `dir` (links followed) with its bytes: what a kiosk would show.
fn tree(dir: &Path) -> Files {
    let mut files = Files::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                for (name, bytes) in tree(&path) {
                    files.insert(format!("{}/{name}", entry.file_name().to_str().unwrap()), bytes);
                }
            } else {
                files.insert(entry.file_name().to_str().unwrap().to_string(), fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn store(root: &Path, office: &Office) -> ContentStore {
    ContentStore::open(root, &office.public(), "district-a", 2 * 1024 * 1024).unwrap()
}

#[test]
fn a_bundle_becomes_current_whole_and_the_one_before_is_kept() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    assert_eq!(s.status(), StoreStatus::default());
    let (v1, files) = office.bundle(1, |_, _| {});
    assert_eq!(s.apply(&v1, NOW, fetch_from(&files)).unwrap(), 1);
    let shown = Content::load(&s.current_dir().unwrap()).unwrap();
    assert_eq!(shown.station.community.zh, "幸福里社区");
    let (v2, files2) = office.bundle(2, |files, manifest| {
        let station = String::from_utf8(files["station.toml"].clone()).unwrap().replace("幸福里社区", "和平里社区");
        files.insert("station.toml".into(), station.into_bytes());
        manifest.files = files.iter().map(|(p, b)| ManifestFile::of(p, b)).collect();
    });
    s.apply(&v2, NOW, fetch_from(&files2)).unwrap();
    assert_eq!(Content::load(&s.current_dir().unwrap()).unwrap().station.community.zh, "和平里社区");
    assert_eq!((s.status().current, s.status().previous, s.status().highest), (Some(2), Some(1), 2));
    assert!(s.verify_current().is_empty());
}

#[test]
fn every_refusal_leaves_the_content_exactly_as_it_was() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v5, files) = office.bundle(5, |_, _| {});
    s.apply(&v5, NOW, fetch_from(&files)).unwrap();
    let before = tree(&s.current_dir().unwrap());
    let status = s.status();

    let refusals: Vec<(&str, Refusal)> = vec![
        ("a tampered file", {
            // A file this version changes (an unchanged one is taken from the version shown).
            let (b, mut f) = office.bundle(6, every_text_changed);
            let mut tampered = f["notices.toml"].clone();
            tampered[0] ^= 0x01;
            f.insert("notices.toml".into(), tampered);
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("a tampered manifest", {
            let (mut b, f) = office.bundle(7, |_, _| {});
            b.manifest = b.manifest.replace("\"version\":7", "\"version\":107");
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("another key's signature", {
            let (b, f) = Office::new().bundle(8, |_, _| {});
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("an older version", {
            let (b, f) = office.bundle(4, |_, _| {});
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("the same version with other files", {
            let (b, f) = office.bundle(5, |files, manifest| {
                files.insert("extra.txt".into(), b"x".to_vec());
                manifest.files.push(ManifestFile::of("extra.txt", b"x"));
            });
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("an expired manifest", {
            let (b, f) = office.bundle(9, |_, m| m.expires_at_ms = NOW - 1);
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("a path with ..", {
            let (b, f) = office.bundle(10, |files, m| {
                files.insert("../escape".into(), b"x".to_vec());
                m.files.push(ManifestFile::of("../escape", b"x"));
            });
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("an absolute path", {
            let (b, f) = office.bundle(11, |_, m| m.files.push(ManifestFile::of("/etc/passwd", b"x")));
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("an oversized file", {
            let big = vec![b'x'; 3 * 1024 * 1024];
            let (b, f) = office.bundle(12, |files, m| {
                files.insert("images/huge.png".into(), big.clone());
                m.files.push(ManifestFile::of("images/huge.png", &big));
            });
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("a truncated download", {
            let (b, mut f) = office.bundle(13, every_text_changed);
            let short = f["notices.toml"][..10].to_vec();
            f.insert("notices.toml".into(), short);
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("the connection dropped midway", {
            let (b, f) = office.bundle(14, every_text_changed);
            let mut served = 0;
            s.apply(&b, NOW, |file| {
                served += 1;
                if served > 3 { Err("connection reset".into()) } else { Ok(f[&file.path].clone()) }
            })
            .unwrap_err()
        }),
        ("content the validator refuses", {
            let (b, f) = office.bundle(15, |files, m| {
                files.insert("station.toml".into(), b"community = 1".to_vec());
                m.files = files.iter().map(|(p, b)| ManifestFile::of(p, b)).collect();
            });
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
        ("a bundle for another group", {
            let (b, f) = office.bundle(16, |_, m| m.groups = vec!["district-b".into()]);
            s.apply(&b, NOW, fetch_from(&f)).unwrap_err()
        }),
    ];
    let said: Vec<String> = refusals.iter().map(|(what, r)| format!("{what}: {r}")).collect();
    for (what, refusal) in &refusals {
        let expected = match *what {
            "a tampered file" => matches!(refusal, Refusal::Bundle(BundleError::WrongHash(_))),
            "a tampered manifest" | "another key's signature" => {
                matches!(refusal, Refusal::Bundle(BundleError::BadSignature))
            }
            "an older version" => matches!(refusal, Refusal::NotNewer { offered: 4, highest: 5 }),
            "the same version with other files" => matches!(refusal, Refusal::SameVersionOtherFiles(5)),
            "an expired manifest" => matches!(refusal, Refusal::Expired { .. }),
            "a path with .." | "an absolute path" => matches!(refusal, Refusal::Bundle(BundleError::UnsafePath(_))),
            "an oversized file" => matches!(refusal, Refusal::Bundle(BundleError::FileTooLarge { .. })),
            "a truncated download" => matches!(refusal, Refusal::Bundle(BundleError::WrongSize { .. })),
            "the connection dropped midway" => matches!(refusal, Refusal::Fetch { .. }),
            "content the validator refuses" => matches!(refusal, Refusal::InvalidContent(_)),
            _ => matches!(refusal, Refusal::NotForThisKiosk { .. }),
        };
        assert!(expected, "{what}: {refusal}");
        assert_eq!(tree(&s.current_dir().unwrap()), before, "{what} changed the content on screen");
        assert_eq!(s.status().current, status.current, "{what}");
        assert_eq!(s.status().highest, 5, "{what} moved the highest version");
    }
    assert!(said.iter().all(|s| s.len() > 20), "each refusal says what is wrong: {said:#?}");
}

#[test]
fn a_broken_download_resumes_with_the_files_it_has() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v1, files) = office.bundle(1, |_, _| {});
    let mut served = 0;
    let dropped = s.apply(&v1, NOW, |file| {
        served += 1;
        if served > 4 { Err("connection reset".into()) } else { Ok(files[&file.path].clone()) }
    });
    assert!(matches!(dropped, Err(Refusal::Fetch { .. })));
    assert_eq!(s.status().current, None);
    let mut fetched_again = 0;
    s.apply(&v1, NOW, |file| {
        fetched_again += 1;
        Ok(files[&file.path].clone())
    })
    .unwrap();
    assert_eq!(fetched_again, files.len() - 4, "the four files fetched before are not fetched again");
}

#[test]
fn a_new_version_fetches_only_the_files_that_changed() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v1, files) = office.bundle(1, |_, _| {});
    s.apply(&v1, NOW, fetch_from(&files)).unwrap();
    let (v2, files2) = office.bundle(2, |files, manifest| {
        files.get_mut("station.toml").unwrap().extend_from_slice(b"\n# v2\n");
        manifest.files = files.iter().map(|(p, b)| ManifestFile::of(p, b)).collect();
    });
    let mut fetched = Vec::new();
    s.apply(&v2, NOW, |file| {
        fetched.push(file.path.clone());
        Ok(files2[&file.path].clone())
    })
    .unwrap();
    assert_eq!(fetched, ["station.toml"], "the voice prompts, pictures and the rest came from version 1");
    assert!(s.verify_current().is_empty());
}

#[test]
fn the_highest_version_survives_a_restart_and_no_older_bundle_is_taken() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    {
        let mut s = store(dir.path(), &office);
        let (v3, files) = office.bundle(3, |_, _| {});
        s.apply(&v3, NOW, fetch_from(&files)).unwrap();
    }
    let mut s = store(dir.path(), &office);
    assert_eq!(s.status().current, Some(3));
    let (v2, files) = office.bundle(2, |_, _| {});
    assert!(matches!(s.apply(&v2, NOW, fetch_from(&files)), Err(Refusal::NotNewer { offered: 2, highest: 3 })));
    let (v3, files) = office.bundle(3, |_, _| {});
    assert_eq!(s.apply(&v3, NOW, fetch_from(&files)).unwrap(), 3, "the same bundle again: nothing to do");
}

#[test]
fn a_kill_after_acceptance_is_finished_at_the_next_open() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v1, files) = office.bundle(1, |_, _| {});
    s.apply(&v1, NOW, fetch_from(&files)).unwrap();
    // Version 2 fully staged and accepted (highest written), then the power went.
    let (v2, files2) = office.bundle(2, |_, _| {});
    let staging = dir.path().join(STAGING).join("2");
    for (path, bytes) in &files2 {
        fs::create_dir_all(staging.join(path).parent().unwrap()).unwrap();
        fs::write(staging.join(path), bytes).unwrap();
    }
    fs::write(staging.join(MANIFEST), serde_json::to_vec(&v2).unwrap()).unwrap();
    fs::write(dir.path().join(HIGHEST), "2").unwrap();
    drop(s);
    let s = store(dir.path(), &office);
    assert_eq!((s.status().current, s.status().previous), (Some(2), Some(1)));
    assert!(s.verify_current().is_empty());
}

#[test]
fn a_corrupt_file_on_disk_is_found() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v1, files) = office.bundle(1, |_, _| {});
    s.apply(&v1, NOW, fetch_from(&files)).unwrap();
    fs::write(s.current_dir().unwrap().join("notices.toml"), b"garbage").unwrap();
    fs::remove_file(s.current_dir().unwrap().join("places.toml")).unwrap();
    let failed = s.verify_current();
    assert_eq!(failed.len(), 2, "{failed:?}");
    // Meanwhile the kiosk shows no damaged version: there is no whole one yet.
    assert_eq!(s.whole_dir(), None);
    let (version, damaged) = s.damaged_files().unwrap();
    let mut names: Vec<&str> = damaged.iter().map(|f| f.path.as_str()).collect();
    names.sort();
    assert_eq!((version, names), (1, vec!["notices.toml", "places.toml"]));
    // A wrong file fetched is refused; the right ones put the version right.
    assert!(s.replace_file(1, &damaged[0], b"still garbage").is_err());
    for file in &damaged {
        s.replace_file(1, file, &files[&file.path]).unwrap();
    }
    assert!(s.verify_current().is_empty() && s.damaged_files().is_none());
    assert_eq!(s.whole_dir(), s.current_dir());
}

#[test]
fn three_versions_are_kept_for_a_session_that_still_shows_an_older_one() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let kept = |s: &ContentStore| {
        let mut versions: Vec<u64> = fs::read_dir(dir.path().join("versions"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_str().unwrap().parse().unwrap())
            .collect();
        versions.sort();
        assert!(s.status().current.is_some());
        versions
    };
    for version in 1..=3 {
        let (bundle, files) = office.bundle(version, |_, _| {});
        s.apply(&bundle, NOW, fetch_from(&files)).unwrap();
    }
    assert_eq!(kept(&s), vec![1, 2, 3]);
    let (bundle, files) = office.bundle(4, |_, _| {});
    s.apply(&bundle, NOW, fetch_from(&files)).unwrap();
    assert_eq!(kept(&s), vec![2, 3, 4]);
}

#[test]
fn a_damaged_current_version_falls_back_to_the_whole_previous_one() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    for version in [1, 2] {
        let (bundle, files) = office.bundle(version, |_, _| {});
        s.apply(&bundle, NOW, fetch_from(&files)).unwrap();
    }
    fs::write(s.current_dir().unwrap().join("station.toml"), b"broken").unwrap();
    assert_eq!(s.whole_dir(), Some(dir.path().join("versions").join("1")));
}

#[test]
fn a_technicians_rollback_holds_until_a_newer_version_and_is_recorded() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    assert!(s.roll_back(NOW, "tech").is_err(), "nothing to roll back to");
    let (v1, files1) = office.bundle(1, |_, _| {});
    let (v2, files2) = office.bundle(2, |_, _| {});
    s.apply(&v1, NOW, fetch_from(&files1)).unwrap();
    s.apply(&v2, NOW, fetch_from(&files2)).unwrap();
    assert_eq!(s.roll_back(NOW, "tech").unwrap(), (2, 1));
    let status = s.status();
    assert_eq!((status.current, status.previous, status.highest, status.held_back), (Some(1), Some(2), 2, Some(2)));
    // The server still offers version 2: it is not shown again, not even after a restart.
    assert_eq!(s.apply(&v2, NOW, fetch_from(&files2)).unwrap(), 1);
    let mut s = store(dir.path(), &office);
    assert_eq!(s.status().current, Some(1));
    let log = fs::read_to_string(dir.path().join("overrides.log")).unwrap();
    assert!(log.contains("rolled back from version 2 to 1 by tech"), "{log}");
    // A second rollback would bring the rolled-back version back: refused. Nor does a damaged
    // version 1 bring it back at start-up.
    let refused = s.roll_back(NOW, "tech").unwrap_err();
    assert!(refused.contains("already a rollback"), "{refused}");
    fs::write(s.current_dir().unwrap().join("station.toml"), b"broken").unwrap();
    assert_eq!(s.whole_dir(), None, "the held-back version 2 is not shown instead");
    // A newer version is.
    let (v3, files3) = office.bundle(3, |_, _| {});
    assert_eq!(s.apply(&v3, NOW, fetch_from(&files3)).unwrap(), 3);
}

#[test]
fn refusals_are_remembered_newest_first_and_few() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let s = store(dir.path(), &office);
    for version in 1..=7 {
        s.record_refusal(NOW + version as i64, version, &format!("reason {version}\nsecond line"));
    }
    let refused = s.status().refused;
    assert_eq!(refused.len(), 5);
    assert_eq!(refused[0], (NOW + 7, 7, "reason 7 second line".to_string()));
    // A version applied ends the refusals of itself and of older ones.
    let mut s = s;
    let (v6, files) = office.bundle(6, |_, _| {});
    s.apply(&v6, NOW, fetch_from(&files)).unwrap();
    assert_eq!(s.status().refused.iter().map(|r| r.1).collect::<Vec<_>>(), vec![7]);
}

#[test]
fn a_clock_behind_the_signing_applies_the_bundle_and_says_so() {
    let (dir, office) = (tempfile::tempdir().unwrap(), Office::new());
    let mut s = store(dir.path(), &office);
    let (v1, files) = office.bundle(1, |_, _| {});
    // The kiosk thinks it is a year earlier: the bundle is judged at its signing, not refused.
    s.apply(&v1, NOW - 365 * DAY, fetch_from(&files)).unwrap();
    assert!(s.status().clock_behind);
    let (v2, files) = office.bundle(2, |_, _| {});
    s.apply(&v2, NOW, fetch_from(&files)).unwrap();
    assert!(!s.status().clock_behind);
    // A clock far ahead finds every bundle expired: refused, with the expiry, never applied.
    let (v3, files) = office.bundle(3, |_, _| {});
    assert!(matches!(s.apply(&v3, NOW + 30 * DAY, fetch_from(&files)), Err(Refusal::Expired { .. })));
    assert_eq!(s.status().current, Some(2));
}
