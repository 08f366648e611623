//! The 好差评 page: the satisfaction rate and the count at each level over a period, per service,
//! per kiosk and per day, and the reasons given with the low ratings.

use super::{Viewer, page};
use crate::rating_tally::{LEVELS, RatingReport, Tally, service_name};
use maud::{Markup, html};

fn rate(tally: &Tally) -> String {
    tally.satisfied_per_mille().map_or("—".into(), |pm| format!("{}.{}%", pm / 10, pm % 10))
}

fn table(heading: &str, rows: &[(String, Tally)], name: impl Fn(&str) -> String) -> Markup {
    html! {
        div.scroll { table {
            thead { tr {
                th { (heading) } th { "满意率 Satisfied" } th { "评价数 Ratings" }
                @for level in LEVELS { th { (level) } }
            } }
            tbody { @for (key, tally) in rows { tr {
                td { (name(key)) } td { (rate(tally)) } td { (tally.total()) }
                @for count in tally.at { td { (count) } }
            } } }
        } }
    }
}

pub fn ratings(viewer: &Viewer, days: i64, report: &RatingReport) -> String {
    page(
        "好差评 Ratings",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "好差评" br; small { "Residents' ratings of the services" } }
            p {
                "近 " (days) " 天 · last " (days) " days: "
                @for period in super::super::rating_routes::PERIODS {
                    @if period == days { strong { (period) " 天" } } @else { a href=(format!("/ratings?days={period}")) { (period) " 天" } }
                    " "
                }
            }
            @if report.overall.total() == 0 {
                p { "这段时间没有评价。 No ratings in this period." }
            } @else {
                p { "满意率 " strong { (rate(&report.overall)) } " · 共 " (report.overall.total()) " 条评价 ratings. "
                    small { "满意率 = (非常满意 + 满意 + 基本满意) / 全部 · satisfied = the three upper levels over all" } }
                h2 { "按服务 By service" }
                (table("服务 Service", &report.by_service, service_name))
                h2 { "按机器 By kiosk" }
                (table("机器 Kiosk", &report.by_kiosk, |k| k.to_string()))
                h2 { "按日 By day" }
                (table("日期 Day", &report.by_day, |d| d.to_string()))
                h2 { "不满意的原因 Reasons given" }
                @if report.reasons.is_empty() { p { "没有选原因。 No reasons given." } }
                @else { table {
                    thead { tr { th { "原因 Reason" } th { "次数 Times" } } }
                    tbody { @for r in &report.reasons { tr {
                        td { (r.name.0) " " small { (r.name.1) } @if r.name.0.is_empty() { (r.id) } }
                        td { (r.count) }
                    } } }
                } }
            }
        },
    )
    .into_string()
}
