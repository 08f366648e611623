//! What the kiosk says at each key moment, read off the [`Screen`]: place your card, card read and
//! take it back, the ticket number, the amount to pay, payment done, take your receipt, each
//! error's sentence, the countdown's last seconds and the office's answer to a call for staff.
//! A [`Cue`] is the moment; [`Cue::prompts`] the prompt files that say it in a language.

use super::spoken_numbers;
use crate::content::Language;
use crate::kiosk::messages::CardProblem;
use crate::kiosk::{HelpCallState, OnlineProblem, Page, ReceiptProgress, ScanProblem, Screen, ServiceOutcome};
use citizen_window_protocol::help::READY_ANSWERS;

/// The prompt that stands for staff's own words in [`Cue::prompts`]: said if the synthesiser
/// cannot say the words.
pub const OWN_WORDS_INSTEAD: &str = "help_see_screen";

/// From this many seconds left, the countdown says each second.
pub const SECONDS_SAID: u32 = 5;

/// A moment the kiosk speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cue {
    PlaceCard,
    CardReading,
    /// Read: take the card back.
    CardRead,
    Card(CardProblem),
    Scan(ScanProblem),
    Online(OnlineProblem),
    /// The ticket's number and its window's, then the receipt.
    Ticket {
        number: String,
        window: u32,
        receipt: Receipt,
    },
    /// Recorded (a report, a vote, an appointment, a statement), then the receipt.
    Done {
        receipt: Receipt,
    },
    /// The amount the payment code is for.
    Pay {
        amount_fen: u64,
    },
    Paid {
        receipt: Receipt,
    },
    Outcome(&'static str),
    CountdownStarts,
    CountdownSecond(u32),
    HelpCalling,
    /// The office's answer: one of the console's ready answers, or staff's own words.
    HelpAnswered(Answer),
    HelpNoAnswer,
    HelpUnavailable,
}

/// An answer to a call for staff, as the kiosk says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// One of the console's ready answers (its index): said from its recorded prompt.
    Ready(usize),
    /// Staff's own words: spoken by the synthesiser, or, without one, the resident is asked to
    /// read the screen (the prompt `help_see_screen`, which stands for the words in the list).
    Own(String),
}

/// What the result says of its receipt: take it, or it did not come out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    None,
    Take,
    NotPrinted,
}

impl From<ReceiptProgress> for Receipt {
    fn from(progress: ReceiptProgress) -> Self {
        match progress {
            // Said once from the start of printing: the resident waits at the slot.
            ReceiptProgress::Printing | ReceiptProgress::Printed => Receipt::Take,
            ReceiptProgress::NotPrinted => Receipt::NotPrinted,
        }
    }
}

/// The moment `screen` shows, if it is one the kiosk speaks: the countdown's before the page's.
pub fn cue_of(screen: &Screen) -> Option<Cue> {
    countdown_cue(screen).or_else(|| page_cue(screen))
}

/// The countdown's moment: its start, then each of its last seconds.
pub fn countdown_cue(screen: &Screen) -> Option<Cue> {
    let seconds = screen.countdown?;
    Some(if seconds <= SECONDS_SAID { Cue::CountdownSecond(seconds) } else { Cue::CountdownStarts })
}

/// The page's own moment, the countdown aside. A card or a code just refused comes first; then a
/// result, a payment or the office's answer, which a card left on the reader must not hide; then
/// the card's own moments.
pub fn page_cue(screen: &Screen) -> Option<Cue> {
    if let Some(problem) = &screen.card_problem {
        return Some(Cue::Card(problem.clone()));
    }
    if let Some(problem) = screen.scan_problem {
        return Some(Cue::Scan(problem));
    }
    let page = match &screen.page {
        Page::Payment => screen.online.bill.as_ref().map(|bill| Cue::Pay { amount_fen: bill.amount_fen }),
        Page::Done => screen.outcome.as_ref().and_then(outcome_cue),
        Page::Help => help_cue(&screen.help_call),
        _ => None,
    };
    if page.is_some() {
        return page;
    }
    if screen.card_to_take_back {
        return Some(Cue::CardRead);
    }
    if screen.card_reading {
        return Some(Cue::CardReading);
    }
    if let Some(problem) = screen.online.problem {
        return Some(Cue::Online(problem));
    }
    matches!(screen.page, Page::PlaceCard(_)).then_some(Cue::PlaceCard)
}

