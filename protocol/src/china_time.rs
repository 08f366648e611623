//! China Standard Time (UTC+8, no daylight saving), the one clock of the service: which day a
//! moment falls on, when that day began, and how days and times are written ("2026-11-27",
//! "09:41"). Kiosk and server both count tickets, appointments and votes by these days. Pure: the
//! moment always comes in as milliseconds since the Unix epoch.

/// Milliseconds China's clocks are ahead of UTC.
pub const OFFSET_MS: i64 = 8 * 3_600_000;
/// Milliseconds in a day (China has no daylight saving, so every day has as many).
pub const DAY_MS: i64 = 86_400_000;

/// The day `unix_ms` falls on in China, as days since 1970-01-01.
pub fn day_number(unix_ms: i64) -> i64 {
    // Saturating: a moment a kiosk reports may be anything.
    unix_ms.saturating_add(OFFSET_MS).div_euclid(DAY_MS)
}

/// Midnight in China of the day `unix_ms` falls on, in ms since the epoch.
pub fn start_of_day_ms(unix_ms: i64) -> i64 {
    day_number(unix_ms).saturating_mul(DAY_MS).saturating_sub(OFFSET_MS)
}

/// Milliseconds since the Unix epoch now, for callers at the edge that read the clock.
pub fn unix_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// "2026-11-27": the day `unix_ms` falls on in China.
pub fn date_text(unix_ms: i64) -> String {
    day_text(day_number(unix_ms))
}

/// "2026-11-27" for a day number.
pub fn day_text(day: i64) -> String {
    let (year, month, day) = civil_from_days(day);
    format!("{year:04}-{month:02}-{day:02}")
}

/// "09:41": the time of day `unix_ms` falls on in China.
pub fn time_text(unix_ms: i64) -> String {
    let minutes = unix_ms.saturating_add(OFFSET_MS).div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// "2026-11-27 09:41" in China.
pub fn date_time_text(unix_ms: i64) -> String {
    format!("{} {}", date_text(unix_ms), time_text(unix_ms))
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

/// The moment of a `YYYY-MM-DD HH:MM` in China, in ms since the epoch, if the day exists and the
/// time is from 00:00 to 23:59.
pub fn parse_date_time(text: &str) -> Option<i64> {
    let (day, time) = text.trim().split_once(' ')?;
    let (hours, minutes) = time.trim().split_once(':')?;
    let plain = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !plain(hours) || !plain(minutes) {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(parse_day(day)? * DAY_MS - OFFSET_MS + (hours * 60 + minutes) * 60_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The (year, month, day) of a day number (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_and_time_is_read_in_beijing_time() {
        assert_eq!(parse_date_time("2026-11-27 09:41"), Some(1_795_743_660_000));
        assert_eq!(date_time_text(parse_date_time("2026-12-31 23:59").unwrap()), "2026-12-31 23:59");
        for wrong in ["2026-11-27", "2026-11-27 24:00", "2026-02-30 10:00", "2026-11-27 9:41", "x 10:00"] {
            assert_eq!(parse_date_time(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn any_moment_is_written_without_overflow() {
        for moment in [i64::MIN, i64::MAX, -1, 0] {
            assert!(!date_time_text(moment).is_empty());
            let _ = start_of_day_ms(moment);
        }
    }

    #[test]
    fn the_day_turns_at_midnight_in_beijing() {
        // 2026-11-27 01:41 UTC is 09:41 in Beijing; that day began at 2026-11-26 16:00 UTC.
        assert_eq!(start_of_day_ms(1_795_743_660_000), 1_795_708_800_000);
        assert_eq!(start_of_day_ms(1_795_708_800_000), 1_795_708_800_000);
        assert_eq!(start_of_day_ms(1_795_708_799_999), 1_795_622_400_000);
        assert_eq!(time_text(1_795_743_660_000), "09:41");
        assert_eq!(date_text(1_795_743_660_000), "2026-11-27");
        assert_eq!(date_time_text(1_795_708_799_999), "2026-11-26 23:59");
        assert_eq!(day_number(1_795_708_800_000), parse_day("2026-11-27").unwrap());
    }

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
    fn days_and_dates_convert_both_ways() {
        for day in [-1_000_000, -1, 0, 1, 10_957, 20_784, 2_000_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(-1), "1969-12-31");
    }
}
