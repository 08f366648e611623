//! The fleet page (every kiosk, those with problems first, kept live by `console.js`), one row of
//! it (also sent alone to the live view), and a kiosk's own page with its 30 days of history.

use super::{Viewer, page, page_with};
use crate::kiosk_condition::{self, Problem};
use crate::storage::{HistoryEntry, KioskRow};
use citizen_window_protocol::china_time::date_time_text;
use maud::{Markup, html};

/// How far back a kiosk's page shows its history.
pub const HISTORY_DAYS: i64 = 30;

/// Kiosks on one page of the fleet.
pub const FLEET_PAGE_SIZE: usize = 100;

/// The fleet: how many kiosks and what is wrong with them, then the kiosks, those with problems
/// first, [`FLEET_PAGE_SIZE`] to a page (`page` from 1); an admin may make an enrolment token.
pub fn fleet(viewer: &Viewer, kiosks: &[KioskRow], now_ms: i64, heartbeat_interval_ms: i64, page: usize) -> String {
    let mut sorted: Vec<(&KioskRow, Vec<Problem>)> =
        kiosks.iter().map(|k| (k, kiosk_condition::of_kiosk(k, now_ms, heartbeat_interval_ms))).collect();
    sorted.sort_by(|(a, a_problems), (b, b_problems)| {
        (a_problems.is_empty(), &a.label, &a.kiosk_id).cmp(&(b_problems.is_empty(), &b.label, &b.kiosk_id))
    });
    let mut counts: Vec<(Problem, usize)> = Vec::new();
    for problem in sorted.iter().flat_map(|(_, found)| found) {
        match counts.iter_mut().find(|(p, _)| p == problem) {
            Some((_, n)) => *n += 1,
            None => counts.push((*problem, 1)),
        }
    }
    counts.sort();
    let with_problems = sorted.iter().filter(|(_, found)| !found.is_empty()).count();
    let pages = sorted.len().div_ceil(FLEET_PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let shown = sorted.iter().skip((page - 1) * FLEET_PAGE_SIZE).take(FLEET_PAGE_SIZE);
    page_with(
        "机器 Fleet",
        Some((viewer.name, viewer.csrf)),
        true,
        html! {
            h1 { "机器状态" br; small { "Fleet" } }
            p {
                "共 " strong { (sorted.len()) } " 台，有问题 " strong { (with_problems) } " 台"
                @for (problem, n) in &counts { " · " span.problem { (problem.words()) } " " (n) }
                br; small { (sorted.len()) " kiosks, " (with_problems) " with problems." }
            }
            p { span #live-status { "刷新页面查看最新状态 Reload for the latest" } }
            @if viewer.admin {
                form method="post" action="/kiosks/enrol-token" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button type="submit" { "登记新机器 Enrol a kiosk" }
                    " " a href="/audit" { "操作记录 Audit log" }
                }
            }
            @if sorted.is_empty() { p { "还没有登记的机器。 No kiosk is enrolled yet." } }
            @else {
                div.scroll { table {
                    (fleet_head())
                    tbody #fleet-rows data-page=(page) {
                        @for (kiosk, found) in shown { (row_of(kiosk, found, now_ms, heartbeat_interval_ms)) }
                    }
                } }
                @if pages > 1 {
                    p {
                        @if page > 1 { a href=(format!("/?page={}", page - 1)) { "← 上一页 Previous" } " " }
                        "第 " (page) " / " (pages) " 页 page"
                        @if page < pages { " " a #next-page href=(format!("/?page={}", page + 1)) { "下一页 Next →" } }
                    }
                }
            }
        },
    )
    .into_string()
}

/// The fleet table's head.
fn fleet_head() -> Markup {
    html! {
        thead { tr {
            th { "机器 Kiosk" } th { "问题 Problems" } th { "心跳 Heartbeat" }
            th { "打印机 Printer" } th { "读卡器 Reader" } th { "待同步 Backlog" }
            th { "内容 Content" } th { "软件 Software" } th { "证书到期 Certificate ends" }
        } }
    }
}

/// A date without its time.
fn day_text(at_ms: i64) -> String {
    date_time_text(at_ms).split(' ').next().unwrap_or_default().to_string()
}

/// One kiosk's row of the fleet table (`data-problem` says whether it has problems, for the live
/// view's ordering). The same for every viewer: revoking is on the kiosk's own page.
pub fn fleet_row(kiosk: &KioskRow, now_ms: i64, heartbeat_interval_ms: i64) -> Markup {
    row_of(kiosk, &kiosk_condition::of_kiosk(kiosk, now_ms, heartbeat_interval_ms), now_ms, heartbeat_interval_ms)
}

fn row_of(kiosk: &KioskRow, found: &[Problem], now_ms: i64, heartbeat_interval_ms: i64) -> Markup {
    let beat = kiosk.last_heartbeat.as_ref();
    let device = |name: &str| beat.and_then(|b| b.devices.iter().find(|d| d.device == name));
    let online = kiosk_condition::online(kiosk, now_ms, heartbeat_interval_ms);
    let help = kiosk.help_call.as_ref();
    html! {
        tr id=(format!("k-{}", kiosk.kiosk_id)) data-problem=(if found.is_empty() && help.is_none() { "0" } else { "1" })
            data-help=(if help.is_some() { "1" } else { "0" }) {
            td { a href=(format!("/kiosks/{}", super::path_segment(&kiosk.kiosk_id))) { (kiosk.label.as_deref().unwrap_or("—")) }
                br; small { (kiosk.kiosk_id) } }
            td {
                @if let Some((_, at)) = help {
                    a.problem href=(format!("/kiosks/{}#help-call", super::path_segment(&kiosk.kiosk_id))) {
                        "🔔 居民呼叫 Resident calling · " (date_time_text(*at).rsplit(' ').next().unwrap_or_default())
                    }
                    br;
                }
                @if found.is_empty() && help.is_none() { span.ok { "正常 fine" } }
                @for problem in found { span.problem { (problem.words()) } br; }
            }
            td { @match (online, kiosk.last_heartbeat_ms) {
                (true, _) => span.ok { "在线 online" },
                (false, Some(t)) => { "最后 last " (date_time_text(t)) },
                (false, None) => "从未 never",
            } }
            td { @match device("receipt_printer") {
                Some(d) => { (d.status) @if let Some(paper) = &d.paper { br; small { "纸 paper: " (paper) } } },
                None => "—",
            } }
            td { @match device("card_reader") { Some(d) => (d.status), None => "—" } }
            td {
                (beat.map_or(0, |h| h.backlog))
                @if let Some(t) = beat.and_then(|b| b.oldest_pending_ms) {
                    br; small { "最早 oldest " (date_time_text(t)) }
                }
            }
            td {
                @match beat.and_then(|b| b.content_version) { Some(v) => { "v" (v) }, None => "—" }
                @if let Some(stream) = beat.and_then(|b| b.content.as_ref()) { br; small { (stream.stream) } }
            }
            td { (beat.map_or("—", |b| b.software_version.as_str())) }
            td { @match kiosk.certificate_ends_ms { Some(t) => (day_text(t)), None => "—" } }
        }
    }
}

fn revoke_form(viewer: &Viewer, kiosk_id: &str) -> Markup {
    html! {
        form.inline method="post" action="/kiosks/revoke" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="kiosk_id" value=(kiosk_id);
            button type="submit" { "吊销 Revoke" }
        }
    }
}

