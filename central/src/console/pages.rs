//! The console's pages as HTML, written with maud (every value escaped), Chinese first with
//! English beneath. No script: the pages work with any browser, the phone's too.

use crate::storage::KioskRow;
use maud::{DOCTYPE, Markup, html};

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:0;color:#1b1b1b}\
header{background:#0b4f8a;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center}\
main{padding:1rem;max-width:72rem}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ddd}\
.problem{color:#a4000f;font-weight:600}.ok{color:#0a6b2d}small{color:#555}\
form.inline{display:inline}label{display:block;margin:.6rem 0 .2rem}\
input{font-size:1rem;padding:.4rem;width:16rem;max-width:100%}button{font-size:1rem;padding:.4rem 1rem}";

fn page(title: &str, signed_in: Option<(&str, &str)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 市民之窗 Citizen Window" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { "市民之窗 · 社区工作台" } " " small style="color:#dce9f5" { "Community office console" }
                    @if let Some((name, csrf)) = signed_in {
                        form.inline method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            (name) " " button type="submit" { "退出 Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The sign-in page; `problem` says why the last try failed; `pre` is the form's token.
pub fn sign_in(pre: &str, problem: Option<&str>) -> String {
    page(
        "登录 Sign in",
        None,
        html! {
            h1 { "登录" br; small { "Sign in" } }
            @if let Some(problem) = problem { p.problem { (problem) } }
            form method="post" action="/sign-in" {
                input type="hidden" name="csrf" value=(pre);
                label for="name" { "用户名 Name" }
                input id="name" name="name" autocomplete="username" required;
                label for="password" { "密码 Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { "登录 Sign in" } }
            }
        },
    )
    .into_string()
}

/// Whether a kiosk counts as online at `now_ms`: a heartbeat within 1.5 intervals.
pub fn online(kiosk: &KioskRow, now_ms: i64, heartbeat_interval_ms: i64) -> bool {
    kiosk.revoked_at_ms.is_none()
        && kiosk.last_heartbeat_ms.is_some_and(|t| now_ms - t <= heartbeat_interval_ms * 3 / 2)
}

/// What is wrong with a kiosk at `now_ms`, in a few words each (Chinese, then English).
pub fn problems(kiosk: &KioskRow, now_ms: i64, heartbeat_interval_ms: i64) -> Vec<&'static str> {
    let mut found = Vec::new();
    if kiosk.revoked_at_ms.is_some() {
        return vec!["已吊销 revoked"];
    }
    if !online(kiosk, now_ms, heartbeat_interval_ms) {
        found.push("离线 offline");
    }
    let Some(beat) = &kiosk.last_heartbeat else { return found };
    for device in &beat.devices {
        let printer = device.device == "receipt_printer";
        match (printer, device.status.as_str(), device.paper.as_deref()) {
            (_, "no_device", _) => {}
            (true, _, Some("out")) => found.push("缺纸 paper out"),
            (true, _, Some("jammed")) => found.push("卡纸 paper jam"),
            (true, "online", Some("low")) => found.push("纸将用完 paper low"),
            (true, "online", _) => {}
            (true, _, _) => found.push("打印机故障 printer fault"),
            (false, "online", _) => {}
            (false, _, _) => found.push("读卡器故障 reader fault"),
        }
    }
    if beat.oldest_pending_ms.is_some_and(|t| now_ms - t > 3_600_000) {
        found.push("同步积压 sync behind");
    }
    if !beat.rejected_bundles.is_empty() {
        found.push("内容被拒 content refused");
    }
    found
}

/// Who is looking at a page: their name, their forms' token, whether they are an admin.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub csrf: &'a str,
    pub admin: bool,
}

/// The newest changes staff made, newest first (admins only).
pub fn audit_log(viewer: &Viewer, entries: &[crate::storage::AuditEntry]) -> String {
    page(
        "操作记录 Audit log",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "操作记录" br; small { "Audit log" } }
            p { a href="/" { "返回机器状态 Back to the fleet" } }
            table {
                thead { tr { th { "时间 When" } th { "人员 Who" } th { "操作 What" } th { "详情 Detail" } } }
                tbody { @for entry in entries { tr {
                    td { (citizen_window_protocol::china_time::date_time_text(entry.at_ms)) }
                    td { (entry.staff) } td { (entry.action) } td { (entry.detail) }
                } } }
            }
        },
    )
    .into_string()
}

/// A one-time enrolment token, shown once, with the command to type on the kiosk.
pub fn enrol_token(viewer: &Viewer, token: &str, server_url: &str, valid_hours: u32) -> String {
    page(
        "登记新机器 Enrol a kiosk",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "登记新机器" br; small { "Enrol a kiosk" } }
            p { "这个登记码只显示这一次，" (valid_hours) " 小时内有效，只能用一次。" br;
                small { "This token is shown once, works once, and only for " (valid_hours) " hours." } }
            p { "在新机器上以 root 身份输入： " small { "On the new kiosk, as root, type:" } }
            pre { "kioskctl enrol --server " (server_url) " --token " (token) }
            p { a href="/" { "返回机器状态 Back to the fleet" } }
        },
    )
    .into_string()
}

