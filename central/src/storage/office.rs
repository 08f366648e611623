//! The storage the community office's console reads and changes: reports, votes, appointment
//! slots and tickets, the export, and telling other instances of a publication (each forwarded to
//! the backend in use, as in `storage`).

use super::{
    BookingRow, ExportCursor, ExportedTransaction, ProposalRow, RatingGroup, ReportFilter, ReportMove, ReportRow,
    ReportUpdate, Storage, StorageError, TicketCount, VoteGroup,
};
use std::collections::HashMap;

impl Storage {
    /// A page of issue reports as `filter` says, newest first.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StorageError> {
        dispatch!(self, reports(filter))
    }

    /// The issue report with this tracking number, as the office handles it.
    pub async fn report(&self, tracking_number: &str) -> Result<Option<ReportRow>, StorageError> {
        dispatch!(self, report(tracking_number))
    }

    /// Each move of a report, oldest first.
    pub async fn report_updates(&self, tracking_number: &str) -> Result<Vec<ReportUpdate>, StorageError> {
        dispatch!(self, report_updates(tracking_number))
    }

    /// Moves a report that is in status `from` as `update` says, and keeps the move; checks of the
    /// move itself are `report_workflow::check_move`'s.
    pub async fn move_report(
        &self,
        tracking_number: &str,
        from: &str,
        update: &ReportUpdate,
    ) -> Result<ReportMove, StorageError> {
        dispatch!(self, move_report(tracking_number, from, update))
    }

    /// How many reports are in each status, and how many are overdue (not assigned before
    /// `not_assigned_before`, or open before `open_before`).
    pub async fn report_counts(
        &self,
        not_assigned_before: i64,
        open_before: i64,
    ) -> Result<(Vec<(String, u64)>, u64), StorageError> {
        dispatch!(self, report_counts(not_assigned_before, open_before))
    }

    /// Each place reports came from, with its name.
    pub async fn report_places(&self) -> Result<Vec<(String, (String, String))>, StorageError> {
        dispatch!(self, report_places())
    }

    /// The counted votes of `proposal` made up to `until_ms` (None: all), grouped by choice,
    /// comment, day and kiosk; and how many were made after `until_ms`.
    pub async fn vote_tally(
        &self,
        proposal: &str,
        until_ms: Option<i64>,
    ) -> Result<(Vec<VoteGroup>, u64), StorageError> {
        dispatch!(self, vote_tally(proposal, until_ms))
    }

    /// Every proposal voted on, the newest vote first, with the office's closing.
    pub async fn proposals(&self) -> Result<Vec<ProposalRow>, StorageError> {
        dispatch!(self, proposals())
    }

    /// Closes a proposal's tally at `at_ms`; false if it was closed already.
    pub async fn close_proposal(&self, proposal: &str, at_ms: i64, staff: &str) -> Result<bool, StorageError> {
        dispatch!(self, close_proposal(proposal, at_ms, staff))
    }

    /// Notes the content version that published a closed proposal's result; false if not closed.
    pub async fn note_result_published(&self, proposal: &str, version: i64) -> Result<bool, StorageError> {
        dispatch!(self, note_result_published(proposal, version))
    }

    /// The capacities the office set for any of `slot_ids` (the others have the default).
    pub async fn slot_capacities(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        dispatch!(self, slot_capacities(slot_ids))
    }

    /// How many appointments are booked in each of `slot_ids` that has any.
    pub async fn booked_counts(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        dispatch!(self, booked_counts(slot_ids))
    }

    pub async fn set_slot_capacity(&self, slot_id: &str, capacity: u32) -> Result<(), StorageError> {
        dispatch!(self, set_slot_capacity(slot_id, capacity))
    }

    /// The appointments booked in `slot_ids`.
    pub async fn bookings(&self, slot_ids: &[String]) -> Result<Vec<BookingRow>, StorageError> {
        dispatch!(self, bookings(slot_ids))
    }

    /// The queue tickets issued on `days` (YYYY-MM-DD), per day and window, the newest day first.
    pub async fn tickets_by_day(&self, days: &[String]) -> Result<Vec<TicketCount>, StorageError> {
        dispatch!(self, tickets_by_day(days))
    }

    /// The residents' ratings given on `days` (YYYY-MM-DD), grouped by day, kiosk, service, score
    /// and reason.
    pub async fn rating_groups(&self, days: &[String]) -> Result<Vec<RatingGroup>, StorageError> {
        dispatch!(self, rating_groups(days))
    }

    /// Tells every server instance that content `version` was published: on PostgreSQL through
    /// its notification (`content_bell`); on SQLite one instance serves, and its shelf looks on.
    pub async fn announce_content(&self, version: u64) -> Result<(), StorageError> {
        match self {
            Storage::Sqlite(_) => Ok(()),
            Storage::Postgres(s) => s.announce_content(version).await,
        }
    }

    /// Up to `limit` transactions made from `from_ms` to before `to_ms`, after `cursor`; with the
    /// cursor of the page after (None: this was the last).
    pub async fn export_page(
        &self,
        from_ms: i64,
        to_ms: i64,
        cursor: &ExportCursor,
        limit: u32,
    ) -> Result<(Vec<ExportedTransaction>, Option<ExportCursor>), StorageError> {
        dispatch!(self, export_page(from_ms, to_ms, cursor, limit))
    }
}
