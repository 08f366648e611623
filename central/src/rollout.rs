//! Staged rollouts (`publish --stage G1 --stage G2 …`): a bundle goes to the first stage's groups
//! only; when every kiosk of the stage that reports has applied it and none refused it, the same
//! files are signed again as the next version for the groups so far and the next stage's (a
//! manifest's groups are signed, so widening them is a new version); when the kiosks of a stage
//! refuse it above the threshold, the rollout stops and says so. `content advance` moves it on by
//! hand (with `--force`, past refusals or a stage no kiosk reports from); the server looks every
//! [`LOOK_EVERY`].
//!
//! A rollout is kept as `<dir>/content/rollouts/<first version>.json`.

use crate::publish::{BundlesLock, Published, bundles_dir, publish_locked};
use crate::storage::KioskRow;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the server looks at the rollouts under way.
pub const LOOK_EVERY: Duration = Duration::from_secs(30);

/// The refusal rate (per cent of a stage's reporting kiosks) above which a rollout stops.
pub const DEFAULT_STOP_ABOVE_PERCENT: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rollout {
    /// The groups of each stage, in order.
    pub stages: Vec<Vec<String>>,
    /// How many stages have it now (1 at the start).
    pub reached: usize,
    /// The versions signed for it, one per stage reached.
    pub versions: Vec<u64>,
    pub stop_above_percent: u32,
    pub valid_days: u32,
    /// Why it stopped, if it did.
    pub stopped: Option<String>,
}

/// How a stage stands, from the kiosks' last heartbeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageCount {
    /// Kiosks of the stage's groups that have reported their content.
    pub kiosks: usize,
    /// Of those, showing a version of this rollout.
    pub applied: usize,
    /// Of those, having refused one.
    pub refused: usize,
}

/// What a look at a rollout did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Still waiting for the stage's kiosks.
    Waiting(StageCount),
    /// The next stage was given its version.
    Advanced { version: u64, groups: Vec<String> },
    /// The refusals went over the threshold: stopped.
    Stopped(String),
    /// Every stage has it.
    Done,
}

impl Rollout {
    pub fn first_version(&self) -> u64 {
        self.versions[0]
    }

    pub fn latest_version(&self) -> u64 {
        *self.versions.last().expect("a rollout has a version")
    }

    /// The groups that have it so far.
    pub fn groups_reached(&self) -> Vec<String> {
        self.stages[..self.reached].concat()
    }

    pub fn is_done(&self) -> bool {
        self.reached == self.stages.len()
    }

    /// How the stage last reached stands among `kiosks`.
    pub fn stage_count(&self, kiosks: &[KioskRow]) -> StageCount {
        let stage = &self.stages[self.reached - 1];
        let mut count = StageCount::default();
        for heartbeat in kiosks.iter().filter(|k| k.revoked_at_ms.is_none()).filter_map(|k| k.last_heartbeat.as_ref()) {
            let Some(report) = &heartbeat.content else { continue };
            if !stage.contains(&report.group) {
                continue;
            }
            count.kiosks += 1;
            if heartbeat.content_version.is_some_and(|v| self.versions.contains(&v)) {
                count.applied += 1;
            }
            let refused = |line: &String| self.versions.iter().any(|v| line.starts_with(&format!("version {v}:")));
            if heartbeat.rejected_bundles.iter().any(refused) {
                count.refused += 1;
            }
        }
        count
    }
}

fn rollouts_dir(dir: &Path) -> PathBuf {
    dir.join("content").join("rollouts")
}

fn rollout_file(dir: &Path, first_version: u64) -> PathBuf {
    rollouts_dir(dir).join(format!("{first_version}.json"))
}

fn save(dir: &Path, rollout: &Rollout) -> Result<()> {
    let path = rollout_file(dir, rollout.first_version());
    let partial = path.with_extension("partial");
    std::fs::write(&partial, serde_json::to_vec_pretty(rollout)?)?;
    std::fs::rename(&partial, &path).with_context(|| format!("cannot write {}", path.display()))
}

