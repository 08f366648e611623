//! Days of the calendar in China's time (UTC+8, no daylight saving), for the appointment rules:
//! which days exist, which day it is, and how far apart two days are.

/// Milliseconds China's clocks are ahead of UTC.
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The day number of a `YYYY-MM-DD` (or compact `YYYYMMDD`) date that exists, from year 2000 on.
pub fn parse_day(text: &str) -> Option<i64> {
    let digits: String = match text.len() {
        10 if text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' => {
            [&text[..4], &text[5..7], &text[8..]].concat()
        }
        8 => text.to_string(),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = digits[..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..].parse().ok()?;
    let exists = year >= 2000 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    exists.then(|| days_from_civil(year, month, day))
}

/// Today's day number in China at `unix_ms`.
pub fn china_today(unix_ms: i64) -> i64 {
    (unix_ms + CHINA_OFFSET_MS).div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_days_that_exist_parse() {
        assert_eq!(parse_day("1970-01-01"), None, "before 2000");
        assert_eq!(parse_day("2000-01-01"), Some(10_957));
        assert_eq!(parse_day("2026-11-30"), parse_day("20261130"));
        assert_eq!(parse_day("2024-02-29").map(|d| d + 1), parse_day("2024-03-01"));
        for bad in
            ["0000-00-00", "2026-13-01", "2026-02-29", "2026-04-31", "2026-1-01", "2026/11/30", "２０２６-11-30", ""]
        {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        let midnight_in_china = (parse_day("2026-11-30").unwrap() * 86_400_000) - CHINA_OFFSET_MS;
        assert_eq!(china_today(midnight_in_china - 1), parse_day("2026-11-29").unwrap());
        assert_eq!(china_today(midnight_in_china), parse_day("2026-11-30").unwrap());
    }
}
