//! A resident's rating of a service (好差评): one of the five national levels, and with 不满意 or
//! below a reason from the content's list. No one is named: the rating says which service, when
//! and how, nothing else. It prints nothing.

use serde::{Deserialize, Serialize};

/// The five levels of the national 好差评 system, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl RatingLevel {
    pub const ALL: [RatingLevel; 5] = [
        RatingLevel::VerySatisfied,
        RatingLevel::Satisfied,
        RatingLevel::BasicallySatisfied,
        RatingLevel::Dissatisfied,
        RatingLevel::VeryDissatisfied,
    ];

    /// As the resident reads it: Chinese, English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            RatingLevel::VerySatisfied => ("非常满意", "Very satisfied"),
            RatingLevel::Satisfied => ("满意", "Satisfied"),
            RatingLevel::BasicallySatisfied => ("基本满意", "Basically satisfied"),
            RatingLevel::Dissatisfied => ("不满意", "Dissatisfied"),
            RatingLevel::VeryDissatisfied => ("非常不满意", "Very dissatisfied"),
        }
    }

    /// 5 for 非常满意 down to 1 for 非常不满意: what the server tallies.
    pub fn score(self) -> u8 {
        5 - Self::ALL.iter().position(|l| *l == self).expect("every level is in ALL") as u8
    }

    /// 不满意 and 非常不满意 ask for a reason.
    pub fn asks_for_reason(self) -> bool {
        self.score() <= 2
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// As the UI and the journal name it: "very_satisfied".
    pub fn id(self) -> &'static str {
        match self {
            RatingLevel::VerySatisfied => "very_satisfied",
            RatingLevel::Satisfied => "satisfied",
            RatingLevel::BasicallySatisfied => "basically_satisfied",
            RatingLevel::Dissatisfied => "dissatisfied",
            RatingLevel::VeryDissatisfied => "very_dissatisfied",
        }
    }
}

/// A rating as journaled and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingPayload {
    /// The day it was given, China Standard Time: YYYY-MM-DD (the console tallies by day).
    pub day: String,
    /// The kind of record the rated service made (`queue_ticket`, `bill_payment`, …).
    pub service: String,
    pub level: RatingLevel,
    /// 5 (非常满意) to 1 (非常不满意).
    pub score: u8,
    /// The content's reason, with 不满意 or below, if the resident chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reason's name when it was given, Chinese then English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_name: Option<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_score_five_to_one_and_the_low_ones_ask_why() {
        let scores: Vec<u8> = RatingLevel::ALL.iter().map(|l| l.score()).collect();
        assert_eq!(scores, [5, 4, 3, 2, 1]);
        let asking: Vec<&str> = RatingLevel::ALL.iter().filter(|l| l.asks_for_reason()).map(|l| l.name().0).collect();
        assert_eq!(asking, ["不满意", "非常不满意"]);
        for level in RatingLevel::ALL {
            assert_eq!(RatingLevel::from_id(level.id()), Some(level));
            assert_eq!(serde_json::to_value(level).unwrap(), level.id());
        }
    }
}
