//! The console's routes: sign in, sign out, and the pages, each behind a session. A form's
//! CSRF token must match: the session's, or before signing in the one in the `cw_pre` cookie
//! (double submit). Every answer forbids framing, sniffing, caching and referrers.

use super::auth::{self, SignInRefusal};
use super::pages;
use super::staff::Role;
use crate::api::{SharedState, now_ms};
use crate::storage::AuditEntry;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The session's cookie, and the sign-in form's token before there is a session.
/// `__Host-`: the browser keeps them for this host and port's HTTPS only, set by it alone, so that
/// another service on the same host cannot plant one.
const SESSION_COOKIE: &str = "__Host-cw_session";
const PRE_COOKIE: &str = "__Host-cw_pre";
/// The largest form the console reads.
pub const FORM_LIMIT: usize = 16 << 10;
/// How long a request may take, its body read included: a client that trickles its body is cut
/// off then, and cannot hold one of the console's connections for long.
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(15);

pub fn router(state: SharedState, watch: std::sync::Arc<super::fleet_watch::FleetWatch>) -> axum::Router {
    axum::Router::new()
        .route("/", get(fleet))
        .route(pages::SCRIPT_PATH, get(script))
        .route("/kiosks/{kiosk_id}", get(kiosk_page))
        .route("/kiosks/rename", post(rename_kiosk))
        .route("/reports", get(super::report_routes::list))
        .route("/reports/{tracking_number}", get(super::report_routes::one))
        .route("/reports/move", post(super::report_routes::move_on))
        .route("/votes", get(super::vote_routes::list))
        .route("/votes/{proposal}", get(super::vote_routes::one))
        .route("/votes/close", post(super::vote_routes::close))
        .route("/votes/publish", post(super::vote_routes::publish))
        .route("/appointments", get(super::station_routes::page))
        .route("/appointments/capacity", post(super::station_routes::set_capacity))
        .route("/ratings", get(super::rating_routes::page))
        .route("/help/answer", post(super::help_routes::answer))
        .route("/export", get(super::export_routes::form))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/audit", get(audit_page))
        .route("/kiosks/revoke", post(revoke_kiosk))
        .route("/kiosks/enrol-token", post(make_enrol_token))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::from_fn(within_limit))
        // The live view's stream lasts as long as its session: not within the request limit.
        .route("/fleet/events", get(super::live::fleet_events))
        // An export streams as long as its period takes (the connection's own limit bounds it).
        .route("/export/transactions", get(super::export_routes::transactions))
        .layer(axum::Extension(watch))
        .layer(axum::middleware::map_response(guard_headers))
        .with_state(state)
}

async fn within_limit(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let closing = [(header::CONNECTION, "close")];
            (StatusCode::REQUEST_TIMEOUT, closing, "the request took too long: try again").into_response()
        }
    }
}

async fn guard_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; \
         frame-ancestors 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cache-control", "no-store");
    set(headers, "strict-transport-security", "max-age=31536000");
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

pub(super) fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!("console: {e}");
    (StatusCode::SERVICE_UNAVAILABLE, "the console cannot reach its database: try again shortly").into_response()
}

/// The session cookie's token, if the request carries one.
pub(super) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

pub(super) async fn current_session(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Option<auth::Session>, Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    auth::session(&state.storage, token, now_ms()).await.map_err(unavailable)
}

#[derive(Deserialize)]
struct FleetQuery {
    #[serde(default)]
    page: usize,
}

async fn fleet(
    State(state): State<SharedState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<FleetQuery>,
) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    match state.storage.kiosks().await {
        Ok(kiosks) => Html(pages::fleet(&viewer(&session), &kiosks, now_ms(), state.heartbeat_interval_ms, q.page))
            .into_response(),
        Err(e) => unavailable(e),
    }
}

