//! The OpenAPI 3.1 document, generated from the route table the router is built from.

use super::{SharedState, route_docs};
use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

/// The document of a server with or without the demo payment page.
pub fn build(demo_payments: bool) -> Value {
    let mut paths = Map::new();
    for route in route_docs(demo_payments) {
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut operation = json!({
            "summary": route.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "success"},
                "4XX": {"description": "an error with a code and a message saying what to do",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}
            }
        });
        if route.kiosk_only {
            operation["security"] = json!([{"kioskCertificate": []}]);
        }
        let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Citizen Window central server", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Kiosk sync, enrolment and online services over HTTPS with mutual TLS."},
        "paths": paths,
        "components": {
            "securitySchemes": {"kioskCertificate": {"type": "mutualTLS",
                "description": "A client certificate issued to the kiosk by the fleet CA at enrolment"}},
            "schemas": {"ApiError": {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
        }
    })
}

pub async fn document(State(state): State<SharedState>) -> Json<Value> {
    Json(build(state.demo_payments))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_in_the_document() {
        for demo in [false, true] {
            let doc = super::build(demo);
            for route in super::route_docs(demo) {
                assert!(doc["paths"][route.path][route.method].is_object(), "{} {} missing", route.method, route.path);
            }
            assert_eq!(doc["paths"].get("/pay/{order_id}").is_some(), demo, "the demo page only with --demo-payments");
        }
    }
}
