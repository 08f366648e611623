//! Printed content: a notice, or a directory slip (address, hours, phone and a QR link). Nothing
//! personal; journaled like every receipt, so that the printer's outcome is kept.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipPayload {
    /// "notice" or "directory", and the item's id in the content.
    pub what: String,
    pub id: String,
    /// The heading, Chinese then English.
    pub title: (String, String),
    /// The lines below it, in the language the resident read them in.
    pub lines: Vec<String>,
    /// Printed as a QR code (a directory entry's link).
    pub qr: Option<String>,
}
