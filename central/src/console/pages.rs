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

/// Who is looking at a page: their name, their forms' token, whether they are an admin.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub csrf: &'a str,
    pub admin: bool,
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
    let mut sorted: Vec<&KioskRow> = kiosks.iter().collect();
    sorted.sort_by_key(|k| (online(k, now_ms, heartbeat_interval_ms), k.label.clone(), k.kiosk_id.clone()));
    page(
        "机器 Fleet",
        Some((name, csrf)),
        html! {
            h1 { "机器状态" br; small { "Fleet" } }
            @if viewer.admin {
                form method="post" action="/kiosks/enrol-token" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { "登记新机器 Enrol a kiosk" }
                }
            }
            @if sorted.is_empty() { p { "还没有登记的机器。 No kiosk is enrolled yet." } }
            @else {
                table {
                    thead { tr {
                        th { "机器 Kiosk" } th { "状态 State" } th { "最近心跳 Last heartbeat" } th { "待同步 Backlog" }
                        @if viewer.admin { th {} }
                    } }
                    tbody {
                        @for kiosk in &sorted {
                            tr {
                                td { (kiosk.label.as_deref().unwrap_or("")) br; small { (kiosk.kiosk_id) } }
                                td {
                                    @if kiosk.revoked_at_ms.is_some() { span.problem { "已吊销 revoked" } }
                                    @else if online(kiosk, now_ms, heartbeat_interval_ms) { span.ok { "在线 online" } }
                                    @else { span.problem { "离线 offline" } }
                                }
                                td { @match kiosk.last_heartbeat_ms {
                                    Some(t) => (citizen_window_protocol::china_time::date_time_text(t)),
                                    None => "—",
                                } }
                                td { (kiosk.last_heartbeat.as_ref().map_or(0, |h| h.backlog)) }
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
