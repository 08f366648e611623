//! The console's votes routes: the proposals, one proposal's tally, closing it and publishing its
//! result through a content bundle (any staff member; each in the audit log).

use super::pages;
use super::web::{audit, current_session, form_sender, to_sign_in, unavailable, viewer};
use crate::api::{SharedState, now_ms};
use crate::storage::ProposalRow;
use crate::vote_results::{self, Tally};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub async fn list(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    match state.storage.proposals().await {
        Ok(rows) => Html(pages::proposals(&viewer(&session), &rows)).into_response(),
        Err(e) => unavailable(e),
    }
}

async fn proposal(state: &SharedState, id: &str) -> Result<ProposalRow, Response> {
    match state.storage.proposals().await {
        Ok(rows) => rows
            .into_iter()
            .find(|p| p.proposal == id)
            .ok_or_else(|| (StatusCode::NOT_FOUND, "no resident has voted on a proposal with this id").into_response()),
        Err(e) => Err(unavailable(e)),
    }
}

/// The tally (up to the close, if closed), the votes after it, and the result notice as TOML.
async fn tally_of(state: &SharedState, p: &ProposalRow) -> Result<(Tally, u64, toml::Table), Response> {
    let (groups, late) = state.storage.vote_tally(&p.proposal, p.closed_at_ms).await.map_err(unavailable)?;
    let tally = Tally::of(&groups);
    let notice = vote_results::result_notice(&p.proposal, &p.title, &tally, p.closed_at_ms.unwrap_or_else(now_ms));
    Ok((tally, late, notice))
}

fn notice_text(notice: &toml::Table) -> String {
    let mut wrapper = toml::Table::new();
    wrapper.insert("notice".into(), toml::Value::Array(vec![toml::Value::Table(notice.clone())]));
    toml::to_string(&wrapper).unwrap_or_default()
}

pub async fn one(State(state): State<SharedState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let session = match current_session(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(),
        Err(response) => return response,
    };
    let p = match proposal(&state, &id).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    match tally_of(&state, &p).await {
        Ok((tally, late, notice)) => {
            Html(pages::tally(&viewer(&session), &p, &tally, late, &notice_text(&notice))).into_response()
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    csrf: String,
    proposal: String,
}

pub async fn close(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<ProposalForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, false).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    if let Err(response) = proposal(&state, &form.proposal).await {
        return response;
    }
    match state.storage.close_proposal(&form.proposal, now_ms(), &session.name).await {
        Ok(true) => {}
        Ok(false) => return (StatusCode::CONFLICT, "this proposal is closed already: reload its page").into_response(),
        Err(e) => return unavailable(e),
    }
    if let Err(response) = audit(&state, &session, "close proposal", form.proposal.clone()).await {
        return response;
    }
    Redirect::to(&format!("/votes/{}", pages::path_segment(&form.proposal))).into_response()
}

/// Publishes a closed proposal's result as a notice, through a new content version.
pub async fn publish(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<ProposalForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, false).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let p = match proposal(&state, &form.proposal).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let Some(closed_at_ms) = p.closed_at_ms else {
        return (StatusCode::CONFLICT, "close the vote before publishing its result").into_response();
    };
    if p.result_version.is_some() {
        return (StatusCode::CONFLICT, "this result is published already: reload its page").into_response();
    }
    let notice = match tally_of(&state, &p).await {
        Ok((_, _, notice)) => notice,
        Err(response) => return response,
    };
    let dir = state.content.server_dir().to_path_buf();
    let proposal_id = p.proposal.clone();
    let published = tokio::task::spawn_blocking(move || {
        vote_results::publish_result(&dir, &proposal_id, notice, closed_at_ms, now_ms())
    })
    .await;
    let published = match published {
        Ok(Ok(published)) => published,
        Ok(Err(e)) => {
            let said = format!("结果未能发布。 The result could not be published: {e:#}");
            return (StatusCode::CONFLICT, said).into_response();
        }
        Err(e) => return unavailable(e),
    };
    let version = published.version as i64;
    if let Err(e) = state.storage.note_result_published(&p.proposal, version).await {
        return unavailable(e);
    }
    // The kiosks of this instance hear of it now; on PostgreSQL the others too.
    state.content.rescan();
    if let Err(e) = state.storage.announce_content(published.version).await {
        tracing::warn!("console: cannot tell the other server instances of content version {version}: {e}");
    }
    let detail = format!("{}: content version {version}", p.proposal);
    if let Err(response) = audit(&state, &session, "publish vote result", detail).await {
        return response;
    }
    Redirect::to(&format!("/votes/{}", pages::path_segment(&p.proposal))).into_response()
}
