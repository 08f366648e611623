//! A proposal's result: its counted votes summed by choice, comment phrase, day and kiosk; and,
//! once the office closed it, the result published to the kiosks as a notice (居务公开) through a
//! content bundle: the newest bundle for every kiosk, with the notice added and the proposal's
//! last voting day set to the day before it was closed, signed as the next version.

use crate::publish::{self, BundlesLock, Published};
use crate::storage::VoteGroup;
use anyhow::{Context, Result};
use citizen_window_protocol::china_time;
use std::collections::BTreeMap;
use std::path::Path;

/// The choices, in the order they are shown, with their words.
pub const CHOICES: [(&str, &str, &str); 3] =
    [("agree", "同意", "Agree"), ("disagree", "不同意", "Disagree"), ("abstain", "弃权", "Abstain")];

/// Votes for each choice, in [`CHOICES`]' order.
pub type ChoiceCounts = [u64; 3];

fn choice_index(choice: &str) -> Option<usize> {
    CHOICES.iter().position(|(id, _, _)| *id == choice)
}

/// A proposal's counted votes, summed four ways.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u64,
    pub by_choice: ChoiceCounts,
    /// Each comment phrase chosen, most chosen first, with its votes by choice.
    pub by_comment: Vec<((String, String), ChoiceCounts)>,
    /// Each China day (days since 1970-01-01), oldest first.
    pub by_day: Vec<(i64, ChoiceCounts)>,
    pub by_kiosk: Vec<(String, ChoiceCounts)>,
}

impl Tally {
    pub fn of(groups: &[VoteGroup]) -> Self {
        let mut tally = Tally::default();
        let mut comments: BTreeMap<(String, String), ChoiceCounts> = BTreeMap::new();
        let mut days: BTreeMap<i64, ChoiceCounts> = BTreeMap::new();
        let mut kiosks: BTreeMap<String, ChoiceCounts> = BTreeMap::new();
        for group in groups {
            // A vote is checked as it arrives; a choice this server does not know counts nowhere.
            let Some(at) = choice_index(&group.choice) else { continue };
            tally.total += group.votes;
            tally.by_choice[at] += group.votes;
            if let Some(comment) = &group.comment {
                comments.entry(comment.clone()).or_default()[at] += group.votes;
            }
            days.entry(group.day).or_default()[at] += group.votes;
            kiosks.entry(group.kiosk_id.clone()).or_default()[at] += group.votes;
        }
        tally.by_comment = comments.into_iter().collect();
        tally.by_comment.sort_by_key(|(_, counts)| std::cmp::Reverse(counts.iter().sum::<u64>()));
        tally.by_day = days.into_iter().collect();
        tally.by_kiosk = kiosks.into_iter().collect();
        tally
    }
}

/// A share as "42.9%" (of `total`; "—" of none).
pub fn percent(part: u64, total: u64) -> String {
    if total == 0 { "—".into() } else { format!("{:.1}%", part as f64 * 100.0 / total as f64) }
}

/// The notice that publishes a result, as a `[[notice]]` table of notices.toml.
pub fn result_notice(proposal: &str, title: &(String, String), tally: &Tally, closed_at_ms: i64) -> toml::Table {
    let [agree, disagree, abstain] = tally.by_choice;
    let closed = china_time::date_time_text(closed_at_ms);
    let total = tally.total;
    let [pa, pd, pb] = tally.by_choice.map(|n| percent(n, total));
    let zh = format!(
        "截至{closed}，共有{total}位居民在市民之窗参与表决（每位居民一票，已跨机器核对）：同意{agree}票（{pa}），不同意{disagree}票（{pd}），弃权{abstain}票（{pb}）。"
    );
    let en = format!(
        "By {closed}, {total} residents voted at the kiosks (one vote each, checked across kiosks): {agree} agree ({pa}), {disagree} disagree ({pd}), {abstain} abstain ({pb})."
    );
    let text = |zh: String, en: String| {
        let mut t = toml::Table::new();
        t.insert("zh".into(), zh.into());
        t.insert("en".into(), en.into());
        toml::Value::Table(t)
    };
    let mut notice = toml::Table::new();
    notice.insert("id".into(), format!("result-{proposal}").into());
    notice.insert("category".into(), "residents_affairs".into());
    notice.insert("date".into(), china_time::date_text(closed_at_ms).into());
    notice.insert("title".into(), text(format!("表决结果：{}", title.0), format!("Result: {}", title.1)));
    notice.insert("body".into(), text(zh, en));
    notice
}

