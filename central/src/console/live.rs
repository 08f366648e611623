//! The fleet page's live view: server-sent events on `/fleet/events`, one `row` event (the
//! kiosk's id, whether it has problems, its row as HTML, the same for every viewer) for each change
//! the fleet watch passes on; `reload` when too much changed; `ended` when the session ends
//! (checked every [`SESSION_CHECK`]; watching does not keep a session open).

use super::auth;
use super::fleet_watch::{FleetWatch, LiveChange};
use super::listener::{LiveStreamOpen, LiveStreams};
use crate::api::{SharedState, now_ms};
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// How often a live view checks that its session is still open.
pub const SESSION_CHECK: Duration = Duration::from_secs(30);
/// A comment is sent this often when nothing changes, so that proxies keep the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long the browser waits before it reconnects a lost stream.
const RECONNECT: Duration = Duration::from_secs(2);

/// One open live view.
struct Live {
    state: SharedState,
    token: String,
    changes: broadcast::Receiver<LiveChange>,
    check: tokio::time::Interval,
    started: bool,
    ended: bool,
    _place: tokio::sync::OwnedSemaphorePermit,
    _open: Option<LiveStreamOpen>,
}

impl Live {
    async fn next_event(&mut self) -> Option<Event> {
        if !self.started {
            self.started = true;
            return Some(Event::default().retry(RECONNECT).comment("live"));
        }
        if self.ended {
            return None;
        }
        loop {
            tokio::select! {
                change = self.changes.recv() => return match change {
                    Ok(LiveChange::Row(kiosk)) => Some(self.row_event(&kiosk)),
                    Ok(LiveChange::Reload) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        Some(Event::default().event("reload").data("reload"))
                    }
                    Err(broadcast::error::RecvError::Closed) => None,
                },
                _ = self.check.tick() => {
                    match auth::session_open(&self.state.storage, &self.token, now_ms()).await {
                        Ok(false) => {
                            self.ended = true;
                            return Some(Event::default().event("ended").data("ended"));
                        }
                        Ok(true) => {}
                        Err(e) => tracing::warn!("console: a live view cannot check its session: {e}"),
                    }
                }
            }
        }
    }

    fn row_event(&self, kiosk: &crate::storage::KioskRow) -> Event {
        let (now, interval) = (now_ms(), self.state.heartbeat_interval_ms);
        let html = super::pages::fleet_row(kiosk, now, interval).into_string();
        let problem = !crate::kiosk_condition::of_kiosk(kiosk, now, interval).is_empty() || kiosk.help_call.is_some();
        let data = serde_json::json!({ "id": kiosk.kiosk_id, "problem": problem, "html": html });
        Event::default().event("row").data(data.to_string())
    }
}

/// `GET /fleet/events`: the live view of a signed-in staff member.
pub async fn fleet_events(
    State(state): State<SharedState>,
    Extension(watch): Extension<Arc<FleetWatch>>,
    streams: Option<Extension<LiveStreams>>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = super::web::session_cookie(&headers) else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    match auth::session(&state.storage, token, now_ms()).await {
        Ok(Some(_)) => {}
        Ok(None) => return (StatusCode::UNAUTHORIZED, "sign in first").into_response(),
        Err(e) => return super::web::unavailable(e),
    }
    let Ok(place) = watch.live_views.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many live views are open: reload the page later")
            .into_response();
    };
    let live = Live {
        token: token.to_string(),
        changes: watch.subscribe(),
        check: tokio::time::interval(SESSION_CHECK),
        started: false,
        ended: false,
        _place: place,
        _open: streams.map(|Extension(streams)| streams.open()),
        state,
    };
    let events = futures_util::stream::unfold(live, |mut live| async move {
        let event = live.next_event().await?;
        Some((Ok::<_, std::convert::Infallible>(event), live))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response()
}
