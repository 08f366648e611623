//! Votes on their way in: each vote's sealed resident becomes its ballot pseudonym (one per
//! resident and proposal, see `residents`), and a second ballot of the same resident on the same
//! proposal, from any kiosk, is set aside as refused: kept, never counted, and the kiosk told.

use super::set_aside;
use crate::residents::ResidentKeys;
use citizen_window_protocol::record_rules::{kinds, refusal_codes};
use citizen_window_protocol::sync::{Refusal, TransactionRecord};
use std::collections::HashMap;

/// What a kiosk and its resident are told when a vote is not counted.
pub const ALREADY_VOTED_REASON: &str =
    "this resident had already voted on this proposal (at this or another kiosk): kept, not counted";

fn proposal_of(record: &TransactionRecord) -> Option<String> {
    let payload: serde_json::Value = serde_json::from_str(record.payload.as_str()).ok()?;
    Some(payload.get("proposal")?.as_str()?.to_string())
}

/// Replaces each vote's sealed resident by its ballot pseudonym. A vote whose seal does not open
/// (made for another kiosk or proposal, or altered) or that names no proposal is set aside.
pub fn key_votes(records: &mut [TransactionRecord], kiosk_id: &str, residents: Option<&ResidentKeys>) -> Vec<Refusal> {
    let mut refused = Vec::new();
    for record in records.iter_mut().filter(|r| r.kind == kinds::VOTE) {
        let (Some(sealed), Some(proposal)) = (record.resident.as_deref(), proposal_of(record)) else {
            refused.push(set_aside(
                record,
                "a vote must name its proposal and carry its resident, sealed".into(),
                None,
            ));
            continue;
        };
        let keyed = match residents {
            Some(keys) => keys.ballot_pseudonym(sealed, kiosk_id, &proposal).map_err(|e| e.to_string()),
            None => Err("this server holds no residents' key".to_string()),
        };
        match keyed {
            Ok(ballot) => record.resident = Some(ballot),
            Err(why) => refused.push(set_aside(record, format!("the vote's resident: {why}"), None)),
        }
    }
    refused
}

/// The ballot pseudonyms of this batch's votes (after [`key_votes`]).
pub fn ballots_in(records: &[TransactionRecord]) -> Vec<String> {
    records.iter().filter(|r| r.kind == kinds::VOTE).filter_map(|r| r.resident.clone()).collect()
}

/// Sets aside each vote whose ballot was already cast by another record (`cast`: ballot to the
/// id of the record holding it), or earlier in this batch. A record that is itself the holder
/// (a replay) goes on, and is found a duplicate.
pub fn set_aside_second_votes(records: &mut [TransactionRecord], cast: &HashMap<String, uuid::Uuid>) -> Vec<Refusal> {
    let mut refused = Vec::new();
    let mut in_batch: HashMap<String, uuid::Uuid> = HashMap::new();
    for record in records.iter_mut().filter(|r| r.kind == kinds::VOTE) {
        let Some(ballot) = record.resident.clone() else { continue };
        let holder = cast.get(&ballot).or_else(|| in_batch.get(&ballot)).copied();
        match holder {
            Some(id) if id != record.id => {
                let code = Some(refusal_codes::ALREADY_VOTED.to_string());
                refused.push(set_aside(record, ALREADY_VOTED_REASON.into(), code));
            }
            _ => {
                in_batch.insert(ballot, record.id);
            }
        }
    }
    refused
}
