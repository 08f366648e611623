//! A long text cut into screen pages: at most `chars` characters each, cut after the last end of
//! a sentence or line within that, so that a page ends where a reader pauses.

/// The pages of `text`, each at most `chars` characters (at least one page, even when empty).
pub fn pages(text: &str, chars: usize) -> Vec<&str> {
    let chars = chars.max(1);
    let mut pages = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > chars {
        // Byte offsets of the first `chars` characters' ends.
        let ends: Vec<usize> = rest.char_indices().skip(1).map(|(at, _)| at).take(chars).collect();
        let limit = ends.last().copied().unwrap_or(rest.len());
        let head = &rest[..limit];
        let pause = head
            .char_indices()
            .rev()
            .find(|(_, c)| matches!(c, '。' | '！' | '？' | '；' | '.' | '!' | '?' | ';' | '\n'))
            .map(|(at, c)| at + c.len_utf8())
            .filter(|at| *at > limit / 2);
        // Without a pause in its second half, the page ends at a space, or at the limit.
        let cut = pause.or_else(|| head.rfind(' ').filter(|at| *at > limit / 2)).unwrap_or(limit);
        pages.push(rest[..cut].trim_end());
        rest = rest[cut..].trim_start();
    }
    pages.push(rest);
    pages
}

#[cfg(test)]
mod tests {
    use super::pages;

    #[test]
    fn a_long_text_is_cut_after_sentences_and_nothing_is_lost() {
        let text = "第一句话很短。第二句话稍微长一点点。第三句话。".repeat(20);
        let cut = pages(&text, 50);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|p| p.chars().count() <= 50), "{cut:?}");
        assert!(cut[..cut.len() - 1].iter().all(|p| p.ends_with('。')), "pages end at a sentence: {cut:?}");
        assert_eq!(cut.concat(), text, "nothing lost, nothing added");
        let english = "One sentence here. Another one follows, a little longer than the first. ".repeat(10);
        let cut = pages(&english, 60);
        assert!(cut.iter().all(|p| p.chars().count() <= 60));
        assert_eq!(cut.join(" ").split_whitespace().count(), english.split_whitespace().count());
        assert_eq!(pages("短", 10), vec!["短"]);
        assert_eq!(pages("", 10), vec![""]);
        // No pause at all: cut at the limit.
        assert_eq!(pages(&"字".repeat(25), 10).len(), 3);
    }
}
