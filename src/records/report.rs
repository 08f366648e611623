//! Issue reports to the grid worker (网格员): a category and a place from lists, and a tracking
//! number the resident keeps to look up the report's status later.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCategory {
    BrokenLight,
    LeakingPipe,
    Noise,
    Safety,
    Sanitation,
    Other,
}

impl IssueCategory {
    pub const ALL: [IssueCategory; 6] = [
        IssueCategory::BrokenLight,
        IssueCategory::LeakingPipe,
        IssueCategory::Noise,
        IssueCategory::Safety,
        IssueCategory::Sanitation,
        IssueCategory::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            IssueCategory::BrokenLight => "broken_light",
            IssueCategory::LeakingPipe => "leaking_pipe",
            IssueCategory::Noise => "noise",
            IssueCategory::Safety => "safety",
            IssueCategory::Sanitation => "sanitation",
            IssueCategory::Other => "other",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The name on the screen's buttons, Chinese then English (the English is plainer than the
    /// receipt's).
    pub fn screen_name(self) -> (&'static str, &'static str) {
        match self {
            IssueCategory::Sanitation => ("环境卫生", "Rubbish and cleanliness"),
            IssueCategory::Other => ("其他问题", "Something else"),
            other => other.printed_name(),
        }
    }

    /// The name as printed on the receipt, Chinese then English.
    pub fn printed_name(self) -> (&'static str, &'static str) {
        match self {
            IssueCategory::BrokenLight => ("路灯照明损坏", "Broken light"),
            IssueCategory::LeakingPipe => ("管道漏水", "Leaking pipe"),
            IssueCategory::Noise => ("噪音扰民", "Noise"),
            IssueCategory::Safety => ("安全隐患", "Safety hazard"),
            IssueCategory::Sanitation => ("环境卫生", "Sanitation"),
            IssueCategory::Other => ("其他问题", "Other"),
        }
    }
}

/// An issue report as journaled; the server finds it by `tracking_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPayload {
    pub tracking_number: String,
    pub category: IssueCategory,
    /// The place's id in the content's list of places.
    pub place: String,
    /// The place's name when reported, for the grid worker, Chinese then English.
    pub place_name: (String, String),
}

/// Digits in a tracking number: the day (YYMMDD) and ten random digits. Kiosks number reports
/// without asking the server (reports work offline), so numbers must not collide across the
/// fleet: a district of 1,000 kiosks taking 2,000 reports a day expects one clash in about 14
/// years. Sixteen digits type like a bank card number on the keypad, and print in groups of four.
pub const TRACKING_NUMBER_DIGITS: usize = 16;

/// A new tracking number for a report made on `day` (YYYY-MM-DD); `random` gives a random u64.
pub fn new_tracking_number(day: &str, mut random: impl FnMut() -> u64) -> String {
    let date: String = day.chars().filter(char::is_ascii_digit).skip(2).collect();
    let tail_digits = TRACKING_NUMBER_DIGITS - date.len();
    let tail = random() % 10_u64.pow(tail_digits as u32);
    format!("{date}{tail:0tail_digits$}")
}

/// "2611 2712 3456 7890": how a tracking number is shown and printed.
pub fn grouped(tracking_number: &str) -> String {
    let chars: Vec<char> = tracking_number.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracking_number_is_the_day_then_ten_random_digits() {
        let number = new_tracking_number("2026-11-27", || 42);
        assert_eq!(number, "2611270000000042");
        assert_eq!(number.len(), TRACKING_NUMBER_DIGITS);
        let number = new_tracking_number("2026-11-27", || u64::MAX);
        assert_eq!(number.len(), TRACKING_NUMBER_DIGITS);
        assert!(number.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn numbers_print_in_groups_of_four() {
        assert_eq!(grouped("2611270000000042"), "2611 2700 0000 0042");
    }

    #[test]
    fn category_ids_round_trip() {
        for category in IssueCategory::ALL {
            assert_eq!(IssueCategory::from_id(category.id()), Some(category));
        }
    }
}
