//! The console's export: a period's transactions as CSV or JSON lines, streamed a page at a time
//! (any size of period, in the memory of one page), with no resident in them. Every export is in
//! the audit log.

use super::web::{audit, current_session, to_sign_in};
use crate::api::SharedState;
use crate::storage::{ExportCursor, ExportedTransaction};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::china_time;
use serde::Deserialize;

/// Transactions read from the database at a time.
const PAGE: u32 = 1000;
/// The longest period one export covers.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

#[derive(Deserialize)]
pub struct ExportQuery {
    from: String,
    to: String,
    #[serde(default)]
    format: String,
}

/// A CSV field: quoted when it holds a comma, quote or line break; one that a spreadsheet would
/// take for a formula is started with an apostrophe.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

pub const CSV_HEADER: &str = "kiosk_id,seq,id,kind,created_at,received_at,payload\r\n";

fn line(t: &ExportedTransaction, format: Format) -> String {
    match format {
        Format::Csv => {
            let fields = [
                csv_field(&t.kiosk_id),
                t.seq.to_string(),
                csv_field(&t.id),
                csv_field(&t.kind),
                china_time::date_time_text(t.created_at_ms),
                china_time::date_time_text(t.received_at_ms),
                csv_field(&t.payload),
            ];
            format!("{}\r\n", fields.join(","))
        }
        Format::JsonLines => {
            let payload = serde_json::from_str::<serde_json::Value>(&t.payload).unwrap_or(serde_json::Value::Null);
            let row = serde_json::json!({
                "kiosk_id": t.kiosk_id, "seq": t.seq, "id": t.id, "kind": t.kind,
                "created_at_ms": t.created_at_ms, "received_at_ms": t.received_at_ms, "payload": payload,
            });
            format!("{row}\n")
        }
    }
}

fn refused(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{why}: choose the period again on the export page (/export)")).into_response()
}

/// `GET /export/transactions?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|jsonl`: the transactions
/// made on those days (China time, both included).
pub async fn transactions(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let format = match q.format.as_str() {
        "" | "csv" => Format::Csv,
        "jsonl" => Format::JsonLines,
        _ => return refused("the format is csv or jsonl"),
    };
    let (Some(from), Some(to)) = (china_time::parse_day(&q.from), china_time::parse_day(&q.to)) else {
        return refused("give both days as YYYY-MM-DD");
    };
    if to < from || to - from >= MAX_DAYS {
        return refused(&format!("the period runs forward and covers at most {MAX_DAYS} days"));
    }
    let (from_ms, to_ms) =
        (from * china_time::DAY_MS - china_time::OFFSET_MS, (to + 1) * china_time::DAY_MS - china_time::OFFSET_MS);
    let (ext, kind) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::JsonLines => ("jsonl", "application/jsonl; charset=utf-8"),
    };
    let detail = format!("{} to {} as {ext}", q.from, q.to);
    if let Err(response) = audit(&state, &session, "export transactions", detail).await {
        return response;
    }
    // Written a page at a time: the first line at once, each page as the database gives it.
    let first = if format == Format::Csv { CSV_HEADER.to_string() } else { String::new() };
    let pages =
        futures_util::stream::unfold(Some((state, ExportCursor::default(), Some(first))), move |walk| async move {
            let (state, cursor, first) = walk?;
            if let Some(first) = first {
                return Some((Ok::<_, std::io::Error>(first), Some((state, cursor, None))));
            }
            match state.storage.export_page(from_ms, to_ms, &cursor, PAGE).await {
                Ok((rows, next)) => {
                    let text: String = rows.iter().map(|t| line(t, format)).collect();
                    Some((Ok(text), next.map(|next| (state, next, None))))
                }
                Err(e) => {
                    tracing::error!("console: an export stopped: {e}");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        });
    let file = format!("attachment; filename=\"citizen-window-{}-{}.{ext}\"", q.from, q.to);
    let headers = [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, file)];
    (headers, Body::from_stream(pages)).into_response()
}

/// `GET /export`: the form.
pub async fn form(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    match current_session(&state, &headers).await {
        Ok(Some(session)) => {
            let today = china_time::date_text(crate::api::now_ms());
            axum::response::Html(super::pages::export_form(&super::web::viewer(&session), &today)).into_response()
        }
        Ok(None) => to_sign_in(),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field(r#"{"a":1,"b":"x"}"#), r#""{""a"":1,""b"":""x""}""#);
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
