//! The console's reports routes: the list with its filters and pages, one report, and moving a
//! report on (any staff member; every move is in the audit log and in the report's own moves).

use super::pages::{self, ReportListing};
use super::web::{audit, current_session, form_sender, to_sign_in, unavailable, viewer};
use crate::api::{SharedState, now_ms};
use crate::report_workflow::{self, ReportStatus};
use crate::storage::{ReportFilter, ReportMove, ReportUpdate};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

/// Reports on one page of the list.
pub const PAGE_SIZE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    age: u32,
    #[serde(default)]
    overdue: String,
    /// The last report of the page before: `<received ms>.<tracking number>`.
    #[serde(default)]
    after: String,
}

fn bad_query(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{why}: go back to the reports page (/reports) and filter again")).into_response()
}

/// The query of a list's page, with `after` as the cursor.
fn page_query(q: &ListQuery, after: &(i64, String)) -> String {
    let pairs = [
        ("status", q.status.clone()),
        ("place", q.place.clone()),
        ("age", q.age.to_string()),
        ("overdue", q.overdue.clone()),
        ("after", format!("{}.{}", after.0, after.1)),
    ];
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

pub async fn list(State(state): State<SharedState>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let now = now_ms();
    let status = match q.status.as_str() {
        "" | "open" => None,
        other => match ReportStatus::parse(other) {
            Some(status) => Some(status.as_str().to_string()),
            None => return bad_query("no such status"),
        },
    };
    let after = match q.after.split_once('.') {
        None if q.after.is_empty() => None,
        Some((ms, number)) if !number.is_empty() => match ms.parse::<i64>() {
            Ok(ms) => Some((ms, number.to_string())),
            Err(_) => return bad_query("the page is not one this console made"),
        },
        _ => return bad_query("the page is not one this console made"),
    };
    let overdue_before = (now - report_workflow::ASSIGN_WITHIN_MS, now - report_workflow::CLOSE_WITHIN_MS);
    let filter = ReportFilter {
        status,
        open_only: q.status == "open",
        place: (!q.place.is_empty()).then(|| q.place.clone()),
        received_before_ms: (q.age > 0).then(|| now - i64::from(q.age.min(3650)) * 86_400_000),
        overdue_before_ms: (q.overdue == "1").then_some(overdue_before),
        after,
        limit: PAGE_SIZE + 1,
    };
    let mut rows = match state.storage.reports(&filter).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(e),
    };
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let next_page =
        rows.last().filter(|_| more).map(|r| page_query(&q, &(r.received_at_ms, r.tracking_number.clone())));
    let (counts, overdue) = match state.storage.report_counts(overdue_before.0, overdue_before.1).await {
        Ok(counts) => counts,
        Err(e) => return unavailable(e),
    };
    let places = match state.storage.report_places().await {
        Ok(places) => places,
        Err(e) => return unavailable(e),
    };
    let listing = ReportListing {
        status: &q.status,
        place: &q.place,
        older_than_days: q.age,
        overdue_only: q.overdue == "1",
        rows: &rows,
        next_page,
        counts: &counts,
        overdue,
        places: &places,
        now_ms: now,
    };
    Html(pages::reports(&viewer(&session), &listing)).into_response()
}

pub async fn one(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(tracking_number): Path<String>,
) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let row = match state.storage.report(&tracking_number).await {
        Ok(Some(row)) => row,
        Ok(None) => return (StatusCode::NOT_FOUND, "no report has this tracking number").into_response(),
        Err(e) => return unavailable(e),
    };
    match state.storage.report_updates(&tracking_number).await {
        Ok(moves) => Html(pages::report_page(&viewer(&session), &row, &moves, now_ms())).into_response(),
        Err(e) => unavailable(e),
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    tracking_number: String,
    from: String,
    to: String,
    #[serde(default)]
    note: String,
}

/// Moves a report on, from the status the form was made in: if someone moved it meanwhile, the
/// move is refused (their move stands) and the staff member is told to look again.
pub async fn move_on(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<MoveForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, false).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let (Some(from), Some(to)) = (ReportStatus::parse(&form.from), ReportStatus::parse(&form.to)) else {
        return (StatusCode::BAD_REQUEST, "no such status: reload the report's page").into_response();
    };
    let note = match report_workflow::check_move(from, to, &form.note) {
        Ok(note) => note,
        Err(why) => return (StatusCode::BAD_REQUEST, why.to_string()).into_response(),
    };
    let update = ReportUpdate { at_ms: now_ms(), staff: session.name.clone(), status: to.as_str().into(), note };
    match state.storage.move_report(&form.tracking_number, from.as_str(), &update).await {
        Ok(ReportMove::Moved) => {}
        Ok(ReportMove::NotFound) => {
            return (StatusCode::NOT_FOUND, "no report has this tracking number").into_response();
        }
        Ok(ReportMove::Changed(now)) => {
            let now = pages::status_words(&now);
            let said = format!(
                "这条报事刚被别人改为「{now}」，请刷新后再改。 Someone else has just moved it ({now}): reload and look again."
            );
            return (StatusCode::CONFLICT, said).into_response();
        }
        Err(e) => return unavailable(e),
    }
    let detail = format!("{}: {} → {}", form.tracking_number, from.as_str(), to.as_str());
    if let Err(response) = audit(&state, &session, "move report", detail).await {
        return response;
    }
    Redirect::to(&format!("/reports/{}", pages::path_segment(&form.tracking_number))).into_response()
}
