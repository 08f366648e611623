//! What the OpenAPI document says of one route: its request body, parameters and headers, its
//! answer and every error status it can give, each error in the error JSON. Built beside the
//! handler in the route table, so that the document and the router cannot disagree.

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Makes a schema (a `$ref` into the document's components for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What a successful answer carries.
#[derive(Clone, Copy)]
pub enum Answer {
    Json(SchemaFn),
    /// The fleet CA certificate, as PEM text.
    Pem,
    /// A page for people (the demo payment page).
    Html,
    /// A file's bytes, as they are.
    Bytes,
    /// A stream of server-sent events.
    EventStream,
}

/// A header or query parameter: name, description, and a JSON schema for its value.
pub type Parameter = (&'static str, &'static str, fn() -> serde_json::Value);

pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Whether the route needs a kiosk's client certificate.
    pub kiosk_only: bool,
    /// Whether the route exists only with `serve --demo-payments`.
    pub demo_only: bool,
    pub body: Option<SchemaFn>,
    pub answer: Answer,
    /// Error statuses this route gives besides those every route may give.
    pub errors: &'static [u16],
    pub query: &'static [Parameter],
    pub headers: &'static [Parameter],
}

impl RouteDoc {
    pub fn new(method: &'static str, path: &'static str, summary: &'static str) -> Self {
        Self {
            method,
            path,
            summary,
            kiosk_only: false,
            demo_only: false,
            body: None,
            answer: Answer::Json(|generator| generator.subschema_for::<serde_json::Value>()),
            errors: &[],
            query: &[],
            headers: &[],
        }
    }

    /// Needs a kiosk's client certificate.
    pub fn kiosk(mut self) -> Self {
        self.kiosk_only = true;
        self
    }

    /// Only with `serve --demo-payments`.
    pub fn demo(mut self) -> Self {
        self.demo_only = true;
        self
    }

    /// Takes a JSON body of type `T`.
    pub fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(|generator| generator.subschema_for::<T>());
        self
    }

    /// Answers with a JSON body of type `T`.
    pub fn answers<T: JsonSchema>(mut self) -> Self {
        self.answer = Answer::Json(|generator| generator.subschema_for::<T>());
        self
    }

    pub fn answers_with(mut self, answer: Answer) -> Self {
        self.answer = answer;
        self
    }

    pub fn errors(mut self, errors: &'static [u16]) -> Self {
        self.errors = errors;
        self
    }

    pub fn query(mut self, query: &'static [Parameter]) -> Self {
        self.query = query;
        self
    }

    pub fn headers(mut self, headers: &'static [Parameter]) -> Self {
        self.headers = headers;
        self
    }
}
