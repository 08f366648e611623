//! HTTP-level faults the real server can be made to commit in tests: a 500, a malformed answer
//! after the batch was stored, an answer lost after the batch was stored, a slow answer.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFault {
    /// 500 without touching the database.
    Error500,
    /// The batch is stored, then the answer is not JSON.
    MalformedAfterCommit,
    /// The batch is stored, then the connection breaks in the middle of the answer.
    LostAfterCommit,
    /// The answer comes after this long.
    Slow(Duration),
}

/// Faults to apply, in order, to the next transaction uploads.
#[derive(Default)]
pub struct FaultPlan {
    queue: Mutex<VecDeque<HttpFault>>,
}

impl FaultPlan {
    pub fn push(&self, fault: HttpFault) {
        self.queue.lock().unwrap().push_back(fault);
    }

    pub fn pending(&self) -> usize {
        self.queue.lock().unwrap().len()
    }

    /// Wraps a router so that uploads take their faults from `plan`.
    pub fn layer(plan: Arc<FaultPlan>) -> impl FnOnce(axum::Router) -> axum::Router {
        move |router| router.layer(axum::middleware::from_fn_with_state(plan, inject))
    }
}

async fn inject(State(plan): State<Arc<FaultPlan>>, request: Request, next: Next) -> Response {
    if request.uri().path() != citizen_window_protocol::paths::TRANSACTIONS {
        return next.run(request).await;
    }
    let fault = plan.queue.lock().unwrap().pop_front();
    match fault {
        None => next.run(request).await,
        Some(HttpFault::Error500) => {
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "injected failure").into_response()
        }
        Some(HttpFault::MalformedAfterCommit) => {
            let _ = next.run(request).await;
            ([(axum::http::header::CONTENT_TYPE, "application/json")], "{\"highest_contiguous_seq\": 99999999")
                .into_response()
        }
        Some(HttpFault::LostAfterCommit) => {
            let _ = next.run(request).await;
            let broken = futures_util::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("injected: connection lost"))
            });
            axum::body::Body::from_stream(broken).into_response()
        }
        Some(HttpFault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
    }
}
