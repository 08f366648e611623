//! Synthetic demo data for the online services: bills, social-insurance records, appointment
//! slots. No real person is in here; records are derived from the resident's pseudonym.

use citizen_window_protocol::services::{AppointmentSlot, Bill, ContributionMonth, SocialInsuranceRecord, Utility};
use citizen_window_protocol::station::WindowId;

/// Demo bills by account number.
pub fn bill(account: &str) -> Option<Bill> {
    let (utility, holder, amount_fen, usage) = match account {
        "3301-0288-1742" => (Utility::Water, "张*", 4140, "12 吨"),
        "3301-0288-1743" => (Utility::Water, "李**", 2760, "8 吨"),
        "5102-7781-0031" => (Utility::Electricity, "张*", 11_860, "196 度"),
        "6603-1120-0457" => (Utility::Gas, "王*", 6_320, "23 立方米"),
        "8800-0012-0501" => (Utility::PropertyFee, "李**", 18_000, "3幢501 2026年10月"),
        _ => return None,
    };
    Some(Bill {
        account: account.into(),
        utility,
        holder: holder.into(),
        period: "2026-10".into(),
        amount_fen,
        usage: usage.into(),
    })
}

/// The accounts of the demo bills.
pub const ACCOUNTS: [&str; 5] =
    ["3301-0288-1742", "3301-0288-1743", "5102-7781-0031", "6603-1120-0457", "8800-0012-0501"];

/// The bills of the household a resident belongs to (the resident by pseudonym; `None` for a
/// malformed one): the same two or three accounts every time for the same resident.
pub fn bills_of_resident(resident: &str) -> Option<Vec<Bill>> {
    if resident.len() != 64 || !resident.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let seed = u64::from_str_radix(&resident[..8], 16).ok()?;
    let count = 2 + (seed % 2) as usize;
    let first = (seed / 2) as usize;
    Some((0..count).filter_map(|i| bill(ACCOUNTS[(first + i) % ACCOUNTS.len()])).collect())
}

/// A resident's contributions and payments, the same every time for the same pseudonym.
pub fn social_insurance(resident: &str) -> Option<SocialInsuranceRecord> {
    if resident.len() != 64 || !resident.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let seed = u64::from_str_radix(&resident[..8], 16).ok()?;
    let months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"];
    let base = 40_000 + (seed % 20_000);
    let contributions = months
        .iter()
        .map(|m| ContributionMonth { month: (*m).into(), pension_fen: base / 10 * 8 / 10, medical_fen: base / 50 })
        .collect();
    let retired = seed % 3 == 0;
    let pension_payments = if retired {
        months
            .iter()
            .map(|m| ContributionMonth { month: (*m).into(), pension_fen: 320_000 + seed % 50_000, medical_fen: 0 })
            .collect()
    } else {
        Vec::new()
    };
    let subsistence_allowance = ["none", "none", "granted", "under_review"][(seed % 4) as usize].to_string();
    Some(SocialInsuranceRecord { contributions, pension_payments, subsistence_allowance })
}

/// Each window that takes appointments, by the id the example content gives it, with the code
/// its slot ids start with.
pub const WINDOWS: [(&str, WindowId); 5] = [
    ("si", WindowId::fixed("social_insurance")),
    ("ca", WindowId::fixed("civil_affairs")),
    ("fp", WindowId::fixed("family_planning")),
    ("la", WindowId::fixed("legal_aid")),
    ("hs", WindowId::fixed("health_station")),
];

/// Each window takes this many appointments per half-hour slot.
pub const SLOT_CAPACITY: u32 = 4;

/// Half-hour slots, 09:00 to 11:30, on `day` (YYYY-MM-DD), for every window.
pub fn slots(day: &str) -> Vec<AppointmentSlot> {
    let compact: String = day.chars().filter(char::is_ascii_digit).collect();
    let mut slots = Vec::new();
    for (code, window) in WINDOWS {
        for half_hour in 0..6 {
            let (h, m) = (9 + half_hour / 2, if half_hour % 2 == 0 { 0 } else { 30 });
            slots.push(AppointmentSlot {
                slot_id: format!("{code}-{compact}-{h:02}{m:02}"),
                window,
                starts_at: format!("{day} {h:02}:{m:02}"),
                free: SLOT_CAPACITY,
            });
        }
    }
    slots
}

/// The slot with this id, if it is a well-formed id for a known window.
pub fn slot(slot_id: &str) -> Option<AppointmentSlot> {
    let mut parts = slot_id.split('-');
    let (code, date, time) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || date.len() != 8
        || time.len() != 4
        || !date.bytes().chain(time.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let day = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]);
    slots(&day).into_iter().find(|s| s.slot_id == slot_id).filter(|s| s.slot_id.starts_with(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_has_the_same_bills_every_time() {
        let resident = "9".repeat(64);
        let bills = bills_of_resident(&resident).unwrap();
        assert!((2..=3).contains(&bills.len()));
        assert_eq!(bills_of_resident(&resident), Some(bills));
        assert_eq!(bills_of_resident("not a hash"), None);
    }

    #[test]
    fn demo_data_is_consistent() {
        assert_eq!(bill("3301-0288-1742").unwrap().amount_fen, 4140);
        assert!(bill("0000").is_none());
        let resident = "ab".repeat(32);
        assert_eq!(social_insurance(&resident), social_insurance(&resident));
        assert!(social_insurance("11010519491231002X").is_none(), "never an ID number");
        let all = slots("2026-11-27");
        assert_eq!(all.len(), 30);
        assert_eq!(slot("si-20261127-0930").unwrap().window.as_str(), "social_insurance");
        assert!(slot("si-20261127-1230").is_none());
        assert!(slot("xx-20261127-0930").is_none());
    }
}
