//! The reports pages: the list (newest first, in pages, with filters and the overdue marked) and
//! one report with its moves and the form that moves it on.

use super::{Viewer, grouped, page};
use crate::report_workflow::{self, ReportStatus};
use crate::storage::{ReportRow, ReportUpdate};
use citizen_window_protocol::china_time::date_time_text;
use maud::{Markup, html};

/// What a reports list shows: the filters as asked, the page, and what is around it.
pub struct ReportListing<'a> {
    /// `""` (all), `open`, or a status.
    pub status: &'a str,
    pub place: &'a str,
    /// Only reports older than this many days (0: any age).
    pub older_than_days: u32,
    pub overdue_only: bool,
    pub rows: &'a [ReportRow],
    /// The query of the next page, if there may be one.
    pub next_page: Option<String>,
    pub counts: &'a [(String, u64)],
    pub overdue: u64,
    pub places: &'a [(String, (String, String))],
    pub now_ms: i64,
}

/// A status's words, or the status as stored if this server does not know it.
pub fn status_words(status: &str) -> String {
    ReportStatus::parse(status).map_or_else(|| status.to_string(), |s| s.words().to_string())
}

fn selected(on: bool) -> Option<&'static str> {
    on.then_some("selected")
}

/// The reports list.
pub fn reports(viewer: &Viewer, l: &ReportListing) -> String {
    let open: u64 =
        l.counts.iter().filter(|(s, _)| ReportStatus::parse(s).is_some_and(|s| s.is_open())).map(|(_, n)| n).sum();
    page(
        "报事报修 Reports",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "报事报修" br; small { "Residents' reports" } }
            p {
                "未办结 open: " strong { (open) } " · "
                a href="/reports?overdue=1" {
                    @if l.overdue > 0 { span.tag { "超期 overdue: " (l.overdue) } } @else { "超期 overdue: 0" }
                }
                @for (status, count) in l.counts { " · " (status_words(status)) ": " (count) }
            }
            form.filters method="get" action="/reports" {
                label { "状态 Status " select name="status" {
                    option value="" selected=[selected(l.status.is_empty())] { "全部 all" }
                    option value="open" selected=[selected(l.status == "open")] { "未办结 open" }
                    @for status in report_workflow::ALL {
                        option value=(status.as_str()) selected=[selected(l.status == status.as_str())] { (status.words()) }
                    }
                } }
                label { "地点 Place " select name="place" {
                    option value="" { "全部 all" }
                    @for (id, name) in l.places {
                        option value=(id) selected=[selected(l.place == id)] { (name.0) " " (name.1) }
                    }
                } }
                label { "时长 Age " select name="age" {
                    @for (days, words) in [(0, "不限 any"), (1, "超过 1 天 over a day"), (3, "超过 3 天 over 3 days"), (7, "超过 7 天 over a week")] {
                        option value=(days) selected=[selected(l.older_than_days == days)] { (words) }
                    }
                } }
                label { input type="checkbox" name="overdue" value="1" style="width:auto" checked[l.overdue_only]; " 只看超期 overdue only" }
                button type="submit" { "筛选 Filter" }
            }
            @if l.rows.is_empty() { p { "没有符合条件的报事。 No report matches." } }
            @else {
                div.scroll { table {
                    thead { tr {
                        th { "编号 Number" } th { "收到 Received" } th { "类别 Category" } th { "地点 Place" }
                        th { "机器 Kiosk" } th { "状态 Status" } th { "留言 Note" }
                    } }
                    tbody { @for row in l.rows { (report_row(row, l.now_ms)) } }
                } }
            }
            @if let Some(next) = &l.next_page { p { a #older href=(format!("/reports?{next}")) { "更早的 Older →" } } }
        },
    )
    .into_string()
}

fn report_row(row: &ReportRow, now_ms: i64) -> Markup {
    let status = ReportStatus::parse(&row.status);
    let overdue = status.is_some_and(|s| report_workflow::overdue(s, row.received_at_ms, now_ms));
    html! {
        tr class=[overdue.then_some("overdue")] {
            td.num { a href=(format!("/reports/{}", super::path_segment(&row.tracking_number))) { (grouped(&row.tracking_number)) } }
            td.num { (date_time_text(row.received_at_ms)) }
            td { (row.category_name.0) br; small { (row.category_name.1) } }
            td { (row.place_name.0) br; small { (row.place_name.1) } }
            td { (row.kiosk_label.as_deref().unwrap_or("")) br; small { (row.kiosk_id) } }
            td { (status_words(&row.status)) @if overdue { " " span.tag { "超期 overdue" } } }
            td { (row.note) }
        }
    }
}

/// One report: what and where, its moves, and the form that moves it on (while it is open).
pub fn report_page(viewer: &Viewer, row: &ReportRow, moves: &[ReportUpdate], now_ms: i64) -> String {
    let status = ReportStatus::parse(&row.status);
    let next = status.map(ReportStatus::next).unwrap_or_default();
    page(
        "报事 Report",
        Some((viewer.name, viewer.csrf)),
        html! {
            p { a href="/reports" { "← 报事报修 Reports" } }
            h1 { "报事 " (grouped(&row.tracking_number)) }
            table { tbody {
                tr { th { "类别 Category" } td { (row.category_name.0) " " small { (row.category_name.1) } } }
                tr { th { "地点 Place" } td { (row.place_name.0) " " small { (row.place_name.1) } } }
                tr { th { "居民提交 Reported" } td { (date_time_text(row.reported_at_ms)) } }
                tr { th { "收到 Received" } td { (date_time_text(row.received_at_ms)) } }
                tr { th { "机器 Kiosk" } td {
                    a href=(format!("/kiosks/{}", super::path_segment(&row.kiosk_id))) { (row.kiosk_label.as_deref().unwrap_or(&row.kiosk_id)) }
                    " " small { (row.kiosk_id) }
                } }
                tr { th { "状态 Status" } td {
                    (status_words(&row.status))
                    @if status.is_some_and(|s| report_workflow::overdue(s, row.received_at_ms, now_ms)) { " " span.tag { "超期 overdue" } }
                } }
                tr { th { "给居民的留言 Note for the resident" } td { (row.note) } }
            } }
            @if !next.is_empty() {
                h2 { "更新进度" br; small { "Move it on" } }
                form method="post" action="/reports/move" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="tracking_number" value=(row.tracking_number);
                    input type="hidden" name="from" value=(row.status);
                    label for="to" { "新状态 New status" }
                    select id="to" name="to" { @for s in &next { option value=(s.as_str()) { (s.words()) } } }
                    label for="note" { "给居民的留言（居民在机器上查询时可见，请勿写姓名、电话） "
                        small { "Note for the resident (shown at the kiosk: no names or phone numbers)" } }
                    textarea id="note" name="note" rows="3" maxlength=(report_workflow::NOTE_LIMIT) {}
                    p { button type="submit" { "保存 Save" } }
                }
            }
            h2 { "处理记录" br; small { "Moves" } }
            @if moves.is_empty() { p { "还没有处理。 Not handled yet." } }
            @else { table {
                thead { tr { th { "时间 When" } th { "人员 Who" } th { "状态 Status" } th { "留言 Note" } } }
                tbody { @for m in moves { tr {
                    td { (date_time_text(m.at_ms)) } td { (m.staff) } td { (status_words(&m.status)) } td { (m.note) }
                } } }
            } }
        },
    )
    .into_string()
}
