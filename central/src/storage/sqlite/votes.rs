//! SQLite storage of the votes' tallies and the office's closing of proposals (`storage::votes`).

use super::super::StorageError;
use super::super::reports::name_pair;
use super::super::votes::{ProposalRow, SQLITE_LATE_VOTES, SQLITE_PROPOSALS, SQLITE_TALLY, VoteGroup, comment_of};
use super::SqliteStorage;
use rusqlite::params;

impl SqliteStorage {
    pub async fn vote_tally(
        &self,
        proposal: &str,
        until_ms: Option<i64>,
    ) -> Result<(Vec<VoteGroup>, u64), StorageError> {
        let proposal = proposal.to_string();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_TALLY)?;
            let groups = stmt
                .query_map(params![proposal, until_ms], |r| {
                    Ok(VoteGroup {
                        choice: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        comment: comment_of(&r.get::<_, String>(1)?),
                        day: r.get(2)?,
                        kiosk_id: r.get(3)?,
                        votes: r.get::<_, i64>(4)? as u64,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let late: i64 = match until_ms {
                Some(until) => c.query_row(SQLITE_LATE_VOTES, params![proposal, until], |r| r.get(0))?,
                None => 0,
            };
            Ok((groups, late as u64))
        })
        .await
    }

    pub async fn proposals(&self) -> Result<Vec<ProposalRow>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(SQLITE_PROPOSALS)?;
            let rows = stmt.query_map([], |r| {
                Ok(ProposalRow {
                    proposal: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    title: name_pair(&r.get::<_, Option<String>>(1)?.unwrap_or_default()),
                    votes: r.get::<_, i64>(2)? as u64,
                    first_vote_ms: r.get(3)?,
                    last_vote_ms: r.get(4)?,
                    closed_at_ms: r.get(5)?,
                    closed_by: r.get(6)?,
                    result_version: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn close_proposal(&self, proposal: &str, at_ms: i64, staff: &str) -> Result<bool, StorageError> {
        let (proposal, staff) = (proposal.to_string(), staff.to_string());
        self.with(move |c| {
            Ok(c.execute(
                "INSERT INTO proposal_closures (proposal, closed_at_ms, staff) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                params![proposal, at_ms, staff],
            )? == 1)
        })
        .await
    }

    pub async fn note_result_published(&self, proposal: &str, version: i64) -> Result<bool, StorageError> {
        let proposal = proposal.to_string();
        self.with(move |c| {
            Ok(c.execute(
                "UPDATE proposal_closures SET result_version = ?2 WHERE proposal = ?1",
                params![proposal, version],
            )? == 1)
        })
        .await
    }
}
