//! The content doorbell: the server's push stream (server-sent events) held open on the kiosk's
//! mutual-TLS link. Each `content` event with a version the kiosk does not show rings the bell;
//! the manifest, asked for then, stays the source of truth. A stream that ends, fails or says
//! nothing past its keep-alives is taken for dead and opened again after a backoff with full
//! jitter; its state (connected, connecting, down and why, since when) is kept for the heartbeat,
//! apart from the heartbeat's own success.

use super::server_client::ServerClient;
use citizen_window_hardware::backoff::ReconnectBackoff;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How the stream is watched.
#[derive(Debug, Clone, Copy)]
pub struct PushTiming {
    /// Silence longer than this ends the stream (three of the server's keep-alives).
    pub silence: Duration,
    /// The first wait before opening it again, doubled up to `retry_max`, each drawn with jitter.
    pub retry_min: Duration,
    pub retry_max: Duration,
}

impl Default for PushTiming {
    fn default() -> Self {
        Self {
            silence: Duration::from_secs(3 * citizen_window_protocol::content_bundle::KEEP_ALIVE_SECONDS),
            retry_min: Duration::from_secs(1),
            retry_max: Duration::from_secs(120),
        }
    }
}

/// The stream's state as the heartbeat reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamState {
    /// `connected`, `connecting` or `down`.
    pub state: &'static str,
    pub since_ms: i64,
    pub detail: Option<String>,
}

impl Default for StreamState {
    fn default() -> Self {
        Self { state: "connecting", since_ms: crate::journal::now_ms(), detail: None }
    }
}

/// Shared between the stream task and the heartbeat.
pub type SharedStreamState = Arc<Mutex<StreamState>>;

/// The longest line the kiosk reads from the stream: the server's are a few bytes.
const MAX_LINE_BYTES: usize = 1024;

/// Holds the stream for `group` until `shutdown`, ringing `bell` with each version newer than
/// `shown()` says the kiosk has.
pub async fn hold(
    client: ServerClient,
    group: String,
    timing: PushTiming,
    state: SharedStreamState,
    shown: impl Fn() -> u64,
    bell: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let mut backoff = ReconnectBackoff::new(timing.retry_min, timing.retry_max);
    let mut random = fastrand::Rng::new();
    loop {
        set(&state, "connecting", None);
        let ended = tokio::select! {
            _ = shutdown.cancelled() => return,
            ended = listen(&client, &group, timing, &state, &shown, &bell, &mut backoff) => ended,
        };
        tracing::info!("the content push stream ended ({ended}): opening it again");
        set(&state, "down", Some(ended));
        // Whatever was published meanwhile is asked for once the stream is back (its first event).
        let wait = backoff.record_failure(std::time::Instant::now(), random.f64());
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One stream, from opening to its end; returns why it ended.
async fn listen(
    client: &ServerClient,
    group: &str,
    timing: PushTiming,
    state: &SharedStreamState,
    shown: &impl Fn() -> u64,
    bell: &Notify,
    backoff: &mut ReconnectBackoff,
) -> String {
    let opened = tokio::time::timeout(timing.silence, client.content_events(group)).await;
    let mut response = match opened {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => return e.to_string(),
        Err(_) => return "the server did not open it in time".into(),
    };
    set(state, "connected", None);
    let mut lines = EventLines::default();
    loop {
        let chunk = match tokio::time::timeout(timing.silence, response.chunk()).await {
            Err(_) => return format!("nothing heard for {} s", timing.silence.as_secs()),
            Ok(Err(e)) => return super::SyncError::from(e).to_string(),
            Ok(Ok(None)) => return "the server closed it".into(),
            Ok(Ok(Some(chunk))) => chunk,
        };
        match lines.push(&chunk) {
            Ok(versions) => {
                if !versions.is_empty() {
                    // The stream works: a later drop starts its backoff from the shortest wait.
                    backoff.record_success();
                }
                if versions.into_iter().any(|version| version > shown()) {
                    bell.notify_one();
                }
            }
            Err(why) => return why,
        }
    }
}

fn set(state: &SharedStreamState, word: &'static str, detail: Option<String>) {
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    if state.state != word || state.detail != detail {
        *state = StreamState { state: word, since_ms: crate::journal::now_ms(), detail };
    }
}

/// The server-sent events read so far: lines cut at '\n', `event:` and `data:` fields kept until
/// the blank line that ends an event. Only `content` events with a version are of interest.
#[derive(Debug, Default)]
struct EventLines {
    partial: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
}

impl EventLines {
    /// Takes more bytes; returns the versions of the `content` events they completed, or why the
    /// stream is not one the kiosk should keep reading.
    fn push(&mut self, bytes: &[u8]) -> Result<Vec<u64>, String> {
        let mut versions = Vec::new();
        for &byte in bytes {
            if byte != b'\n' {
                if self.partial.len() >= MAX_LINE_BYTES {
                    return Err(format!("a line of the stream is longer than {MAX_LINE_BYTES} bytes"));
                }
                self.partial.push(byte);
                continue;
            }
            let line = String::from_utf8_lossy(&self.partial).trim_end_matches('\r').to_string();
            self.partial.clear();
            if line.is_empty() {
                let (event, data) = (self.event.take(), self.data.take());
                if event.as_deref() == Some("content")
                    && let Some(version) = data.and_then(|d| d.trim().parse().ok())
                {
                    versions.push(version);
                }
            } else if let Some(value) = line.strip_prefix("event:") {
                self.event = Some(value.trim().to_string());
            } else if let Some(value) = line.strip_prefix("data:") {
                self.data = Some(value.trim().to_string());
            }
            // Comments (keep-alives, ": …") and other fields only show the stream is alive.
        }
        Ok(versions)
    }
}

#[cfg(test)]
mod tests {
    use super::EventLines;

    #[test]
    fn content_events_are_read_across_chunks_and_the_rest_is_ignored() {
        let mut lines = EventLines::default();
        assert_eq!(lines.push(b"event: content\ndata: 1").unwrap(), Vec::<u64>::new());
        assert_eq!(lines.push(b"2\n\n:\n\n").unwrap(), vec![12]);
        assert_eq!(lines.push(b"event: other\ndata: 5\n\nevent:content\r\ndata:13\r\n\r\n").unwrap(), vec![13]);
        assert_eq!(lines.push(b"event: content\ndata: garbage\n\n").unwrap(), Vec::<u64>::new());
        assert!(lines.push(&[b'x'; 2000]).is_err(), "an endless line ends the stream");
    }
}
