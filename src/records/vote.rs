//! Opinion votes (民意征集): one per resident per proposal, with a vote code on the receipt that
//! the resident can quote to the community if they doubt their vote was counted.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Agree,
    Disagree,
    Abstain,
}

impl VoteChoice {
    pub const ALL: [VoteChoice; 3] = [VoteChoice::Agree, VoteChoice::Disagree, VoteChoice::Abstain];

    pub fn id(self) -> &'static str {
        match self {
            VoteChoice::Agree => "agree",
            VoteChoice::Disagree => "disagree",
            VoteChoice::Abstain => "abstain",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn printed_name(self) -> (&'static str, &'static str) {
        match self {
            VoteChoice::Agree => ("同意", "Agree"),
            VoteChoice::Disagree => ("不同意", "Disagree"),
            VoteChoice::Abstain => ("弃权", "Abstain"),
        }
    }
}

/// A vote as journaled, with the resident's ID number sealed for the server in the journal's
/// resident column (never in the payload). Titles and the comment are copied in both languages, so that the receipt
/// and its reprint need nothing but the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotePayload {
    pub proposal: String,
    pub proposal_title: (String, String),
    pub choice: VoteChoice,
    /// The comment chosen from the proposal's phrases, if any.
    pub comment: Option<(String, String)>,
    pub vote_code: String,
}

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new vote code, "K7M2-9QXD"; `random` gives random numbers below its argument.
pub fn new_vote_code(mut random: impl FnMut(usize) -> usize) -> String {
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(CODE_ALPHABET[random(CODE_ALPHABET.len()) % CODE_ALPHABET.len()] as char);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_codes_are_eight_unambiguous_characters_in_two_groups() {
        let mut n = 0;
        let code = new_vote_code(|len| {
            n += 7;
            n % len
        });
        assert_eq!(code.len(), 9);
        assert_eq!(code.as_bytes()[4], b'-');
        assert!(code.chars().filter(|c| *c != '-').all(|c| CODE_ALPHABET.contains(&(c as u8))));
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
    }

    #[test]
    fn choice_ids_round_trip() {
        for choice in VoteChoice::ALL {
            assert_eq!(VoteChoice::from_id(choice.id()), Some(choice));
        }
    }
}
