//! The console's answer to a kiosk's call for staff: once, by whoever answers first; the kiosk
//! shows and speaks it, and the fleet's live view drops the call at once.

use super::web::{audit, form_sender, unavailable};
use crate::api::{SharedState, now_ms};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use citizen_window_protocol::help::reply_refusal;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    call_id: String,
    reply: String,
}

pub async fn answer(State(state): State<SharedState>, headers: HeaderMap, Form(form): Form<AnswerForm>) -> Response {
    let session = match form_sender(&state, &headers, &form.csrf, false).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let reply = form.reply.trim();
    if let Some(refusal) = reply_refusal(reply) {
        return (StatusCode::BAD_REQUEST, format!("答复太长或为空。 {refusal}")).into_response();
    }
    let kiosk_id = match state.storage.answer_help_call(&form.call_id, reply, &session.name, now_ms()).await {
        Ok(Some(kiosk_id)) => kiosk_id,
        Ok(None) => {
            let said = "这次呼叫已经有人答复了。 Someone has answered this call already.";
            return (StatusCode::CONFLICT, said).into_response();
        }
        Err(e) => return unavailable(e),
    };
    state.fleet_bell.ring(&kiosk_id);
    if let Err(response) = audit(&state, &session, "help answer", format!("{kiosk_id} {}: {reply}", form.call_id)).await
    {
        return response;
    }
    Redirect::to(&format!("/kiosks/{}", super::pages::path_segment(&kiosk_id))).into_response()
}
