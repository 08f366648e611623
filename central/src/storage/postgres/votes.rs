//! PostgreSQL storage of the votes' tallies and the office's closing of proposals (`storage::votes`).

use super::super::StorageError;
use super::super::reports::name_pair;
use super::super::votes::{
    POSTGRES_LATE_VOTES, POSTGRES_PROPOSALS, POSTGRES_TALLY, ProposalRow, VoteGroup, comment_of,
};
use super::PostgresStorage;

impl PostgresStorage {
    pub async fn vote_tally(
        &self,
        proposal: &str,
        until_ms: Option<i64>,
    ) -> Result<(Vec<VoteGroup>, u64), StorageError> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(POSTGRES_TALLY).await?;
        let groups = client
            .query(&statement, &[&proposal, &until_ms])
            .await?
            .iter()
            .map(|r| VoteGroup {
                choice: r.get::<_, Option<String>>(0).unwrap_or_default(),
                comment: comment_of(r.get(1)),
                day: r.get(2),
                kiosk_id: r.get(3),
                votes: r.get::<_, i64>(4) as u64,
            })
            .collect();
        let late: i64 = match until_ms {
            Some(until) => client.query_one(POSTGRES_LATE_VOTES, &[&proposal, &until]).await?.get(0),
            None => 0,
        };
        Ok((groups, late as u64))
    }

    pub async fn proposals(&self) -> Result<Vec<ProposalRow>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_PROPOSALS, &[]).await?;
        Ok(rows
            .iter()
            .map(|r| ProposalRow {
                proposal: r.get::<_, Option<String>>(0).unwrap_or_default(),
                title: name_pair(&r.get::<_, Option<String>>(1).unwrap_or_default()),
                votes: r.get::<_, i64>(2) as u64,
                first_vote_ms: r.get(3),
                last_vote_ms: r.get(4),
                closed_at_ms: r.get(5),
                closed_by: r.get(6),
                result_version: r.get(7),
            })
            .collect())
    }

    pub async fn close_proposal(&self, proposal: &str, at_ms: i64, staff: &str) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let closed = client
            .execute(
                "INSERT INTO proposal_closures (proposal, closed_at_ms, staff) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&proposal, &at_ms, &staff],
            )
            .await?;
        Ok(closed == 1)
    }

    pub async fn announce_content(&self, version: u64) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client.execute("SELECT pg_notify($1, $2)", &[&super::super::CONTENT_CHANNEL, &version.to_string()]).await?;
        Ok(())
    }

    pub async fn note_result_published(&self, proposal: &str, version: i64) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let noted = client
            .execute("UPDATE proposal_closures SET result_version = $2 WHERE proposal = $1", &[&proposal, &version])
            .await?;
        Ok(noted == 1)
    }
}
