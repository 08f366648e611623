//! The console's pages as HTML, written with maud (every value escaped), Chinese first with
//! English beneath: the layout, signing in, the audit log and enrolment tokens here; the fleet
//! and a kiosk's page in `fleet`. The pages work without script; the fleet's live updates need
//! the one small script the console serves (`console.js`).

mod fleet;
mod help;
mod ratings;
mod reports;
mod station;
mod votes;

pub use fleet::{HISTORY_DAYS, fleet, fleet_row, kiosk_page};
use maud::{DOCTYPE, Markup, html};
pub use ratings::ratings;
pub use reports::{ReportListing, report_page, reports, status_words};
pub use station::{DaySlots, WindowName, appointments};
pub use votes::{proposals, tally};

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:0;color:#1b1b1b}\
header{background:#0b4f8a;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;\
justify-content:space-between;align-items:center}header strong,nav a,.num{white-space:nowrap}\
main{padding:1rem;max-width:72rem}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ddd}\
.problem{color:#a4000f;font-weight:600}.ok{color:#0a6b2d}small{color:#555}\
form.inline{display:inline}label{display:block;margin:.6rem 0 .2rem}\
input{font-size:1rem;padding:.4rem;width:16rem;max-width:100%}button{font-size:1rem;padding:.4rem 1rem}\
.scroll{overflow-x:auto}#live-status{color:#555;font-size:.9rem}\
nav{background:#e8f0f8;padding:.4rem 1rem}nav a{margin-right:1.2rem}\
.overdue{background:#fff3e0}.tag{border:1px solid #a4000f;border-radius:.2rem;padding:0 .3rem;color:#a4000f}\
select,textarea{font-size:1rem;padding:.3rem;max-width:100%}textarea{width:32rem}\
form.filters label{display:inline-block;margin-right:1rem}";

/// The script of the live views, served at [`SCRIPT_PATH`] (the only script the CSP allows).
pub const SCRIPT: &str = include_str!("console.js");
pub const SCRIPT_PATH: &str = "/console.js";

fn page(title: &str, signed_in: Option<(&str, &str)>, body: Markup) -> Markup {
    page_with(title, signed_in, false, body)
}

/// A page; `live` adds the live views' script.
fn page_with(title: &str, signed_in: Option<(&str, &str)>, live: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 市民之窗 Citizen Window" }
                style { (maud::PreEscaped(STYLE)) }
                @if live { script src=(SCRIPT_PATH) defer {} }
            }
            body {
                header {
                    span { strong { "市民之窗 · 社区工作台" } " " small style="color:#dce9f5" { "Community office console" } }
                    @if let Some((name, csrf)) = signed_in {
                        form.inline method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            (name) " " button type="submit" { "退出 Sign out" }
                        }
                    }
                }
                @if signed_in.is_some() {
                    nav {
                        a href="/" { "机器 Fleet" }
                        a href="/reports" { "报事报修 Reports" }
                        a href="/votes" { "民意征集 Votes" }
                        a href="/appointments" { "预约取号 Appointments" }
                        a href="/ratings" { "好差评 Ratings" }
                        a href="/export" { "导出 Export" }
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

/// `text` as a QR code drawn in SVG, inline in the page (no image to fetch, nothing for the CSP
/// to allow).
fn qr_svg(text: &str) -> maud::PreEscaped<String> {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) else {
        return maud::PreEscaped(String::new());
    };
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(256, 256).build();
    // The renderer's XML declaration does not belong inside HTML; the drawing itself holds only
    // its own rectangles and path.
    let start = svg.find("<svg").unwrap_or(0);
    maud::PreEscaped(svg[start..].replacen(
        "<svg",
        r#"<svg role="img" aria-label="QR" style="width:100%;height:auto""#,
        1,
    ))
}

/// The export form: a period and a format.
pub fn export_form(viewer: &Viewer, today: &str) -> String {
    page(
        "导出 Export",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "导出交易记录" br; small { "Export transactions" } }
            p { "导出一段时间内各机器的交易记录（不含居民信息）。" br;
                small { "The kiosks' transactions of a period, without any resident in them." } }
            form method="get" action="/export/transactions" {
                label for="from" { "从 From" } input #from type="date" name="from" value=(today) required;
                label for="to" { "到 To（含 included）" } input #to type="date" name="to" value=(today) required;
                label for="format" { "格式 Format" }
                select #format name="format" {
                    option value="csv" { "CSV（表格 spreadsheet）" }
                    option value="jsonl" { "JSON Lines" }
                }
                p { button type="submit" { "导出 Export" } }
            }
        },
    )
    .into_string()
}

/// `text` as one segment of a URL path: anything but letters, digits, `-`, `.`, `_` and `~`
/// percent-encoded (ids come from kiosks, and may hold anything).
pub fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A long number in groups of four, as receipts print it.
pub fn grouped(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
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
            @let command = format!("kioskctl enrol --server {server_url} --token {token}");
            pre style="white-space:pre-wrap;word-break:break-all" { (command) }
            p { "或用技术员的手机扫码复制这条命令： " small { "Or scan it with the technician's phone to copy it:" } }
            div style="width:16rem;max-width:100%" { (qr_svg(&command)) }
            p { a href="/" { "返回机器状态 Back to the fleet" } }
        },
    )
    .into_string()
}
