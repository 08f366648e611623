//! A kiosk's call for staff on its page: when it came, and the answers staff send with one click
//! (or a short one of their own), shown and spoken at the kiosk.

use super::Viewer;
use citizen_window_protocol::china_time::date_time_text;
use citizen_window_protocol::help::{MAX_REPLY_CHARS, READY_ANSWERS};
use maud::{Markup, html};

/// The open call's answer forms.
pub fn answer_forms(viewer: &Viewer, call_id: &str, called_at_ms: i64) -> Markup {
    html! {
        section.help-call id="help-call" {
            h2 { "居民呼叫工作人员" br; small { "A resident is calling for staff, since " (date_time_text(called_at_ms)) } }
            @for answer in READY_ANSWERS {
                form.inline method="post" action="/help/answer" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="call_id" value=(call_id);
                    input type="hidden" name="reply" value=(answer);
                    button type="submit" { (answer) }
                }
                " "
            }
            form method="post" action="/help/answer" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="call_id" value=(call_id);
                label for="reply" { "其他答复 Another answer (at most " (MAX_REPLY_CHARS) " characters)" }
                input id="reply" name="reply" maxlength=(MAX_REPLY_CHARS) required;
                " " button type="submit" { "答复 Answer" }
            }
        }
    }
}