fn outcome_cue(outcome: &ServiceOutcome) -> Option<Cue> {
    let receipt = outcome.receipt().map_or(Receipt::None, Receipt::from);
    Some(match outcome {
        ServiceOutcome::Recording => return None,
        ServiceOutcome::Ticket { number, window, .. } => {
            Cue::Ticket { number: number.clone(), window: window.number, receipt }
        }
        ServiceOutcome::Paid { .. } => Cue::Paid { receipt },
        ServiceOutcome::Report { .. }
        | ServiceOutcome::Vote { .. }
        | ServiceOutcome::Appointment { .. }
        | ServiceOutcome::Statement { .. }
        | ServiceOutcome::Slip { .. } => Cue::Done { receipt },
        ServiceOutcome::PaymentCancelled => Cue::Outcome("payment_cancelled"),
        ServiceOutcome::PaymentExpired => Cue::Outcome("payment_expired"),
        ServiceOutcome::AlreadyVoted => Cue::Outcome("already_voted"),
        ServiceOutcome::VoteClosed => Cue::Outcome("vote_closed"),
        ServiceOutcome::VoteNotCounted => Cue::Outcome("vote_not_counted"),
        ServiceOutcome::Refused => Cue::Outcome("refused"),
    })
}

fn help_cue(call: &HelpCallState) -> Option<Cue> {
    match call {
        HelpCallState::NotCalled => None,
        HelpCallState::Calling | HelpCallState::Waiting => Some(Cue::HelpCalling),
        HelpCallState::Answered(text) => Some(Cue::HelpAnswered(match READY_ANSWERS.iter().position(|r| r == text) {
            Some(index) => Answer::Ready(index),
            None => Answer::Own(text.clone()),
        })),
        HelpCallState::NoAnswer => Some(Cue::HelpNoAnswer),
        HelpCallState::Unavailable => Some(Cue::HelpUnavailable),
    }
}

impl Cue {
    /// Staff's own words, which no recording says.
    pub fn own_words(&self) -> Option<&str> {
        match self {
            Cue::HelpAnswered(Answer::Own(words)) => Some(words),
            _ => None,
        }
    }

