//! Signed content for kiosks: the newest manifest for a kiosk's group (its version as the ETag, so
//! that asking again costs a 304), the files it lists, and the push stream (server-sent events)
//! that rings when a newer version for the group is published.

use super::identity::Kiosk;
use super::{SharedState, error};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;

/// How the push streams behave.
#[derive(Debug, Clone, Copy)]
pub struct StreamTiming {
    /// A comment line this often, so that the kiosk can tell a quiet stream from a dead one.
    pub keep_alive: Duration,
    /// A stream is ended after this long (the kiosk opens it again at once): a revoked kiosk
    /// loses its stream within this time, and streams spread again over the instances.
    pub lifetime: Duration,
}

impl Default for StreamTiming {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(citizen_window_protocol::content_bundle::KEEP_ALIVE_SECONDS),
            lifetime: Duration::from_secs(30 * 60),
        }
    }
}

/// Push streams one kiosk may hold at once: its own, and one more while a dead one is noticed.
/// A stream holds a connection for its whole lifetime, so a stolen kiosk's certificate must not
/// be able to take the fleet's connection places with them.
pub const STREAMS_PER_KIOSK: usize = 2;

/// Content files one kiosk may be sent at once (it fetches one at a time): each holds an open
/// file besides its connection.
pub const DOWNLOADS_PER_KIOSK: usize = 2;

/// Which of a kiosk's counted places.
type Places = fn(&super::AppState) -> &std::sync::Mutex<std::collections::HashMap<String, usize>>;

/// One of a kiosk's places (a stream, a download), given back when dropped.
struct KioskPlace {
    state: SharedState,
    kiosk_id: String,
    places: Places,
}

impl KioskPlace {
    fn take(state: &SharedState, kiosk_id: &str, places: Places, most: usize) -> Option<Self> {
        let mut open = places(state).lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(kiosk_id.to_string()).or_default();
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(Self { state: state.clone(), kiosk_id: kiosk_id.to_string(), places })
    }
}

impl Drop for KioskPlace {
    fn drop(&mut self) {
        let mut open = (self.places)(&self.state).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.kiosk_id) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.kiosk_id);
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct GroupQuery {
    #[serde(default)]
    group: String,
}

/// A group as the kiosk's configuration allows it: up to 32 letters, digits, '-' or '_'.
fn checked_group(query: GroupQuery) -> Option<String> {
    plain_group(query.group)
}

/// A group as a kiosk's configuration allows it, if `group` is one.
pub fn plain_group(group: String) -> Option<String> {
    (group.len() <= 32 && group.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).then_some(group)
}

fn bad_group() -> Response {
    error(StatusCode::BAD_REQUEST, "bad_group", "group: up to 32 letters, digits, '-' or '_' ([content] group)")
}

pub async fn manifest(
    State(state): State<SharedState>,
    Kiosk(_): Kiosk,
    Query(query): Query<GroupQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(group) = checked_group(query) else { return bad_group() };
    let Some((version, signed)) = state.content.newest_for(&group) else {
        return error(
            StatusCode::NOT_FOUND,
            "no_content",
            "no content is published for this kiosk's group yet: the kiosk keeps the content it has",
        );
    };
    let etag = HeaderValue::from_str(&format!("\"{version}\"")).expect("digits make a header value");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let json = HeaderValue::from_static("application/json");
    (StatusCode::OK, [(header::ETAG, etag), (header::CONTENT_TYPE, json)], Body::from(signed.to_vec())).into_response()
}

