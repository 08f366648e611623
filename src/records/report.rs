//! Issue reports to the grid worker (网格员): a category and a place from the content's lists, and
//! a tracking number the resident keeps to look up the report's status later: the report's
//! receipt number ([`super::receipt_number`]).

use serde::{Deserialize, Serialize};

/// A category of issue as a report records it: its id from the station's content and its name
/// then (Chinese, English), so that the grid worker and a reprint read what the resident chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueCategory {
    pub id: String,
    pub name: (String, String),
}

/// An issue report as journaled; the server finds it by `tracking_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPayload {
    pub tracking_number: String,
    /// The category's id in the content's list of issue categories.
    pub category: String,
    /// The category's name when reported, Chinese then English.
    #[serde(default)]
    pub category_name: (String, String),
    /// The place's id in the content's list of places.
    pub place: String,
    /// The place's name when reported, for the grid worker, Chinese then English.
    pub place_name: (String, String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_journaled_before_categories_had_names_still_reads() {
        let old = r#"{"tracking_number":"2611270000000042","category":"noise","place":"b3","place_name":["3 号楼","Building 3"]}"#;
        let report: ReportPayload = serde_json::from_str(old).unwrap();
        assert_eq!(report.category, "noise");
        assert_eq!(report.category_name, (String::new(), String::new()));
    }
}