/// A proposal's title as the newest content for every kiosk gives it: the words the office
/// published, which the result notice repeats (a vote's copy of the title comes from a kiosk).
pub fn published_title(dir: &Path, proposal: &str) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Proposals {
        #[serde(default)]
        proposal: Vec<citizen_window_content::Proposal>,
    }
    let (version, _) = publish::newest_for_every_kiosk(dir).ok()?;
    let path = publish::bundles_dir(dir).join(version.to_string()).join("files").join("proposals.toml");
    let proposals: Proposals = toml::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let found = proposals.proposal.into_iter().find(|p| p.id == proposal)?;
    Some((found.title.zh, found.title.en.unwrap_or_default()))
}

/// Edits the TOML file `name` in `folder` with `edit`.
fn edit_toml(folder: &Path, name: &str, edit: impl FnOnce(&mut toml::Table)) -> Result<()> {
    let path = folder.join(name);
    let mut table: toml::Table = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("{name} of the published content is not TOML"))?,
        Err(_) => toml::Table::new(),
    };
    edit(&mut table);
    std::fs::write(&path, toml::to_string(&table)?)?;
    Ok(())
}

/// Publishes `notice` for the kiosks: the newest content with the notice added (replacing one of
/// the same id) and `proposal`'s last voting day brought back to the day before `closed_at_ms`.
pub fn publish_result(
    dir: &Path,
    proposal: &str,
    notice: toml::Table,
    closed_at_ms: i64,
    now_ms: i64,
) -> Result<Published> {
    let lock = BundlesLock::take(dir)?;
    let (base, groups) = publish::newest_for_every_kiosk(dir)?;
    let work = WorkFolder(dir.join("content").join(format!("result-{}.work", crate::pki::random_hex(8))));
    std::fs::create_dir_all(work.path()).context("cannot make a working folder in the server's folder")?;
    let from = publish::bundles_dir(dir).join(base.to_string()).join("files");
    copy_folder(&from, work.path())?;
    let id = notice.get("id").cloned();
    edit_toml(work.path(), "notices.toml", |table| {
        let notices = table.entry("notice").or_insert_with(|| toml::Value::Array(Vec::new()));
        if let toml::Value::Array(list) = notices {
            list.retain(|n| n.get("id") != id.as_ref());
            list.insert(0, toml::Value::Table(notice));
        }
    })?;
    let last_day = china_time::day_text(china_time::day_number(closed_at_ms) - 1);
    edit_toml(work.path(), "proposals.toml", |table| {
        let Some(toml::Value::Array(list)) = table.get_mut("proposal") else { return };
        for entry in list.iter_mut().filter(|p| p.get("id").and_then(|v| v.as_str()) == Some(proposal)) {
            let later = entry.get("closes").and_then(|v| v.as_str()).is_none_or(|closes| *closes > *last_day);
            if later && let Some(entry) = entry.as_table_mut() {
                entry.insert("closes".into(), last_day.clone().into());
            }
        }
    })?;
    publish::publish_locked(&lock, dir, work.path(), &groups, publish::DEFAULT_VALID_DAYS, now_ms)
}

/// A folder removed when dropped.
struct WorkFolder(std::path::PathBuf);

impl WorkFolder {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_folder(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(choice: &str, comment: Option<&str>, day: i64, kiosk: &str, votes: u64) -> VoteGroup {
        VoteGroup {
            choice: choice.into(),
            comment: comment.map(|c| (c.to_string(), format!("{c} (en)"))),
            day,
            kiosk_id: kiosk.into(),
            votes,
        }
    }

    #[test]
    fn a_tally_sums_by_choice_comment_day_and_kiosk() {
        let tally = Tally::of(&[
            group("agree", Some("支持"), 10, "k1", 3),
            group("agree", None, 11, "k2", 2),
            group("disagree", Some("担心"), 11, "k1", 1),
            group("abstain", Some("支持"), 11, "k2", 1),
            group("maybe", None, 11, "k2", 9),
        ]);
        assert_eq!((tally.total, tally.by_choice), (7, [5, 1, 1]));
        assert_eq!(tally.by_comment[0], (("支持".into(), "支持 (en)".into()), [3, 0, 1]));
        assert_eq!(tally.by_day, [(10, [3, 0, 0]), (11, [2, 1, 1])]);
        assert_eq!(tally.by_kiosk, [("k1".into(), [3, 1, 0]), ("k2".into(), [2, 0, 1])]);
        assert_eq!(percent(5, 7), "71.4%");
        let notice = result_notice("p-1", &("充电棚".into(), "Shelters".into()), &tally, 1_800_000_000_000);
        let body = notice["body"]["zh"].as_str().unwrap();
        assert!(body.contains("共有7位居民") && body.contains("同意5票（71.4%）"), "{body}");
        assert_eq!(notice["category"].as_str(), Some("residents_affairs"));
    }
}
