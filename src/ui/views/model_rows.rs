//! What every view shares: a Rust list as a Slint model, and a name in the resident's language.

use crate::kiosk::ChoiceRow;
use crate::records::{VoteChoice, utility_name};
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

/// The Chinese or the English of a pair of names held as strings.
pub fn named_pair((chinese, english): &(String, String), in_english: bool) -> SharedString {
    if in_english { english } else { chinese }.as_str().into()
}

/// The content's choices (places, windows, categories of problem) as buttons.
pub fn choices(rows: &[ChoiceRow]) -> ModelRc<ChoiceView> {
    model(rows.iter().map(|r| ChoiceView { id: r.id.as_str().into(), label: r.name.as_str().into() }).collect())
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
