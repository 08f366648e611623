//! The residents' ratings (好差评) tallied as the office reads them: per service, per kiosk and per
//! day, each with its count at every level and its satisfaction rate (非常满意, 满意 and 基本满意
//! over all), and the reasons given with the low ones.

use crate::storage::RatingGroup;
use citizen_window_protocol::record_rules::kinds;
use std::collections::BTreeMap;

/// The national levels, best first, as the page heads its columns.
pub const LEVELS: [&str; 5] = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];

/// Ratings at each level: `at[0]` 非常满意 (score 5) to `at[4]` 非常不满意 (score 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub at: [u64; 5],
}

impl Tally {
    fn add(&mut self, score: u8, count: u64) {
        if (1..=5).contains(&score) {
            self.at[usize::from(5 - score)] += count;
        }
    }

    pub fn total(&self) -> u64 {
        self.at.iter().sum()
    }

    /// 满意率: the share rated 基本满意 or better, in per mille (None with no rating).
    pub fn satisfied_per_mille(&self) -> Option<u64> {
        let total = self.total();
        (total > 0).then(|| (self.at[0] + self.at[1] + self.at[2]) * 1000 / total)
    }
}

/// A reason given with a low rating, and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    pub id: String,
    pub name: (String, String),
    pub count: u64,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RatingReport {
    pub overall: Tally,
    pub by_service: Vec<(String, Tally)>,
    pub by_kiosk: Vec<(String, Tally)>,
    /// Newest day first.
    pub by_day: Vec<(String, Tally)>,
    /// Most given first.
    pub reasons: Vec<ReasonCount>,
}

/// A service as the page names it: the kind of record it made.
pub fn service_name(kind: &str) -> String {
    match kind {
        kinds::QUEUE_TICKET => "排队取号 Queue ticket".into(),
        kinds::ISSUE_REPORT => "报事报修 Issue report".into(),
        kinds::VOTE => "民意征集 Vote".into(),
        kinds::BILL_PAYMENT => "便民缴费 Bill payment".into(),
        kinds::SOCIAL_INSURANCE_STATEMENT => "社保对账单 Social-insurance statement".into(),
        kinds::APPOINTMENT => "预约 Appointment".into(),
        other => other.chars().filter(|c| !c.is_control()).take(40).collect(),
    }
}

pub fn tally(groups: &[RatingGroup]) -> RatingReport {
    let mut report = RatingReport::default();
    let (mut services, mut kiosks, mut days) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut reasons: BTreeMap<String, ReasonCount> = BTreeMap::new();
    for g in groups.iter().filter(|g| (1..=5).contains(&g.score)) {
        report.overall.add(g.score, g.count);
        services.entry(g.service.clone()).or_insert_with(Tally::default).add(g.score, g.count);
        kiosks.entry(g.kiosk_id.clone()).or_insert_with(Tally::default).add(g.score, g.count);
        days.entry(g.day.clone()).or_insert_with(Tally::default).add(g.score, g.count);
        if !g.reason.is_empty() {
            let entry = reasons.entry(g.reason.clone()).or_insert_with(|| ReasonCount {
                id: g.reason.clone(),
                name: g.reason_name.clone(),
                count: 0,
            });
            entry.count += g.count;
        }
    }
    report.by_service = services.into_iter().collect();
    report.by_kiosk = kiosks.into_iter().collect();
    report.by_day = days.into_iter().rev().collect();
    report.reasons = reasons.into_values().collect();
    report.reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(day: &str, kiosk: &str, service: &str, score: u8, reason: &str, count: u64) -> RatingGroup {
        RatingGroup {
            day: day.into(),
            kiosk_id: kiosk.into(),
            service: service.into(),
            score,
            reason: reason.into(),
            reason_name: if reason.is_empty() {
                Default::default()
            } else {
                ("等待时间太长".into(), "Took too long".into())
            },
            count,
        }
    }

    #[test]
    fn tallies_per_service_kiosk_and_day_with_the_satisfaction_rate() {
        let report = tally(&[
            group("2026-12-03", "k1", kinds::QUEUE_TICKET, 5, "", 6),
            group("2026-12-04", "k1", kinds::QUEUE_TICKET, 2, "slow", 2),
            group("2026-12-04", "k2", kinds::BILL_PAYMENT, 3, "", 1),
            group("2026-12-04", "k2", kinds::BILL_PAYMENT, 1, "slow", 1),
            // Nonsense from a kiosk counts nowhere.
            group("2026-12-04", "k2", kinds::BILL_PAYMENT, 0, "", 50),
        ]);
        assert_eq!(report.overall.at, [6, 0, 1, 2, 1]);
        assert_eq!(report.overall.satisfied_per_mille(), Some(700));
        let ticket = &report.by_service.iter().find(|(s, _)| s == kinds::QUEUE_TICKET).unwrap().1;
        assert_eq!((ticket.total(), ticket.satisfied_per_mille()), (8, Some(750)));
        assert_eq!(
            report.by_kiosk.iter().map(|(k, t)| (k.as_str(), t.total())).collect::<Vec<_>>(),
            [("k1", 8), ("k2", 2)]
        );
        assert_eq!(report.by_day[0].0, "2026-12-04", "newest day first");
        assert_eq!(
            report.reasons,
            [ReasonCount { id: "slow".into(), name: ("等待时间太长".into(), "Took too long".into()), count: 3 }]
        );
        assert_eq!(Tally::default().satisfied_per_mille(), None);
        assert!(service_name(kinds::APPOINTMENT).contains("预约"));
    }
}
