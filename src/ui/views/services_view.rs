//! The offline services' part of a screen into `ServiceAdapter`: the content's windows,
//! categories and places, the vote choices, the outcome page, proposals and the vote, the receipts
//! offered for reprint.

use super::model_rows::*;
use crate::kiosk::messages::RecordedWhat;
use crate::kiosk::{ProposalRow, RatingStep, ReceiptProgress, Screen, ServiceOutcome};
use crate::records::{grouped, yuan};
use crate::ui::{
    AppWindow, OutcomeKind, OutcomeView, ProposalView, RatingStepKind, ReceiptShown, ReprintKind, ReprintView,
    ServiceAdapter,
};
use slint::{ComponentHandle, SharedString};

/// Copies the offline services' part of `screen`.
pub fn apply(window: &AppWindow, screen: &Screen) {
    let services = window.global::<ServiceAdapter>();
    let english = screen.english;
    services.set_windows(choices(&screen.windows));
    services.set_categories(choices(&screen.issue_categories));
    services.set_vote_choices(vote_choices(english));
    services.set_places(choices(&screen.places));
    services.set_report_category_name(screen.report_category.as_deref().unwrap_or_default().into());
    services.set_outcome(outcome_view(screen.outcome.as_ref(), english));
    services.set_rating_step(match screen.rating {
        RatingStep::None => RatingStepKind::None,
        RatingStep::Offered => RatingStepKind::Offered,
        RatingStep::Levels => RatingStepKind::Levels,
        RatingStep::Reasons(_) => RatingStepKind::Reasons,
        RatingStep::Thanked => RatingStepKind::Thanked,
    });
    services.set_rating_levels(choices(&screen.rating_levels));
    services.set_rating_reasons(choices(&screen.rating_reasons));
    let low = match screen.rating {
        RatingStep::Reasons(level) => named(level.name(), english),
        _ => SharedString::new(),
    };
    services.set_rating_level_name(low);
    services.set_card_for_service(screen.card_for_service.as_str().into());
    services.set_proposals(model(screen.proposals.iter().map(proposal_view).collect()));
    services.set_proposal(proposal_view(&screen.proposal));
    services.set_vote_choice_name(screen.vote_choice.map(|c| named(c.printed_name(), english)).unwrap_or_default());
    services.set_phrases(model(screen.phrases.iter().map(|p| SharedString::from(p.as_str())).collect()));
    services.set_reprintable(model(screen.reprintable.iter().map(|r| reprint_view(r, english)).collect()));
    services.set_reprint_keypad(screen.reprint_keypad);
}

fn reprint_view(r: &crate::kiosk::messages::Reprintable, english: bool) -> ReprintView {
    let (kind, number, detail) = match &r.what {
        RecordedWhat::Ticket { window, number } => {
            (ReprintKind::Ticket, number.clone(), named_pair(&window.name, english))
        }
        RecordedWhat::Report { category, tracking_number } => {
            (ReprintKind::Report, grouped(tracking_number), named_pair(&category.name, english))
        }
        RecordedWhat::Vote { choice, vote_code } => {
            (ReprintKind::Vote, vote_code.clone(), named(choice.printed_name(), english))
        }
        RecordedWhat::Payment { utility: paid, amount_fen, .. } => {
            (ReprintKind::Payment, yuan(*amount_fen), utility(paid.as_ref(), english))
        }
        RecordedWhat::Statement => (ReprintKind::Statement, String::new(), SharedString::new()),
        RecordedWhat::Appointment { window, starts_at } => {
            (ReprintKind::Appointment, starts_at.clone(), named_pair(&window.name, english))
        }
        // A rating prints nothing, so it is never offered for reprint.
        RecordedWhat::Slip | RecordedWhat::Rating => (ReprintKind::Slip, String::new(), SharedString::new()),
    };
    ReprintView { seq: r.seq as i32, kind, number: number.into(), detail, time: r.time.as_str().into() }
}

fn proposal_view(p: &ProposalRow) -> ProposalView {
    ProposalView {
        id: p.id.as_str().into(),
        title: p.title.as_str().into(),
        body: p.body.as_str().into(),
        closes: p.closes.as_str().into(),
    }
}

fn outcome_view(outcome: Option<&ServiceOutcome>, english: bool) -> OutcomeView {
    let receipt = |r: &ReceiptProgress| match r {
        ReceiptProgress::Printing => ReceiptShown::Printing,
        ReceiptProgress::Printed => ReceiptShown::Printed,
        ReceiptProgress::NotPrinted => ReceiptShown::NotPrinted,
    };
    let bare = |kind| OutcomeView { kind, ..OutcomeView::default() };
    let Some(outcome) = outcome else { return bare(OutcomeKind::None) };
    match outcome {
        ServiceOutcome::Recording => bare(OutcomeKind::Recording),
        ServiceOutcome::Refused => bare(OutcomeKind::Refused),
        ServiceOutcome::AlreadyVoted => bare(OutcomeKind::AlreadyVoted),
        ServiceOutcome::PaymentCancelled => bare(OutcomeKind::PaymentCancelled),
        ServiceOutcome::PaymentExpired => bare(OutcomeKind::PaymentExpired),
        ServiceOutcome::VoteClosed => bare(OutcomeKind::VoteClosed),
        ServiceOutcome::VoteNotCounted => bare(OutcomeKind::VoteNotCounted),
        ServiceOutcome::Ticket { window, number, receipt: r, copy } => OutcomeView {
            kind: OutcomeKind::Ticket,
            number: number.as_str().into(),
            detail: named_pair(&window.name, english),
            window_number: window.number as i32,
            receipt: receipt(r),
            copy: *copy,
        },
        ServiceOutcome::Report { category, tracking_number, receipt: r, copy } => OutcomeView {
            kind: OutcomeKind::Report,
            number: grouped(tracking_number).into(),
            detail: named_pair(&category.name, english),
            receipt: receipt(r),
            copy: *copy,
            ..OutcomeView::default()
        },
        ServiceOutcome::Vote { choice, vote_code, receipt: r } => OutcomeView {
            kind: OutcomeKind::Vote,
            number: vote_code.as_str().into(),
            detail: named(choice.printed_name(), english),
            receipt: receipt(r),
            ..OutcomeView::default()
        },
        ServiceOutcome::Paid { utility: paid, amount_fen, receipt: r, .. } => OutcomeView {
            kind: OutcomeKind::Paid,
            number: yuan(*amount_fen).into(),
            detail: utility(paid.as_ref(), english),
            receipt: receipt(r),
            ..OutcomeView::default()
        },
        ServiceOutcome::Statement { receipt: r } => {
            OutcomeView { kind: OutcomeKind::Statement, receipt: receipt(r), ..OutcomeView::default() }
        }
        ServiceOutcome::Slip { receipt: r } => {
            OutcomeView { kind: OutcomeKind::Slip, receipt: receipt(r), ..OutcomeView::default() }
        }
        ServiceOutcome::Appointment { window, starts_at, receipt: r } => OutcomeView {
            kind: OutcomeKind::Appointment,
            number: starts_at.as_str().into(),
            detail: named_pair(&window.name, english),
            window_number: window.number as i32,
            receipt: receipt(r),
            copy: false,
        },
    }
}