/// The fleet: every kiosk, those offline or revoked first; an admin may revoke one or make an
/// enrolment token.
pub fn fleet(viewer: &Viewer, kiosks: &[KioskRow], now_ms: i64, heartbeat_interval_ms: i64) -> String {
    let (name, csrf) = (viewer.name, viewer.csrf);
    let mut sorted: Vec<(&KioskRow, Vec<&str>)> =
        kiosks.iter().map(|k| (k, problems(k, now_ms, heartbeat_interval_ms))).collect();
    sorted.sort_by_key(|(k, found)| (found.is_empty(), k.label.clone(), k.kiosk_id.clone()));
    page(
        "机器 Fleet",
        Some((name, csrf)),
        html! {
            h1 { "机器状态" br; small { "Fleet" } }
            @if viewer.admin {
                form method="post" action="/kiosks/enrol-token" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { "登记新机器 Enrol a kiosk" }
                    " " a href="/audit" { "操作记录 Audit log" }
                }
            }
            @if sorted.is_empty() { p { "还没有登记的机器。 No kiosk is enrolled yet." } }
            @else {
                table {
                    thead { tr {
                        th { "机器 Kiosk" } th { "问题 Problems" } th { "最近心跳 Last heartbeat" }
                        th { "打印机 Printer" } th { "读卡器 Reader" } th { "待同步 Backlog" }
                        th { "内容 Content" } th { "软件 Software" }
                        @if viewer.admin { th {} }
                    } }
                    tbody {
                        @for (kiosk, found) in &sorted {
                            @let beat = kiosk.last_heartbeat.as_ref();
                            @let device = |name: &str| beat.and_then(|b| b.devices.iter().find(|d| d.device == name));
                            tr {
                                td { (kiosk.label.as_deref().unwrap_or("")) br; small { (kiosk.kiosk_id) } }
                                td {
                                    @if found.is_empty() { span.ok { "正常 fine" } }
                                    @for problem in found { span.problem { (problem) } br; }
                                }
                                td { @match kiosk.last_heartbeat_ms {
                                    Some(t) => (citizen_window_protocol::china_time::date_time_text(t)),
                                    None => "—",
                                } }
                                td { @match device("receipt_printer") {
                                    Some(d) => { (d.status) @if let Some(paper) = &d.paper { br; small { "纸 paper: " (paper) } } },
                                    None => "—",
                                } }
                                td { @match device("card_reader") { Some(d) => (d.status), None => "—" } }
                                td {
                                    (beat.map_or(0, |h| h.backlog))
                                    @if let Some(t) = beat.and_then(|b| b.oldest_pending_ms) {
                                        br; small { "最早 oldest " (citizen_window_protocol::china_time::date_time_text(t)) }
                                    }
                                }
                                td {
                                    @match beat.and_then(|b| b.content_version) { Some(v) => { "v" (v) }, None => "—" }
                                    @if let Some(stream) = beat.and_then(|b| b.content.as_ref()) { br; small { (stream.stream) } }
                                }
                                td { (beat.map_or("—", |b| b.software_version.as_str())) }
                                @if viewer.admin { td { @if kiosk.revoked_at_ms.is_none() {
                                    form.inline method="post" action="/kiosks/revoke" {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="kiosk_id" value=(kiosk.kiosk_id);
                                        button type="submit" { "吊销 Revoke" }
                                    }
                                } } }
                            }
                        }
                    }
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
        }
    }

    #[test]
    fn a_kiosk_s_problems_come_from_its_last_heartbeat_and_its_age() {
        let interval = 30_000;
        let fine = kiosk("a", Some(NOW - 1000), ("online", Some("ok")));
        assert!(problems(&fine, NOW, interval).is_empty());
        let silent = kiosk("b", Some(NOW - 46_000), ("online", Some("ok")));
        assert_eq!(problems(&silent, NOW, interval), ["离线 offline"], "no heartbeat for over 1.5 intervals");
        let out = kiosk("c", Some(NOW), ("user_error", Some("out")));
        assert_eq!(problems(&out, NOW, interval), ["缺纸 paper out"]);
        let low = kiosk("d", Some(NOW), ("online", Some("low")));
        assert_eq!(problems(&low, NOW, interval), ["纸将用完 paper low"]);
        let never = kiosk("e", None, ("online", None));
        assert_eq!(problems(&never, NOW, interval), ["离线 offline"]);
        let mut revoked = kiosk("f", Some(NOW), ("online", Some("out")));
        revoked.revoked_at_ms = Some(NOW);
        assert_eq!(problems(&revoked, NOW, interval), ["已吊销 revoked"]);

        // Problems first, labels escaped.
        let viewer = Viewer { name: "王芳", csrf: "t", admin: false };
        let page = fleet(&viewer, &[fine, out], NOW, interval);
        assert!(page.find("c &lt;b&gt;").unwrap() < page.find("a &lt;b&gt;").unwrap(), "the paper-out kiosk first");
        assert!(!page.contains("<b>"));
    }
}
