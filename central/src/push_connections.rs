//! Push streams on connections of their own, served without hyper. A stream is a response that
//! never ends, so it holds its connection for its whole life; hyper keeps a read and a write
//! buffer of 8 KiB per connection (its smallest), which a stream never needs. When the first
//! request on a kiosk's connection asks for the push stream (the kiosk opens its stream on a new
//! connection), and the kiosk may have one, the stream is written here with a few hundred bytes
//! of buffers; anything else, errors included, goes to the router as it came (docs/BENCHMARKS.md,
//! issue 13).

use crate::api::SharedState;
use crate::api::content::{PushStream, plain_group};
use crate::api::kiosk_register::Standing;
use citizen_window_protocol::paths;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_util::sync::CancellationToken;

/// The most of a first request read before deciding: a stream's request is a few hundred bytes.
const HEAD_BYTES: usize = 2048;

/// A message the kiosk does not take within this long ends its stream.
const WRITE_DEADLINE: Duration = Duration::from_secs(30);

/// The first bytes of a connection, read before deciding who serves it: replayed to the router
/// when it is not a stream.
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    read: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    /// A connection with nothing read yet.
    pub fn new(inner: S) -> Self {
        Self { prefix: Vec::new(), read: 0, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.read < self.prefix.len() {
            let n = (self.prefix.len() - self.read).min(buf.remaining());
            let start = self.read;
            buf.put_slice(&self.prefix[start..start + n]);
            self.read += n;
            if self.read == self.prefix.len() {
                self.prefix = Vec::new();
                self.read = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// What became of a kiosk's connection.
pub enum Served<S> {
    /// Its push stream was served here, and the connection is done.
    Stream,
    /// The peer said nothing in time, or went: the connection is done.
    Gone,
    /// Something else: for the router, with what was read replayed.
    Router(Prefixed<S>),
}

/// Reads the start of a kiosk's connection (within `header_timeout`) and serves its push stream
/// if that is what it asks for and the kiosk may have one.
pub async fn serve_or_pass<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: S,
    kiosk_id: &str,
    state: &SharedState,
    header_timeout: Duration,
    shutdown: &CancellationToken,
) -> Served<S> {
    let mut prefix = Vec::new();
    let head = tokio::time::timeout(header_timeout, read_head(&mut io, &mut prefix)).await;
    if !matches!(head, Ok(Ok(()))) {
        return Served::Gone;
    }
    if !prefix.windows(4).any(|w| w == b"\r\n\r\n") && prefix.len() >= HEAD_BYTES {
        // No kiosk request has a head this long: closed here, within the one header deadline
        // (handed on, it would get hyper's deadline on top of this one).
        let body =
            r#"{"code":"head_too_large","message":"a kiosk request's head is at most 2 KiB: send a shorter one"}"#;
        let answer = format!(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tokio::time::timeout(Duration::from_secs(5), io.write_all(answer.as_bytes())).await;
        return Served::Gone;
    }
    let Some(group) = stream_request(&prefix) else {
        return Served::Router(Prefixed { prefix, read: 0, inner: io });
    };
    let standing = state.kiosk_register.standing(&state.storage, kiosk_id).await;
    let push = match standing {
        Ok(Standing::Active) => PushStream::open(state, kiosk_id, group),
        _ => None,
    };
    // Refusals (revoked, unknown, no place left, storage down) are the router's to answer.
    let Some(push) = push else { return Served::Router(Prefixed { prefix, read: 0, inner: io }) };
    drop(prefix);
    stream(io, push, shutdown).await;
    Served::Stream
}

/// Reads until the end of the first request's head, `HEAD_BYTES` at most, or the peer's end.
async fn read_head<S: AsyncRead + Unpin>(io: &mut S, prefix: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 512];
    while !prefix.windows(4).any(|w| w == b"\r\n\r\n") && prefix.len() < HEAD_BYTES {
        let read = io.read(&mut chunk).await?;
        if read == 0 {
            return if prefix.is_empty() { Err(std::io::ErrorKind::UnexpectedEof.into()) } else { Ok(()) };
        }
        prefix.extend_from_slice(&chunk[..read]);
    }
    Ok(())
}

/// The group of a complete `GET /v1/content/events[?group=G]` request without a body, if that is
/// what `head` is (nothing after its head; a plain group).
fn stream_request(head: &[u8]) -> Option<String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(length) = request.parse(head).ok()? else { return None };
    if length != head.len() || request.method? != "GET" || request.version? != 1 {
        return None;
    }
    let has_body = request.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("transfer-encoding")
            || (h.name.eq_ignore_ascii_case("content-length") && h.value != b"0")
    });
    if has_body {
        return None;
    }
    let (path, query) = request.path?.split_once('?').unwrap_or((request.path?, ""));
    if path != paths::CONTENT_EVENTS {
        return None;
    }
    let mut group = String::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("group", value)) => group = value.to_string(),
            _ => return None,
        }
    }
    plain_group(group)
}

/// Writes the stream's answer and messages until it ends, the kiosk goes, or the server stops.
async fn stream<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, mut push: PushStream, shutdown: &CancellationToken) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
    let mut message = head.to_string();
    let mut probe = [0u8; 64];
    loop {
        let written = tokio::time::timeout(WRITE_DEADLINE, async {
            io.write_all(message.as_bytes()).await?;
            io.flush().await
        })
        .await;
        if !matches!(written, Ok(Ok(()))) {
            return;
        }
        message = tokio::select! {
            next = push.next_message() => match next {
                Some(next) => next,
                None => break,
            },
            // A kiosk only listens: anything it sends, or its end, ends the stream.
            _ = io.read(&mut probe) => return,
            _ = shutdown.cancelled() => break,
        };
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), io.shutdown()).await;
}

#[cfg(test)]
mod tests {
    use super::stream_request;

    #[test]
    fn only_a_whole_stream_request_is_taken() {
        let ask = |text: &str| stream_request(text.as_bytes());
        assert_eq!(ask("GET /v1/content/events HTTP/1.1\r\nHost: a\r\n\r\n"), Some(String::new()));
        assert_eq!(ask("GET /v1/content/events?group=north-1 HTTP/1.1\r\nHost: a\r\n\r\n"), Some("north-1".into()));
        for other in [
            "GET /v1/content/manifest HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST /v1/content/events HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}",
            "GET /v1/content/events HTTP/1.1\r\nHost: a\r\n",
            "GET /v1/content/events?group=a%20b HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /v1/content/events?group=a&x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /v1/content/events HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n",
            "GET /v1/content/events HTTP/1.0\r\n\r\n",
        ] {
            assert_eq!(ask(other), None, "{other:?}");
        }
    }
}