/// A spell of a kiosk's history: from when to when (`None`: still), with which problems.
#[derive(Debug, PartialEq)]
pub struct Spell {
    pub from_ms: i64,
    pub to_ms: Option<i64>,
    pub problems: Vec<Problem>,
}

/// The spells with problems in `history` (oldest first, starting with the entry in force at
/// `since_ms`), newest first; a kiosk silent now is in an offline spell that its next heartbeat
/// will write down.
pub fn spells(history: &[HistoryEntry], since_ms: i64, silent_since_ms: Option<i64>) -> Vec<Spell> {
    let mut found: Vec<Spell> = history
        .iter()
        .enumerate()
        .map(|(i, entry)| Spell {
            from_ms: entry.at_ms.max(since_ms),
            to_ms: history.get(i + 1).map(|next| next.at_ms),
            problems: kiosk_condition::from_history_text(&entry.condition),
        })
        .filter(|spell| !spell.problems.is_empty() && spell.to_ms.is_none_or(|to| to > since_ms))
        .collect();
    if let Some(silent) = silent_since_ms {
        if let Some(last) = found.last_mut().filter(|s| s.to_ms.is_none()) {
            last.to_ms = Some(silent);
        }
        found.push(Spell { from_ms: silent, to_ms: None, problems: vec![Problem::Offline] });
    }
    found.reverse();
    found
}