pub async fn file(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Path((version, path)): Path<(String, String)>,
) -> Response {
    let not_listed = || {
        error(
            StatusCode::NOT_FOUND,
            "no_such_file",
            "that version's manifest lists no such file: ask for the manifest again",
        )
    };
    let Ok(version) = version.parse::<u64>() else { return not_listed() };
    let Some((on_disk, size)) = state.content.file(version, &path) else { return not_listed() };
    let Ok(opened) = tokio::fs::File::open(&on_disk).await else {
        tracing::error!(version, path, "a published content file is missing from the server's folder");
        return not_listed();
    };
    let Some(place) = KioskPlace::take(&state, &kiosk_id, |s| &s.downloads_open, DOWNLOADS_PER_KIOSK) else {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_downloads",
            format!("this kiosk is already fetching {DOWNLOADS_PER_KIOSK} files: fetch one at a time"),
        );
    };
    // Streamed from the disk, never more than the manifest's size (a thousand kiosks fetching at
    // once hold a buffer each, not the bundle), and cut off at its deadline: a reader too slow
    // for it holds neither the connection nor the open file any longer.
    use futures_util::StreamExt;
    use tokio::io::AsyncReadExt;
    let deadline = tokio::time::sleep(Duration::from_secs(30 + size / 50_000));
    let chunks = tokio_util::io::ReaderStream::new(opened.take(size)).take_until(deadline);
    let body = Body::from_stream(chunks.map(move |chunk| {
        let _held = &place;
        chunk
    }));
    let length = HeaderValue::from(size);
    let kind = HeaderValue::from_static("application/octet-stream");
    (StatusCode::OK, [(header::CONTENT_LENGTH, length), (header::CONTENT_TYPE, kind)], body).into_response()
}

pub async fn events(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Query(query): Query<GroupQuery>,
) -> Response {
    let Some(group) = checked_group(query) else { return bad_group() };
    let Some(push) = PushStream::open(&state, &kiosk_id, group) else { return too_many_streams() };
    let messages = futures_util::stream::unfold(push, |mut push| async move {
        push.next_message().await.map(|message| (Ok::<_, Infallible>(message), push))
    });
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (StatusCode::OK, headers, Body::from_stream(messages)).into_response()
}

fn too_many_streams() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_streams",
        format!("this kiosk already holds {STREAMS_PER_KIOSK} push streams: close one, or wait for a dead one to end"),
    )
}

/// One kiosk's push stream: the messages it is sent, whoever writes them (the router, or
/// `push_connections` for a connection opened for its stream alone).
pub struct PushStream {
    state: SharedState,
    group: String,
    bell: tokio::sync::watch::Receiver<u64>,
    said: Option<u64>,
    ends_at: tokio::time::Instant,
    /// When a keep-alive is due if nothing else was sent.
    quiet_until: tokio::time::Instant,
    _place: KioskPlace,
}

impl PushStream {
    /// A stream for `kiosk_id` (checked by the caller) and `group`, if the kiosk has a place left.
    pub fn open(state: &SharedState, kiosk_id: &str, group: String) -> Option<Self> {
        let Some(place) = KioskPlace::take(state, kiosk_id, |s| &s.streams_open, STREAMS_PER_KIOSK) else {
            tracing::warn!(%kiosk_id, "a kiosk asked for more push streams than it may hold");
            return None;
        };
        tracing::debug!(%kiosk_id, %group, "content push stream opened");
        Some(Self {
            bell: state.content.doorbell(),
            ends_at: tokio::time::Instant::now() + state.content_streams.lifetime,
            quiet_until: tokio::time::Instant::now(),
            state: state.clone(),
            group,
            said: None,
            _place: place,
        })
    }

    /// The next message: the newest version for the group as a `content` event (at once, then
    /// when a newer one is published), a keep-alive comment after a quiet `keep_alive`, or None
    /// at the end of the stream's lifetime.
    pub async fn next_message(&mut self) -> Option<String> {
        let message = loop {
            let newest = self.state.content.newest_for(&self.group).map_or(0, |(version, _)| version);
            if self.said != Some(newest) {
                self.said = Some(newest);
                break format!("event: content\ndata: {newest}\n\n");
            }
            tokio::select! {
                changed = self.bell.changed() => changed.ok()?,
                _ = tokio::time::sleep_until(self.quiet_until) => break ":\n\n".to_string(),
                _ = tokio::time::sleep_until(self.ends_at) => return None,
            }
        };
        self.quiet_until = tokio::time::Instant::now() + self.state.content_streams.keep_alive;
        Some(message)
    }
}
