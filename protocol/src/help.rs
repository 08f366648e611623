//! 呼叫工作人员: a resident at a kiosk asks for staff; the community office answers with a short
//! message that the kiosk shows and speaks. The kiosk asks for the call's state every few seconds
//! while the resident waits.

use serde::{Deserialize, Serialize};

/// The longest answer staff may send, in characters: it is shown in large print and spoken.
pub const MAX_REPLY_CHARS: usize = 60;
/// A kiosk's unanswered call younger than this is the one it gets when it calls again (a retry,
/// a second tap): one call at a time per kiosk.
pub const CALL_OPEN_MS: i64 = 10 * 60 * 1000;
/// The answers the console offers with one click; a kiosk speaks each from its own recorded
/// prompt (an answer in staff's own words through its speech synthesiser).
pub const READY_ANSWERS: [&str; 3] =
    ["已收到，工作人员约 5 分钟到", "已收到，请到服务站窗口办理", "工作人员暂时走不开，请拨打服务站电话"];

/// A call for staff, as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HelpCall {
    pub call_id: String,
    /// When the server received it.
    pub called_at_ms: i64,
    /// The office's answer, once staff gave one (已收到，工作人员约 5 分钟到).
    pub reply: Option<String>,
    pub answered_at_ms: Option<i64>,
}

/// Why staff's answer cannot be sent, if it cannot: empty, too long, or with control characters.
pub fn reply_refusal(reply: &str) -> Option<String> {
    let count = reply.chars().count();
    if reply.trim().is_empty() {
        return Some("the answer is empty: choose one or write a short one".into());
    }
    if count > MAX_REPLY_CHARS {
        return Some(format!("the answer has {count} characters; at most {MAX_REPLY_CHARS} fit the kiosk's screen"));
    }
    reply.chars().any(char::is_control).then(|| "the answer may not hold line breaks or control characters".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_are_short_plain_text() {
        assert_eq!(super::reply_refusal("已收到，工作人员约 5 分钟到"), None);
        assert!(super::reply_refusal("  ").is_some());
        assert!(super::reply_refusal(&"到".repeat(61)).is_some());
        assert!(super::reply_refusal("line\nbreak").is_some());
    }
}