    /// The prompts that say the moment in `language`, in order.
    pub fn prompts(&self, language: Language) -> Vec<String> {
        let mut said: Vec<String> = Vec::new();
        let mut say = |key: &str| said.push(key.to_string());
        match self {
            Cue::PlaceCard => say("place_card"),
            Cue::CardReading => say("card_reading"),
            Cue::CardRead => say("card_read"),
            Cue::Card(CardProblem::ReadFailed) => say("card_read_failed"),
            Cue::Card(CardProblem::Expired(_)) => say("card_expired"),
            Cue::Card(CardProblem::NotAnIdCard) => say("card_not_id"),
            Cue::Scan(problem) => say(match problem {
                ScanProblem::Unrecognised => "scan_unrecognised",
                ScanProblem::Unreadable => "scan_unreadable",
                ScanProblem::Busy => "scan_busy",
            }),
            Cue::Online(problem) => say(match problem {
                OnlineProblem::TooShort => "number_too_short",
                OnlineProblem::Full => "slot_full",
                OnlineProblem::AlreadyBooked => "already_booked",
                OnlineProblem::NotFound => "not_found",
                OnlineProblem::Unavailable => "server_unavailable",
                OnlineProblem::Mistyped => "number_mistyped",
                OnlineProblem::OtherKiosk => "other_kiosk",
                OnlineProblem::NotReprintable => "not_reprintable",
            }),
            Cue::Ticket { number, window, receipt } => {
                say("ticket_number");
                said.extend(spoken_numbers::signs(number));
                said.push("go_to_window".into());
                said.extend(spoken_numbers::whole(language, u64::from(*window)));
                if language == Language::Zh {
                    said.push("window_suffix".into());
                }
                said.extend(receipt.prompts());
            }
            Cue::Done { receipt } => {
                say("done");
                said.extend(receipt.prompts());
            }
            Cue::Pay { amount_fen } => {
                // An amount past what the recorded digits say (a million yuan) is read on the
                // screen, not said wrong.
                if *amount_fen < spoken_numbers::AMOUNT_SAID_BELOW_FEN {
                    say("amount_to_pay");
                    said.extend(spoken_numbers::amount(language, *amount_fen));
                }
                said.push("scan_to_pay".into());
            }
            Cue::Paid { receipt } => {
                say("payment_done");
                said.extend(receipt.prompts());
            }
            Cue::Outcome(key) => say(key),
            Cue::CountdownStarts => say("countdown"),
            Cue::CountdownSecond(seconds) => said.extend(spoken_numbers::whole(language, u64::from(*seconds))),
            Cue::HelpCalling => say("help_calling"),
            Cue::HelpAnswered(answer) => {
                say("help_answered");
                said.push(match answer {
                    Answer::Ready(index) => format!("help_ready_{}", index + 1),
                    Answer::Own(_) => OWN_WORDS_INSTEAD.into(),
                });
            }
            Cue::HelpNoAnswer => say("help_no_answer"),
            Cue::HelpUnavailable => say("help_unavailable"),
        }
        said
    }

    /// One of each moment, for the tests that check every prompt is in the prompt list and in
    /// the example content.
    pub fn every_kind() -> Vec<Cue> {
        let mut cues = vec![Cue::PlaceCard, Cue::CardReading, Cue::CardRead];
        cues.extend(
            [CardProblem::ReadFailed, CardProblem::Expired(String::new()), CardProblem::NotAnIdCard].map(Cue::Card),
        );
        cues.extend([ScanProblem::Unrecognised, ScanProblem::Unreadable, ScanProblem::Busy].map(Cue::Scan));
        cues.extend(
            [
                OnlineProblem::TooShort,
                OnlineProblem::Full,
                OnlineProblem::AlreadyBooked,
                OnlineProblem::NotFound,
                OnlineProblem::Unavailable,
                OnlineProblem::Mistyped,
                OnlineProblem::OtherKiosk,
                OnlineProblem::NotReprintable,
            ]
            .map(Cue::Online),
        );
        for receipt in [Receipt::None, Receipt::Take, Receipt::NotPrinted] {
            cues.extend([
                Cue::Ticket { number: "A023".into(), window: 12, receipt },
                Cue::Done { receipt },
                Cue::Paid { receipt },
            ]);
        }
        cues.push(Cue::Pay { amount_fen: 12_850 });
        for key in
            ["payment_cancelled", "payment_expired", "already_voted", "vote_closed", "vote_not_counted", "refused"]
        {
            cues.push(Cue::Outcome(key));
        }
        cues.extend([Cue::CountdownStarts, Cue::CountdownSecond(5), Cue::HelpCalling]);
        cues.push(Cue::HelpAnswered(Answer::Own("请稍等".into())));
        cues.extend((0..READY_ANSWERS.len()).map(|i| Cue::HelpAnswered(Answer::Ready(i))));
        cues.extend([Cue::HelpNoAnswer, Cue::HelpUnavailable]);
        cues
    }
}

impl Receipt {
    fn prompts(self) -> Vec<String> {
        match self {
            Receipt::None => vec![],
            Receipt::Take => vec!["take_receipt".into()],
            Receipt::NotPrinted => vec!["receipt_not_printed".into()],
        }
    }
}
