//! The votes pages: every proposal residents voted on, and one proposal's tally by choice,
//! comment phrase, day and kiosk, with closing it and publishing its result.

use super::{Viewer, page};
use crate::storage::ProposalRow;
use crate::vote_results::{CHOICES, ChoiceCounts, Tally, percent};
use citizen_window_protocol::china_time::{date_time_text, day_text};
use maud::{Markup, html};

fn state_words(p: &ProposalRow) -> String {
    match (p.closed_at_ms, p.result_version) {
        (None, _) => "表决中 open".into(),
        (Some(at), None) => format!("已截止 closed {}", date_time_text(at)),
        (Some(at), Some(v)) => format!("已截止 closed {} · 结果已发布 result published (v{v})", date_time_text(at)),
    }
}

/// Every proposal voted on.
pub fn proposals(viewer: &Viewer, rows: &[ProposalRow]) -> String {
    page(
        "民意征集 Votes",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "民意征集" br; small { "Votes" } }
            p { "每位居民每个议题只计一票，服务器跨机器再次核对。" br;
                small { "One vote per resident and proposal, checked again by the server across kiosks." } }
            @if rows.is_empty() { p { "还没有居民投票。 No resident has voted yet." } }
            @else { div.scroll { table {
                thead { tr { th { "议题 Proposal" } th { "票数 Votes" } th { "最早收到 First received" } th { "最近收到 Latest received" } th { "状态 State" } } }
                tbody { @for p in rows { tr {
                    td { a href=(format!("/votes/{}", super::path_segment(&p.proposal))) { (p.title.0) } br; small { (p.title.1) " · " (p.proposal) } }
                    td { (p.votes) }
                    td { (date_time_text(p.first_vote_ms)) }
                    td { (date_time_text(p.last_vote_ms)) }
                    td { (state_words(p)) }
                } } }
            } } }
        },
    )
    .into_string()
}

fn counts_cells(counts: &ChoiceCounts) -> Markup {
    html! { @for n in counts { td { (n) } } td { (counts.iter().sum::<u64>()) } }
}

fn choice_heads() -> Markup {
    html! { @for (_, zh, en) in CHOICES { th { (zh) " " small { (en) } } } th { "合计 Total" } }
}

/// One proposal's tally; `notice_toml` is the result notice (to preview or to copy).
pub fn tally(viewer: &Viewer, p: &ProposalRow, tally: &Tally, late_votes: u64, notice_toml: &str) -> String {
    page(
        "表决结果 Tally",
        Some((viewer.name, viewer.csrf)),
        html! {
            p { a href="/votes" { "← 民意征集 Votes" } }
            h1 { (p.title.0) br; small { (p.title.1) } }
            p { (state_words(p)) }
            h2 { "按选项 By choice" }
            table {
                thead { tr { th { "选项 Choice" } th { "票数 Votes" } th { "占比 Share" } th {} } }
                tbody { @for (i, (_, zh, en)) in CHOICES.iter().enumerate() { tr {
                    td { (zh) " " small { (en) } }
                    td { (tally.by_choice[i]) }
                    td { (percent(tally.by_choice[i], tally.total)) }
                    td style="width:40%" { div style=(format!("background:#0b4f8a;height:.8rem;width:{}", percent(tally.by_choice[i], tally.total).replace('—', "0%"))) {} }
                } } }
            }
            p { "共 " strong { (tally.total) } " 票 votes counted."
                @if late_votes > 0 { " 截止后另有 " (late_votes) " 票未计入。 " small { (late_votes) " votes that arrived after the close are not counted." } } }
            h2 { "按留言 By comment phrase" }
            @if tally.by_comment.is_empty() { p { "没有留言。 No comment chosen." } }
            @else { table {
                thead { tr { th { "留言 Phrase" } (choice_heads()) } }
                tbody { @for ((zh, en), counts) in &tally.by_comment { tr { td { (zh) br; small { (en) } } (counts_cells(counts)) } } }
            } }
            h2 { "按收到日期 By day received" }
            table {
                thead { tr { th { "日期 Day" } (choice_heads()) } }
                tbody { @for (day, counts) in &tally.by_day { tr { td { (day_text(*day)) } (counts_cells(counts)) } } }
            }
            h2 { "按机器 By kiosk" }
            table {
                thead { tr { th { "机器 Kiosk" } (choice_heads()) } }
                tbody { @for (kiosk, counts) in &tally.by_kiosk { tr {
                    td { a href=(format!("/kiosks/{}", super::path_segment(kiosk))) { (kiosk) } } (counts_cells(counts))
                } } }
            }
            @match (p.closed_at_ms, p.result_version) {
                (None, _) => {
                    h2 { "截止表决 Close" }
                    p { "截止后计票结果固定，之后的投票不再计入；然后可以发布结果。" br;
                        small { "Closing fixes the tally: votes arriving later are not counted. Then the result can be published." } }
                    form method="post" action="/votes/close" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="proposal" value=(p.proposal);
                        button type="submit" { "截止表决 Close the vote" }
                    }
                },
                (Some(_), None) => {
                    h2 { "发布结果 Publish the result" }
                    p { "结果将作为居务公开通知发布到所有机器（一个新的内容版本），机器上的表决同时结束。" br;
                        small { "The result goes to every kiosk as a residents' affairs notice (a new content version), and the kiosks stop taking votes." } }
                    pre style="white-space:pre-wrap" { (notice_toml) }
                    form method="post" action="/votes/publish" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="proposal" value=(p.proposal);
                        button type="submit" { "发布结果 Publish" }
                    }
                },
                (Some(_), Some(version)) => {
                    h2 { "结果已发布 Result published" }
                    p { "内容版本 content version " (version) "。请把下面的通知也加入社区的内容文件夹（notices.toml），以免下次发布时丢失。" br;
                        small { "Add this notice to the station's content folder (notices.toml) too, so that the next publish keeps it." } }
                    pre style="white-space:pre-wrap" { (notice_toml) }
                },
            }
        },
    )
    .into_string()
}
