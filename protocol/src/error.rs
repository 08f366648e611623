//! The error body every endpoint returns: a stable code for programs, a sentence for people.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiError {
    /// Stable, snake_case: "certificate_required", "unknown_account", "conflict".
    pub code: String,
    /// What happened and what to do, for the technician or the resident's screen.
    pub message: String,
}
