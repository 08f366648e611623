//! The date and time on the kiosk's header, in China time and the resident's language. The wall
//! clock is an input like the instant: the runtime says once what time it was at which instant.

use crate::content::Language;
use citizen_window_protocol::china_time::{civil_from_days, day_number, time_text};
use std::time::Instant;

/// The wall clock as the kiosk was told it: `unix_ms` at the instant `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    pub at: Instant,
    pub unix_ms: i64,
}

impl WallClock {
    /// The Unix time at `now` (an instant before `at` counts back).
    pub fn unix_ms_at(&self, now: Instant) -> i64 {
        match now.checked_duration_since(self.at) {
            Some(after) => self.unix_ms + after.as_millis() as i64,
            None => self.unix_ms - self.at.duration_since(now).as_millis() as i64,
        }
    }
}

/// "12月2日 星期三" or "Wed 2 Dec": the day `unix_ms` falls on in China.
pub fn header_date(unix_ms: i64, language: Language) -> String {
    let day = day_number(unix_ms);
    let (_, month, day_of_month) = civil_from_days(day);
    // Day 0, 1970-01-01, was a Thursday; 0 below is Monday.
    let weekday = (day + 3).rem_euclid(7) as usize;
    match language {
        Language::Zh => {
            const NAMES: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
            format!("{month}月{day_of_month}日 星期{}", NAMES[weekday])
        }
        Language::En => {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            format!("{} {day_of_month} {}", DAYS[weekday], MONTHS[month as usize - 1])
        }
    }
}

/// "09:41" in China.
pub fn header_time(unix_ms: i64) -> String {
    time_text(unix_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_header_names_the_day_in_china_in_each_language() {
        // 2026-12-02 15:30 UTC is 23:30 the same Wednesday in China; 16:30 UTC is Thursday there.
        let wednesday = 1_796_225_400_000;
        assert_eq!(header_date(wednesday, Language::Zh), "12月2日 星期三");
        assert_eq!(header_date(wednesday, Language::En), "Wed 2 Dec");
        assert_eq!(header_time(wednesday), "23:30");
        assert_eq!(header_date(wednesday + 3_600_000, Language::Zh), "12月3日 星期四");
        let clock = WallClock { at: Instant::now(), unix_ms: wednesday };
        assert_eq!(clock.unix_ms_at(clock.at + Duration::from_secs(60)), wednesday + 60_000);
    }
}