/// Every rollout, newest first.
pub fn rollouts(dir: &Path) -> Vec<Rollout> {
    let mut all: Vec<Rollout> = std::fs::read_dir(rollouts_dir(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())
        .collect();
    all.sort_by_key(|r: &Rollout| std::cmp::Reverse(r.first_version()));
    all
}

/// Publishes `content` to the first of `stages` and keeps the rollout.
pub fn start(
    dir: &Path,
    content: &Path,
    stages: Vec<Vec<String>>,
    stop_above_percent: u32,
    valid_days: u32,
    now_ms: i64,
) -> Result<Published> {
    anyhow::ensure!(
        !stages.is_empty() && stages.iter().all(|s| !s.is_empty()),
        "a rollout needs a group in each stage"
    );
    let lock = BundlesLock::take(dir)?;
    let published = publish_locked(&lock, dir, content, &stages[0], valid_days, now_ms)?;
    std::fs::create_dir_all(rollouts_dir(dir))?;
    let rollout = Rollout {
        stages,
        reached: 1,
        versions: vec![published.version],
        stop_above_percent,
        valid_days,
        stopped: None,
    };
    save(dir, &rollout)?;
    Ok(published)
}

/// Looks at `rollout` against the kiosks' last heartbeats and moves it on if its stage is through
/// (or if `force`, whatever the stage says); keeps what changed. One looker at a time: the
/// rollout is read again under the bundles' lock, so that two servers never step it twice.
pub fn look(dir: &Path, rollout: Rollout, kiosks: &[KioskRow], force: bool, now_ms: i64) -> Result<Step> {
    let lock = BundlesLock::take(dir)?;
    let path = rollout_file(dir, rollout.first_version());
    let mut rollout: Rollout = serde_json::from_slice(&std::fs::read(&path)?)
        .with_context(|| format!("{} is not a rollout", path.display()))?;
    if let Some(why) = &rollout.stopped
        && !force
    {
        return Ok(Step::Stopped(why.clone()));
    }
    if rollout.is_done() {
        return Ok(Step::Done);
    }
    let count = rollout.stage_count(kiosks);
    let over = count.kiosks > 0 && count.refused * 100 > count.kiosks * rollout.stop_above_percent as usize;
    if over && !force {
        let why = format!(
            "{} of the {} reporting kiosks of {} refused version {}: fix the content and publish again, or move on with `citizen-central content advance --force`",
            count.refused,
            count.kiosks,
            rollout.stages[rollout.reached - 1].join(", "),
            rollout.latest_version()
        );
        if rollout.stopped.is_none() {
            tracing::error!("content rollout stopped: {why}");
            rollout.stopped = Some(why.clone());
            save(dir, &rollout)?;
        }
        return Ok(Step::Stopped(why));
    }
    // A stage no kiosk reports from has shown nothing yet: it waits (or is forced on).
    let through = count.kiosks > 0 && count.applied == count.kiosks && count.refused == 0;
    if !through && !force {
        return Ok(Step::Waiting(count));
    }
    let groups = rollout.stages[..=rollout.reached].concat();
    // A version published since, for any of those groups, is newer than what the rollout carries:
    // moving on would put the older content back over it.
    let shelf = crate::content_shelf::ContentShelf::open(dir);
    let overtaken = shelf.versions().into_iter().find(|v| {
        v.version > rollout.latest_version()
            && !rollout.versions.contains(&v.version)
            && (v.groups.is_empty() || v.groups.iter().any(|g| groups.contains(g)))
    });
    if let Some(newer) = overtaken {
        let why = format!(
            "version {} was published since for {}: moving on would put version {}'s older content over it; start a new rollout",
            newer.version,
            if newer.groups.is_empty() { "every kiosk".to_string() } else { newer.groups.join(", ") },
            rollout.latest_version()
        );
        if rollout.stopped.as_ref() != Some(&why) {
            tracing::error!("content rollout stopped: {why}");
            rollout.stopped = Some(why.clone());
            save(dir, &rollout)?;
        }
        return Ok(Step::Stopped(why));
    }
    let files = bundles_dir(dir).join(rollout.latest_version().to_string()).join("files");
    let published = publish_locked(&lock, dir, &files, &groups, rollout.valid_days, now_ms)?;
    rollout.reached += 1;
    rollout.versions.push(published.version);
    rollout.stopped = None;
    save(dir, &rollout)?;
    tracing::info!(version = published.version, ?groups, "content rollout moved on to its next stage");
    Ok(Step::Advanced { version: published.version, groups })
}

/// Looks at every rollout under way (the server, every [`LOOK_EVERY`]); returns the versions it
/// published.
pub fn look_at_all(dir: &Path, kiosks: &[KioskRow], now_ms: i64) -> Vec<u64> {
    let mut published = Vec::new();
    for rollout in rollouts(dir).into_iter().filter(|r| !r.is_done() && r.stopped.is_none()) {
        match look(dir, rollout, kiosks, false, now_ms) {
            Ok(Step::Advanced { version, .. }) => published.push(version),
            Ok(_) => {}
            Err(e) => tracing::error!("a content rollout cannot move on: {e:#}"),
        }
    }
    published
}

/// The server's part: looks at the rollouts under way every [`LOOK_EVERY`] until `shutdown`, and
/// tells the shelf (and, on PostgreSQL, every instance) of a version it published.
pub async fn keep_looking(
    dir: PathBuf,
    state: crate::api::SharedState,
    database: String,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(LOOK_EVERY) => {}
        }
        if rollouts(&dir).iter().all(|r| r.is_done() || r.stopped.is_some()) {
            continue;
        }
        let kiosks = match state.storage.kiosks().await {
            Ok(kiosks) => kiosks,
            Err(e) => {
                tracing::warn!("the content rollouts cannot be looked at now: {e}");
                continue;
            }
        };
        let looked_in = dir.clone();
        let now = crate::api::now_ms();
        let published =
            tokio::task::spawn_blocking(move || look_at_all(&looked_in, &kiosks, now)).await.unwrap_or_default();
        for version in published {
            state.content.rescan();
            if crate::content_bell::is_postgres(&database)
                && let Err(e) = crate::content_bell::announce(&database, version).await
            {
                tracing::warn!("the other server instances were not told of version {version} at once: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_content::Content;
    use citizen_window_protocol::heartbeat::{ContentReport, Heartbeat};

    fn kiosk(id: &str, group: &str, version: Option<u64>, refused: &[&str]) -> KioskRow {
        KioskRow {
            kiosk_id: id.into(),
            label: None,
            enrolled_at_ms: 0,
            last_heartbeat_ms: Some(0),
            last_heartbeat: Some(Heartbeat {
                sent_at_ms: 0,
                devices: vec![],
                backlog: 0,
                oldest_pending_ms: None,
                content_version: version,
                software_version: "0".into(),
                free_disk_bytes: None,
                rejected_bundles: refused.iter().map(|s| s.to_string()).collect(),
                content: Some(ContentReport { group: group.into(), ..Default::default() }),
                refused_records: 0,
            }),
            highest_contiguous_seq: 0,
            revoked_at_ms: None,
            certificate_ends_ms: None,
            help_call: None,
        }
    }

    fn fleet() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        crate::pki::init_fleet(dir.path(), &["localhost".to_string()]).unwrap();
        dir
    }

    fn stages() -> Vec<Vec<String>> {
        vec![vec!["pilot".into()], vec!["north".into(), "south".into()]]
    }

    #[test]
    fn the_next_stage_follows_when_the_first_has_applied_it_without_refusals() {
        let server = fleet();
        let first = start(server.path(), &Content::example_dir(), stages(), 10, 30, 1_000).unwrap();
        let rollout = rollouts(server.path()).remove(0);
        assert_eq!((rollout.groups_reached(), first.version), (vec!["pilot".to_string()], 1));
        let waiting =
            [kiosk("a", "pilot", Some(1), &[]), kiosk("b", "pilot", None, &[]), kiosk("n", "north", None, &[])];
        let counted = StageCount { kiosks: 2, applied: 1, refused: 0 };
        assert_eq!(look(server.path(), rollout.clone(), &waiting, false, 2_000).unwrap(), Step::Waiting(counted));
        let nobody = StageCount::default();
        assert_eq!(look(server.path(), rollout.clone(), &[], false, 2_000).unwrap(), Step::Waiting(nobody));
        let through = [kiosk("a", "pilot", Some(1), &[]), kiosk("b", "pilot", Some(1), &[])];
        assert_eq!(look_at_all(server.path(), &through, 3_000), vec![2]);
        let rollout = rollouts(server.path()).remove(0);
        assert_eq!((rollout.reached, rollout.versions.clone()), (2, vec![1, 2]));
        let shelf = crate::content_shelf::ContentShelf::open(server.path());
        assert_eq!(shelf.newest_for("south").unwrap().0, 2);
        assert_eq!(shelf.newest_for("pilot").unwrap().0, 2, "the first stage takes the wider version too");
        assert!(shelf.newest_for("east").is_none());
        assert_eq!(look(server.path(), rollout, &through, false, 4_000).unwrap(), Step::Done);
    }

    #[test]
    fn a_rollout_never_puts_older_content_over_a_version_published_since() {
        let server = fleet();
        start(server.path(), &Content::example_dir(), stages(), 10, 30, 1_000).unwrap();
        // An urgent publish for every kiosk while the pilot stage runs.
        crate::publish::publish(server.path(), &Content::example_dir(), &[], 30, 1_500).unwrap();
        let kiosks = [kiosk("a", "pilot", Some(2), &[]), kiosk("b", "pilot", Some(1), &[])];
        let rollout = rollouts(server.path()).remove(0);
        assert_eq!(rollout.stage_count(&kiosks).applied, 1, "only the rollout's own versions count as applied");
        let kiosks = [kiosk("a", "pilot", Some(1), &[])];
        let step = look(server.path(), rollout, &kiosks, false, 2_000).unwrap();
        assert!(matches!(&step, Step::Stopped(why) if why.contains("version 2 was published since")), "{step:?}");
        assert_eq!(crate::publish::latest_version(server.path()), 2, "nothing older was signed over it");
    }

    #[test]
    fn refusals_over_the_threshold_stop_the_rollout_until_a_technician_forces_it() {
        let server = fleet();
        start(server.path(), &Content::example_dir(), stages(), 10, 30, 1_000).unwrap();
        let kiosks = [
            kiosk("a", "pilot", Some(1), &[]),
            kiosk("b", "pilot", None, &["version 1: the bundle's content is not valid"]),
        ];
        assert!(look_at_all(server.path(), &kiosks, 2_000).is_empty());
        let rollout = rollouts(server.path()).remove(0);
        let why = rollout.stopped.clone().expect("stopped");
        assert!(why.contains("1 of the 2 reporting kiosks of pilot refused version 1"), "{why}");
        assert!(matches!(look(server.path(), rollout.clone(), &kiosks, false, 3_000).unwrap(), Step::Stopped(_)));
        let forced = look(server.path(), rollout, &kiosks, true, 4_000).unwrap();
        assert!(matches!(forced, Step::Advanced { version: 2, .. }), "{forced:?}");
    }
}
