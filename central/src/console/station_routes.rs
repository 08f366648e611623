//! The console's appointments and tickets routes: today's and tomorrow's slots (or another day's)
//! per window with their bookings, each slot's capacity set by staff, and the tickets of the last
//! week. Window names come from the newest content published for every kiosk.

use super::pages::{self, DaySlots, WindowName};
use super::web::{audit, current_session, form_sender, to_sign_in, unavailable, viewer};
use crate::api::{SharedState, now_ms};
use crate::demo_data;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use citizen_window_protocol::china_time;
use serde::Deserialize;
use std::path::Path;

/// The most appointments a slot may take.
pub const MAX_CAPACITY: u32 = 50;
/// Days of tickets the page shows, today included.
const TICKET_DAYS: i64 = 7;

/// The station's windows as the newest content for every kiosk names them (none if unreadable).
fn window_names(dir: &Path) -> Vec<WindowName> {
    #[derive(Deserialize)]
    struct Windows {
        #[serde(default)]
        window: Vec<citizen_window_content::StationWindow>,
    }
    let Ok((version, _)) = crate::publish::newest_for_every_kiosk(dir) else { return Vec::new() };
    let path = crate::publish::bundles_dir(dir).join(version.to_string()).join("files").join("windows.toml");
    let windows: Option<Windows> = std::fs::read_to_string(path).ok().and_then(|text| toml::from_str(&text).ok());
    windows
        .map(|w| w.window)
        .unwrap_or_default()
        .into_iter()
        .map(|w| WindowName {
            id: w.id.to_string(),
            number: Some(w.number),
            name: (w.name.zh.clone(), w.name.en.clone().unwrap_or_default()),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    day: String,
}

pub async fn page(State(state): State<SharedState>, headers: HeaderMap, Query(q): Query<DayQuery>) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let today = china_time::day_number(now_ms());
    let days: Vec<(i64, &str)> = match q.day.as_str() {
        "" => vec![(today, "今天 today"), (today + 1, "明天 tomorrow")],
        text => match china_time::parse_day(text) {
            Some(day) => vec![(day, "")],
            None => return (StatusCode::BAD_REQUEST, "give the day as YYYY-MM-DD").into_response(),
        },
    };
    let mut shown = Vec::new();
    for (day, which) in days {
        let text = china_time::day_text(day);
        let slots = demo_data::slots(&text);
        let ids: Vec<String> = slots.iter().map(|s| s.slot_id.clone()).collect();
        let (set, bookings) = match (state.storage.slot_capacities(&ids).await, state.storage.bookings(&ids).await) {
            (Ok(set), Ok(bookings)) => (set, bookings),
            (Err(e), _) | (_, Err(e)) => return unavailable(e),
        };
        let capacities =
            ids.iter().map(|id| (id.clone(), set.get(id).copied().unwrap_or(demo_data::SLOT_CAPACITY))).collect();
        shown.push((text, which, slots, capacities, bookings));
    }
    let ticket_days: Vec<String> = (0..TICKET_DAYS).map(|back| china_time::day_text(today - back)).collect();
    let tickets = match state.storage.tickets_by_day(&ticket_days).await {
        Ok(tickets) => tickets,
        Err(e) => return unavailable(e),
    };
    let dir = state.content.server_dir().to_path_buf();
    let windows = tokio::task::spawn_blocking(move || window_names(&dir)).await.unwrap_or_default();
    let days: Vec<DaySlots> = shown
        .iter()
        .map(|(day, which, slots, capacities, bookings)| DaySlots { day, which, slots, capacities, bookings })
        .collect();
    Html(pages::appointments(&viewer(&session), &windows, &days, &tickets)).into_response()
}

#[derive(Deserialize)]
pub struct CapacityForm {
    #[serde(default)]
    csrf: String,
    slot_id: String,
    capacity: String,
}

/// Sets how many appointments a slot takes; bookings already made stand.
pub async fn set_capacity(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Form(form): Form<CapacityForm>,
) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, false).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let Some(slot) = demo_data::slot(&form.slot_id) else {
        return (StatusCode::NOT_FOUND, "no such appointment slot: reload the page").into_response();
    };
    let capacity = match form.capacity.trim().parse::<u32>() {
        Ok(n) if n <= MAX_CAPACITY => n,
        _ => {
            let said = format!(
                "容量是 0 到 {MAX_CAPACITY} 之间的整数。 A capacity is a whole number from 0 to {MAX_CAPACITY}."
            );
            return (StatusCode::BAD_REQUEST, said).into_response();
        }
    };
    if let Err(e) = state.storage.set_slot_capacity(&slot.slot_id, capacity).await {
        return unavailable(e);
    }
    if let Err(response) = audit(&state, &session, "slot capacity", format!("{}: {capacity}", slot.slot_id)).await {
        return response;
    }
    let day = slot.starts_at.split(' ').next().unwrap_or_default();
    Redirect::to(&format!("/appointments?day={day}")).into_response()
}