/// The live views' script.
async fn script() -> Response {
    let headers = [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")];
    (headers, pages::SCRIPT).into_response()
}

/// A kiosk's page: its state, certificate and 30 days of history.
async fn kiosk_page(
    State(state): State<SharedState>,
    axum::extract::Path(kiosk_id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let kiosk = match state.storage.kiosk(&kiosk_id).await {
        Ok(Some(kiosk)) => kiosk,
        Ok(None) => return (StatusCode::NOT_FOUND, "no kiosk with this id is enrolled").into_response(),
        Err(e) => return unavailable(e),
    };
    let now = now_ms();
    let since = now - pages::HISTORY_DAYS * 86_400_000;
    match state.storage.kiosk_history(&kiosk_id, since).await {
        Ok(history) => Html(pages::kiosk_page(&viewer(&session), &kiosk, &history, now, state.heartbeat_interval_ms))
            .into_response(),
        Err(e) => unavailable(e),
    }
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    csrf: String,
    kiosk_id: String,
    label: String,
}

/// An admin gives a kiosk a new label.
async fn rename_kiosk(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<RenameForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, true).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let label = form.label.trim();
    match state.storage.rename_kiosk(&form.kiosk_id, label).await {
        Ok(true) => {}
        Ok(false) => return (StatusCode::NOT_FOUND, "no such kiosk is enrolled").into_response(),
        Err(crate::storage::StorageError::Refused(why)) => return (StatusCode::BAD_REQUEST, why).into_response(),
        Err(e) => return unavailable(e),
    }
    state.fleet_bell.ring(&form.kiosk_id);
    if let Err(response) = audit(&state, &session, "rename kiosk", format!("{}: {label}", form.kiosk_id)).await {
        return response;
    }
    Redirect::to(&format!("/kiosks/{}", pages::path_segment(&form.kiosk_id))).into_response()
}

/// Entries the audit page shows.
const AUDIT_PAGE_ENTRIES: u32 = 200;

async fn audit_page(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    if session.role != Role::Admin {
        return only_admins();
    }
    match state.storage.audit_log(AUDIT_PAGE_ENTRIES).await {
        Ok(entries) => Html(pages::audit_log(&viewer(&session), &entries)).into_response(),
        Err(e) => unavailable(e),
    }
}

fn only_admins() -> Response {
    (StatusCode::FORBIDDEN, "only an admin may do this: ask one of the office's admins").into_response()
}

pub(super) fn viewer(session: &auth::Session) -> pages::Viewer<'_> {
    pages::Viewer { name: &session.name, csrf: &session.csrf, admin: session.role == Role::Admin }
}

/// The session of a form's sender, if they may do what `admin_only` says and the form carries
/// the session's token; else the answer to send.
pub(super) async fn form_sender(
    state: &SharedState,
    headers: &HeaderMap,
    csrf: &str,
    admin_only: bool,
) -> Result<auth::Session, Response> {
    let session = current_session(state, headers).await?.ok_or_else(to_sign_in)?;
    if !auth::csrf_matches(&session, csrf) {
        return Err(forged());
    }
    if admin_only && session.role != Role::Admin {
        return Err(
            (StatusCode::FORBIDDEN, "only an admin may do this: ask one of the office's admins").into_response()
        );
    }
    Ok(session)
}

fn forged() -> Response {
    (StatusCode::FORBIDDEN, "this form is not from this console's page: reload the page and try again").into_response()
}

pub(super) async fn audit(
    state: &SharedState,
    session: &auth::Session,
    action: &str,
    detail: String,
) -> Result<(), Response> {
    let entry = AuditEntry { at_ms: now_ms(), staff: session.name.clone(), action: action.into(), detail };
    state.storage.audit(&entry).await.map_err(unavailable)
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    kiosk_id: String,
}

/// An admin revokes a kiosk: from that moment every request from it is refused.
async fn revoke_kiosk(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<RevokeForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, true).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    match state.storage.revoke_kiosk(&form.kiosk_id, now_ms()).await {
        Ok(true) => {}
        Ok(false) => return (StatusCode::NOT_FOUND, "no such kiosk is enrolled").into_response(),
        Err(e) => return unavailable(e),
    }
    state.kiosk_register.forget();
    state.fleet_bell.ring(&form.kiosk_id);
    if let Err(response) = audit(&state, &session, "revoke kiosk", form.kiosk_id).await {
        return response;
    }
    Redirect::to("/").into_response()
}

/// Hours an enrolment token made in the console stays valid.
pub const ENROL_TOKEN_HOURS: u32 = 24;

/// An admin makes a one-time enrolment token, shown once.
async fn make_enrol_token(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, true).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let token = match crate::api::issue_enrol_token(&state.storage, &state.fleet, ENROL_TOKEN_HOURS, now_ms()).await {
        Ok(token) => token,
        Err(e) => return unavailable(e),
    };
    if let Err(response) = audit(&state, &session, "enrolment token", format!("valid {ENROL_TOKEN_HOURS} h")).await {
        return response;
    }
    Html(pages::enrol_token(&viewer(&session), &token, &state.public_url, ENROL_TOKEN_HOURS)).into_response()
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
    if form.csrf.is_empty() || cookie(&headers, PRE_COOKIE).is_none_or(|pre| pre != form.csrf) {
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
        return forged();
    }
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    if let Err(e) = auth::sign_out(&state.storage, token, now_ms()).await {
        return unavailable(e);
    }
    ([set_cookie(SESSION_COOKIE, "", Some(0))], Redirect::to("/sign-in")).into_response()
}
