//! Calendar dates as the ID card writes them (YYYYMMDD), validated; no clock is read here.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CalendarDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl CalendarDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=days).contains(&day) && (1850..=2199).contains(&year)).then_some(Self { year, month, day })
    }

    /// Parses exactly eight ASCII digits.
    pub fn parse_yyyymmdd(s: &str) -> Option<Self> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::new(s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?)
    }

    /// Days since 1970-01-01 (the Unix epoch), for converting clock readings.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let (year, month, day) = citizen_window_protocol::china_time::civil_from_days(days);
        Self { year: year as u16, month: month as u8, day: day as u8 }
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        assert_eq!(CalendarDate::parse_yyyymmdd("19491231"), CalendarDate::new(1949, 12, 31));
        assert!(CalendarDate::parse_yyyymmdd("20240229").is_some());
        assert!(CalendarDate::parse_yyyymmdd("20230229").is_none());
        assert!(CalendarDate::parse_yyyymmdd("19491301").is_none());
        assert!(CalendarDate::parse_yyyymmdd("1949123").is_none());
        assert!(CalendarDate::parse_yyyymmdd("1949-231").is_none());
        assert!(CalendarDate::parse_yyyymmdd("长期").is_none());
        assert_eq!(CalendarDate::from_days_since_epoch(0), CalendarDate::new(1970, 1, 1).unwrap());
        assert_eq!(CalendarDate::from_days_since_epoch(20_418), CalendarDate::new(2025, 11, 26).unwrap());
    }
}