fn duration_text(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    match (minutes / 1440, minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} 分钟 min"),
        (0, h, m) => format!("{h} 小时 {m} 分 ({h} h {m} min)"),
        (d, h, _) => format!("{d} 天 {h} 小时 ({d} d {h} h)"),
    }
}

/// A kiosk's page: its state now, its certificate, and its spells with problems over the last
/// [`HISTORY_DAYS`] days; for an admin, renaming and revoking.
pub fn kiosk_page(
    viewer: &Viewer,
    kiosk: &KioskRow,
    history: &[HistoryEntry],
    now_ms: i64,
    heartbeat_interval_ms: i64,
) -> String {
    let since_ms = now_ms - HISTORY_DAYS * 86_400_000;
    let online = kiosk_condition::online(kiosk, now_ms, heartbeat_interval_ms);
    let silent_since = match (online, kiosk.revoked_at_ms, kiosk.last_heartbeat_ms) {
        (false, None, Some(t)) => Some(t + kiosk_condition::offline_after_ms(heartbeat_interval_ms)),
        _ => None,
    };
    let spells = spells(history, since_ms, silent_since);
    let count = |problem: Problem| spells.iter().filter(|s| s.problems.contains(&problem)).count();
    let offline_ms: i64 = spells
        .iter()
        .filter(|s| s.problems.contains(&Problem::Offline))
        .map(|s| s.to_ms.unwrap_or(now_ms) - s.from_ms)
        .sum();
    let label = kiosk.label.as_deref().unwrap_or("");
    page(
        "机器 Kiosk",
        Some((viewer.name, viewer.csrf)),
        html! {
            p { a href="/" { "返回机器状态 Back to the fleet" } }
            h1 { (if label.is_empty() { kiosk.kiosk_id.as_str() } else { label }) br; small { (kiosk.kiosk_id) } }
            @if let Some((call_id, at)) = &kiosk.help_call { (super::help::answer_forms(viewer, call_id, *at)) }
            div.scroll { table { (fleet_head()) tbody { (fleet_row(kiosk, now_ms, heartbeat_interval_ms)) } } }
            p {
                "最近心跳 Last heartbeat: "
                @match kiosk.last_heartbeat_ms { Some(t) => (date_time_text(t)), None => "从未 never" }
                " · 证书到期 Certificate ends: "
                @match kiosk.certificate_ends_ms { Some(t) => (date_time_text(t)), None => "—" }
                " · 登记 Enrolled: " (date_time_text(kiosk.enrolled_at_ms))
            }
            @if viewer.admin {
                form method="post" action="/kiosks/rename" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="kiosk_id" value=(kiosk.kiosk_id);
                    label for="label" { "名称 Label" }
                    input id="label" name="label" value=(label) maxlength=(crate::storage::MAX_LABEL_CHARS) required;
                    " " button type="submit" { "改名 Rename" }
                }
                @if kiosk.revoked_at_ms.is_none() { p { (revoke_form(viewer, &kiosk.kiosk_id)) } }
            }
            h2 { "近 " (HISTORY_DAYS) " 天的问题" br; small { "Problems in the last " (HISTORY_DAYS) " days" } }
            p { "离线 " (count(Problem::Offline)) " 次，共 " (duration_text(offline_ms)) "；缺纸 " (count(Problem::PaperOut)) " 次。"
                br; small { "Offline " (count(Problem::Offline)) " times; paper out " (count(Problem::PaperOut)) " times." } }
            @if spells.is_empty() { p { "这段时间没有问题。 No problems in this time." } }
            @else {
                table {
                    thead { tr { th { "从 From" } th { "到 To" } th { "时长 For" } th { "问题 Problems" } } }
                    tbody { @for spell in &spells { tr {
                        td { (date_time_text(spell.from_ms)) }
                        td { @match spell.to_ms { Some(t) => (date_time_text(t)), None => "至今 still" } }
                        td { (duration_text(spell.to_ms.unwrap_or(now_ms) - spell.from_ms)) }
                        td { @for problem in &spell.problems { span.problem { (problem.words()) } br; } }
                    } } }
                }
            }
        },
    )
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::heartbeat::{DeviceReport, Heartbeat};

    const NOW: i64 = 1_800_000_000_000;

    fn kiosk(id: &str, beat_at: Option<i64>, printer: (&str, Option<&str>)) -> KioskRow {
        let device = |name: &str, status: &str, paper: Option<&str>| DeviceReport {
            device: name.into(),
            status: status.into(),
            paper: paper.map(str::to_string),
            detail: None,
        };
        KioskRow {
            kiosk_id: id.into(),
            label: Some(format!("{id} <b>")),
            enrolled_at_ms: 0,
            last_heartbeat_ms: beat_at,
            last_heartbeat: beat_at.map(|t| Heartbeat {
                sent_at_ms: t,
                devices: vec![device("receipt_printer", printer.0, printer.1), device("card_reader", "online", None)],
                backlog: 3,
                oldest_pending_ms: Some(t - 1000),
                content_version: Some(7),
                software_version: "0.1.0".into(),
                free_disk_bytes: None,
                rejected_bundles: vec![],
                content: None,
                refused_records: 0,
            }),
            highest_contiguous_seq: 0,
            revoked_at_ms: None,
            certificate_ends_ms: Some(NOW + 200 * 86_400_000),
            help_call: None,
        }
    }

    #[test]
    fn a_kiosk_s_problems_come_from_its_last_heartbeat_its_age_and_its_certificate() {
        let interval = 30_000;
        let problems = |k: &KioskRow| kiosk_condition::of_kiosk(k, NOW, interval);
        let fine = kiosk("a", Some(NOW - 1000), ("online", Some("ok")));
        assert!(problems(&fine).is_empty());
        let silent = kiosk("b", Some(NOW - 46_000), ("online", Some("ok")));
        assert_eq!(problems(&silent), [Problem::Offline], "no heartbeat for over 1.5 intervals");
        let out = kiosk("c", Some(NOW), ("user_error", Some("out")));
        assert_eq!(problems(&out), [Problem::PaperOut]);
        let low = kiosk("d", Some(NOW), ("online", Some("low")));
        assert_eq!(problems(&low), [Problem::PaperLow]);
        let never = kiosk("e", None, ("online", None));
        assert_eq!(problems(&never), [Problem::Offline]);
        let mut revoked = kiosk("f", Some(NOW), ("online", Some("out")));
        revoked.revoked_at_ms = Some(NOW);
        assert_eq!(problems(&revoked), [Problem::Revoked]);
        let mut ending = kiosk("g", Some(NOW), ("online", Some("ok")));
        ending.certificate_ends_ms = Some(NOW + 29 * 86_400_000);
        assert_eq!(problems(&ending), [Problem::CertificateEnding]);

        // Problems first, labels escaped.
        let viewer = Viewer { name: "王芳", csrf: "t", admin: false };
        let page = fleet(&viewer, &[fine, out], NOW, interval, 1);
        assert!(page.find("c &lt;b&gt;").unwrap() < page.find("a &lt;b&gt;").unwrap(), "the paper-out kiosk first");
        assert!(!page.contains("<b>"));
    }

    #[test]
    fn history_becomes_spells_with_problems_newest_first() {
        let hour = 3_600_000;
        let entry = |at_ms: i64, condition: &str| HistoryEntry { at_ms, condition: condition.into() };
        let since = NOW - 30 * 24 * hour;
        let history = [
            entry(since - 5 * hour, "offline"),
            entry(since + hour, ""),
            entry(NOW - 3 * hour, "paper_out"),
            entry(NOW - 2 * hour, ""),
            entry(NOW - hour, "paper_low"),
        ];
        let found = spells(&history, since, None);
        let spell = |from_ms, to_ms, problems: &[Problem]| Spell { from_ms, to_ms, problems: problems.to_vec() };
        assert_eq!(
            found,
            [
                spell(NOW - hour, None, &[Problem::PaperLow]),
                spell(NOW - 3 * hour, Some(NOW - 2 * hour), &[Problem::PaperOut]),
                spell(since, Some(since + hour), &[Problem::Offline]),
            ],
            "the spell in force 30 days ago starts then"
        );
        // Silent now: the last spell ends when the silence began, and an offline one is still going.
        let found = spells(&history, since, Some(NOW - 10 * 60_000));
        assert_eq!(found[0], spell(NOW - 10 * 60_000, None, &[Problem::Offline]));
        assert_eq!(found[1], spell(NOW - hour, Some(NOW - 10 * 60_000), &[Problem::PaperLow]));
    }
}
