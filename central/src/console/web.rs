//! The console's routes: sign in, sign out, and the pages, each behind a session. A form's
//! CSRF token must match: the session's, or before signing in the one in the `cw_pre` cookie
//! (double submit). Every answer forbids framing, sniffing, caching and referrers.

use super::auth::{self, SignInRefusal};
use super::pages;
use crate::api::{SharedState, now_ms};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The session's cookie, and the sign-in form's token before there is a session.
const SESSION_COOKIE: &str = "cw_session";
const PRE_COOKIE: &str = "cw_pre";
/// The kiosks send a heartbeat every 30 s when online (docs/SYNC.md).
pub const HEARTBEAT_INTERVAL_MS: i64 = 30_000;
/// The largest form the console reads.
pub const FORM_LIMIT: usize = 16 << 10;

pub fn router(state: SharedState) -> axum::Router {
    axum::Router::new()
        .route("/", get(fleet))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::map_response(guard_headers))
        .with_state(state)
}

async fn guard_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cache-control", "no-store");
    response
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(name: &str, value: &str, max_age: Option<u32>) -> (header::HeaderName, String) {
    let age = max_age.map_or(String::new(), |s| format!("; Max-Age={s}"));
    (header::SET_COOKIE, format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Strict{age}"))
}

fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!("console: {e}");
    (StatusCode::SERVICE_UNAVAILABLE, "the console cannot reach its database: try again shortly").into_response()
}

async fn current_session(state: &SharedState, headers: &HeaderMap) -> Result<Option<auth::Session>, Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    auth::session(&state.storage, token, now_ms()).await.map_err(unavailable)
}

async fn fleet(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    match state.storage.kiosks().await {
        Ok(kiosks) => {
            Html(pages::fleet(&session.name, &session.csrf, &kiosks, now_ms(), HEARTBEAT_INTERVAL_MS)).into_response()
        }
        Err(e) => unavailable(e),
    }
}

/// The sign-in page, with a fresh form token in its cookie.
fn sign_in_form(status: StatusCode, problem: Option<&str>) -> Response {
    let pre = crate::pki::random_hex(16);
    (status, [set_cookie(PRE_COOKIE, &pre, Some(3600))], Html(pages::sign_in(&pre, problem))).into_response()
}

async fn sign_in_page(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    match current_session(&state, &headers).await {
        Ok(Some(_)) => Redirect::to("/").into_response(),
        Ok(None) => sign_in_form(StatusCode::OK, None),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct SignInForm {
    name: String,
    password: String,
    csrf: String,
}

async fn sign_in(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<SignInForm>) -> Response {
    if cookie(&headers, PRE_COOKIE).is_none_or(|pre| pre != form.csrf) {
        return sign_in_form(
            StatusCode::FORBIDDEN,
            Some("这个表单已过期，请再试一次。 The form had expired: try again."),
        );
    }
    match auth::sign_in(&state.storage, form.name.trim(), &form.password, now_ms()).await {
        Ok(session) => {
            let cookies = [set_cookie(SESSION_COOKIE, &session.token, None), set_cookie(PRE_COOKIE, "", Some(0))];
            (axum::response::AppendHeaders(cookies), Redirect::to("/")).into_response()
        }
        Err(SignInRefusal::Wrong { wait }) => {
            tokio::time::sleep(wait).await;
            sign_in_form(StatusCode::UNAUTHORIZED, Some("用户名或密码不对。 Wrong name or password."))
        }
        Err(locked @ SignInRefusal::Locked { .. }) => {
            let said = format!("密码错误次数太多，请稍后再试。 {locked}");
            sign_in_form(StatusCode::TOO_MANY_REQUESTS, Some(&said))
        }
        Err(SignInRefusal::Storage(e)) => unavailable(e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    if !auth::csrf_matches(&session, &form.csrf) {
        return (StatusCode::FORBIDDEN, "this form is not from this console's page: reload the page and try again")
            .into_response();
    }
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    if let Err(e) = auth::sign_out(&state.storage, token, now_ms()).await {
        return unavailable(e);
    }
    ([set_cookie(SESSION_COOKIE, "", Some(0))], Redirect::to("/sign-in")).into_response()
}
