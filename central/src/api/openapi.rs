//! The OpenAPI 3.1 document, generated from the route table the router is built from: every
//! route's body, parameters, headers and answers, and every error it can give in the error JSON.
//! The schemas come from the protocol's own types (schemars), so they are what is sent.

use super::route_doc::{Answer, RouteDoc};
use super::{SharedState, route_docs};
use axum::Json;
use axum::extract::State;
use citizen_window_protocol::error::ApiError;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// Error statuses every route may give, by what the route does.
fn common_errors(route: &RouteDoc) -> Vec<u16> {
    // 408: a request not read in time (the server's deadlines).
    let mut statuses = vec![408];
    if route.body.is_some() {
        // Not JSON, too large, not application/json, missing a field.
        statuses.extend([400, 413, 415, 422]);
    }
    if !route.query.is_empty() || !route.headers.is_empty() {
        statuses.push(400);
    }
    if route.kiosk_only {
        // No client certificate; a revoked or unknown kiosk; the database unreachable; a first
        // request's head over 2 KiB on a kiosk's connection (push_connections).
        statuses.extend([401, 403, 431, 503]);
    }
    if route.body.is_some() && !route.demo_only {
        statuses.push(503);
    }
    statuses
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "a parameter, header or body is malformed",
        401 => "not authenticated: a kiosk's client certificate, or the provider's signature, is needed",
        403 => "refused: an unknown, used or expired token, or a kiosk revoked or unknown",
        404 => "not found",
        408 => "the request was not sent in time",
        409 => "a conflict with what the server holds (the code says which)",
        413 => "the body is over its size limit",
        415 => "the body is not application/json",
        422 => "the body is JSON but not what this route takes",
        429 => "too many requests from this kiosk at once: wait for their answers",
        431 => "the request's head is over 2 KiB",
        503 => "the server cannot reach its database: retry later",
        _ => "an error",
    }
}

fn parameter(name: &str, place: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": place, "required": true, "description": description, "schema": schema})
}

/// The document of a server with or without the demo payment page.
pub fn build(demo_payments: bool) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    let api_error = Value::from(generator.subschema_for::<ApiError>());
    let mut paths = Map::new();
    for route in route_docs(demo_payments) {
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| name.trim_start_matches('*'))
            .map(|name| parameter(name, "path", name, json!({"type": "string", "minLength": 1, "maxLength": 128})))
            .collect();
        parameters.extend(route.query.iter().map(|(name, text, schema)| parameter(name, "query", text, schema())));
        parameters.extend(route.headers.iter().map(|(name, text, schema)| parameter(name, "header", text, schema())));
        let success = match route.answer {
            Answer::Json(schema) => {
                json!({"description": "success", "content": {"application/json": {"schema": Value::from(schema(&mut generator))}}})
            }
            Answer::Pem => json!({"description": "the PEM certificate",
                                  "content": {"application/x-pem-file": {"schema": {"type": "string"}}}}),
            Answer::Html => {
                json!({"description": "a page for people", "content": {"text/html": {"schema": {"type": "string"}}}})
            }
            Answer::Bytes => json!({"description": "the file's bytes",
                                    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}),
            Answer::EventStream => {
                json!({"description": "server-sent events, kept open: each `content` event's data is a version",
                "content": {"text/event-stream": {"schema": {"type": "object", "required": ["event", "data"],
                    "properties": {"event": {"const": "content"}, "data": {"type": "string", "pattern": "^[0-9]{1,20}$"}}}}}})
            }
        };
        let mut responses = Map::from_iter([("200".to_string(), success)]);
        let mut errors = common_errors(&route);
        errors.extend(route.errors);
        for status in errors {
            let content = if route.demo_only { "text/html" } else { "application/json" };
            let schema = if route.demo_only { json!({"type": "string"}) } else { api_error.clone() };
            responses.insert(
                status.to_string(),
                json!({"description": reason(status), "content": {content: {"schema": schema}}}),
            );
        }
        let mut operation = json!({"summary": route.summary, "parameters": parameters, "responses": responses});
        if let Some(body) = route.body {
            operation["requestBody"] = json!({"required": true,
                "content": {"application/json": {"schema": Value::from(body(&mut generator))}}});
        }
        if route.kiosk_only {
            operation["security"] = json!([{"kioskCertificate": []}]);
        }
        let entry = paths.entry(route.path.replace("{*", "{")).or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Citizen Window central server", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Kiosk sync, enrolment and online services over HTTPS with mutual TLS. Every error is the ApiError JSON: a stable code and a sentence saying what to do."},
        "paths": paths,
        "components": {
            "securitySchemes": {"kioskCertificate": {"type": "mutualTLS",
                "description": "A client certificate issued to the kiosk by the fleet CA at enrolment"}},
            "schemas": schemas
        }
    })
}

pub async fn document(State(state): State<SharedState>) -> Json<Value> {
    Json(build(state.demo_payments))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_in_the_document_with_its_bodies_and_errors() {
        for demo in [false, true] {
            let doc = super::build(demo);
            for route in super::route_docs(demo) {
                let operation = &doc["paths"][route.path.replace("{*", "{").as_str()][route.method];
                assert!(operation.is_object(), "{} {} missing", route.method, route.path);
                assert!(operation["responses"]["200"]["content"].is_object(), "{} {}", route.method, route.path);
                assert_eq!(operation["requestBody"].is_object(), route.body.is_some(), "{}", route.path);
            }
            assert_eq!(doc["paths"].get("/pay/{order_id}").is_some(), demo, "the demo page only with --demo-payments");
        }
        let doc = super::build(false);
        // Every $ref points at a schema the document holds.
        let text = doc.to_string();
        for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(doc["components"]["schemas"][name].is_object(), "{name} is referred to but missing");
        }
        let upload = &doc["paths"]["/v1/transactions"]["post"];
        assert_eq!(
            upload["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/UploadBatch"
        );
        assert_eq!(
            upload["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ApiError"
        );
        assert!(doc["components"]["schemas"]["TransactionRecord"]["properties"]["seq"].is_object());
        let order = &doc["paths"]["/v1/payment-orders"]["post"];
        assert!(
            order["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
        );
    }
}
