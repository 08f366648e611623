//! What every view shares: a Rust list as a Slint model, and a name in the resident's language.

use crate::records::{IssueCategory, VoteChoice, Window, utility_name};
use crate::ui::ChoiceView;
use citizen_window_protocol::services::Utility;
use slint::{ModelRc, SharedString, VecModel};

pub fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

/// The Chinese or the English of a pair of names.
pub fn named((chinese, english): (&str, &str), in_english: bool) -> SharedString {
    if in_english { english } else { chinese }.into()
}

/// The station's windows, from `Window::ALL`, as buttons.
pub fn window_choices(in_english: bool) -> ModelRc<ChoiceView> {
    model(
        Window::ALL
            .iter()
            .map(|w| ChoiceView { id: w.id().into(), label: named(w.printed_name(), in_english) })
            .collect(),
    )
}

/// The issue categories, from `IssueCategory::ALL`, as buttons.
pub fn category_choices(in_english: bool) -> ModelRc<ChoiceView> {
    let rows =
        IssueCategory::ALL.iter().map(|c| ChoiceView { id: c.id().into(), label: named(c.screen_name(), in_english) });
    model(rows.collect())
}

/// The vote's choices, from `VoteChoice::ALL`, as buttons.
pub fn vote_choices(in_english: bool) -> ModelRc<ChoiceView> {
    let rows =
        VoteChoice::ALL.iter().map(|c| ChoiceView { id: c.id().into(), label: named(c.printed_name(), in_english) });
    model(rows.collect())
}

/// A utility's name ("Bill" when the kiosk no longer knows which).
pub fn utility(utility: Option<&Utility>, in_english: bool) -> SharedString {
    named(utility_name(utility), in_english)
}
