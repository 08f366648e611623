//! Receipt layout in printer columns: a half-width character takes one column, anything the printer
//! prints double-byte (CJK, full-width punctuation) takes two; lines wrap at character boundaries,
//! and at spaces for Latin words that fit on a line.

/// Columns `ch` takes on a Chinese receipt printer in Chinese mode.
pub fn char_columns(ch: char) -> usize {
    if ch.is_ascii() { 1 } else { 2 }
}

pub fn text_columns(text: &str) -> usize {
    // Counted on bytes (vectorises): an ASCII byte is one column, a UTF-8 lead byte starts a
    // two-column character, continuation bytes count nothing.
    // u16 lanes vectorise well; a byte adds at most 2, so a 16 KiB chunk cannot overflow.
    text.as_bytes()
        .chunks(16_384)
        .map(|chunk| {
            let columns = chunk.iter().fold(0u16, |acc, &b| acc + u16::from(b < 0x80) + 2 * u16::from(b >= 0xC0));
            usize::from(columns)
        })
        .sum()
}

/// Replaces control characters (tabs, escapes, line breaks inside a field) with spaces, so that
/// text from content or the server can never inject printer commands. Borrows when clean.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    // C0 controls and DEL are single bytes; C1 controls (U+0080..U+009F) start with 0xC2.
    let maybe_control = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2);
    if !maybe_control || !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
}

/// Wraps `text` into lines of at most `width` columns; explicit newlines start a new line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    wrap_each(text, width, |line| lines.push(line.to_string()));
    lines
}

/// Like [`wrap`], handing each line to `emit` as a slice of `text`: no allocation.
/// A control character counts one column: the encoder prints it as a space.
pub fn wrap_each<'t>(text: &'t str, width: usize, mut emit: impl FnMut(&'t str)) {
    let width = width.max(2);
    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph, width, &mut emit);
    }
}

fn wrap_paragraph<'t>(p: &'t str, width: usize, emit: &mut impl FnMut(&'t str)) {
    let trim = |s: &'t str| s.trim_end_matches(' ');
    if text_columns(p) <= width {
        emit(trim(p));
        return;
    }
    let (mut start, mut used, mut i) = (0, 0, 0);
    let mut inside_word = false;
    let mut emitted = false;
    while let Some(ch) = p[i..].chars().next() {
        // A Latin word (or number) that fits on a line of its own is moved whole to the next line.
        if ch.is_ascii_graphic() && !inside_word {
            let word_len = p[i..].find(|c: char| !c.is_ascii_graphic()).unwrap_or(p.len() - i);
            if used + word_len > width && word_len <= width && used > 0 {
                emit(trim(&p[start..i]));
                emitted = true;
                (start, used) = (i, 0);
            }
            if word_len <= width - used {
                i += word_len;
                used += word_len;
                continue;
            }
        }
        inside_word = ch.is_ascii_graphic();
        let cols = char_columns(ch);
        if used + cols > width {
            emit(trim(&p[start..i]));
            emitted = true;
            (start, used) = (i, 0);
            if ch == ' ' {
                i += 1;
                start = i;
                continue;
            }
        }
        used += cols;
        i += ch.len_utf8();
    }
    if start < p.len() || !emitted {
        emit(trim(&p[start..]));
    }
}

/// Pads `text` on the left so that it ends at column `width` (right alignment by spaces).
pub fn pad_left(text: &str, width: usize) -> String {
    let cols = text_columns(text);
    let mut out = " ".repeat(width.saturating_sub(cols));
    out.push_str(text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, width: usize, expected: &[&str]) {
        let lines = wrap(text, width);
        assert_eq!(lines, expected, "wrap({text:?}, {width})");
        for line in &lines {
            assert!(text_columns(line) <= width, "{line:?} overflows {width}");
        }
    }

    #[test]
    fn wraps_by_columns_and_characters() {
        check("", 32, &[""]);
        check("市民之窗", 8, &["市民之窗"]);
        check("市民之窗", 7, &["市民之", "窗"]);
        check("市民之窗", 6, &["市民之", "窗"]);
        check("a市民", 4, &["a市", "民"]);
        check("hello world", 8, &["hello", "world"]);
        check("hello world again", 11, &["hello world", "again"]);
        check("abcdefghij", 4, &["abcd", "efgh", "ij"]);
        check("金额 Amount 12.50", 10, &["金额", "Amount", "12.50"]);
        check("第一行\n第二行", 32, &["第一行", "第二行"]);
        check(&sanitize("tab\there"), 32, &["tab here"]);
    }

    #[test]
    fn never_splits_a_character_and_never_overflows() {
        let text = "社区服务站便民服务大厅 Community service hall 社保工作站 window 3 号";
        for width in 2..50 {
            let lines = wrap(text, width);
            let rejoined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(rejoined, original, "width {width}");
            assert!(lines.iter().all(|l| text_columns(l) <= width));
        }
    }

    #[test]
    fn columns_count_cjk_as_two() {
        assert_eq!(text_columns("市民 ID"), 7);
        assert_eq!(text_columns(&"市a".repeat(20_000)), 60_000);
        assert_eq!(pad_left("元", 5), "   元");
        assert_eq!(sanitize("a\x1b@b"), "a @b");
        assert!(matches!(sanitize("clean 文本"), std::borrow::Cow::Borrowed(_)));
    }
}
