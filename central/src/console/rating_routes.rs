//! The console's 好差评 route: the residents' ratings of the last days, tallied per service, per
//! kiosk and per day.

use super::pages;
use super::web::{current_session, to_sign_in, unavailable, viewer};
use crate::api::{SharedState, now_ms};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use citizen_window_protocol::china_time;
use serde::Deserialize;

/// The periods the page offers, in days, today included.
pub const PERIODS: [i64; 3] = [7, 30, 90];

#[derive(Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    days: Option<i64>,
}

pub async fn page(State(state): State<SharedState>, headers: HeaderMap, Query(q): Query<PeriodQuery>) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let days = q.days.unwrap_or(PERIODS[1]);
    if !PERIODS.contains(&days) {
        return (StatusCode::BAD_REQUEST, "days is 7, 30 or 90").into_response();
    }
    let today = china_time::day_number(now_ms());
    let day_list: Vec<String> = (0..days).map(|back| china_time::day_text(today - back)).collect();
    let groups = match state.storage.rating_groups(&day_list).await {
        Ok(groups) => groups,
        Err(e) => return unavailable(e),
    };
    let report = crate::rating_tally::tally(&groups);
    Html(pages::ratings(&viewer(&session), days, &report)).into_response()
}
