//! The moments the kiosk speaks, read off real screens of the controller, and the prompt list:
//! every prompt the kiosk can ask for is in content/voice/prompts.tsv and in the example content,
//! in each language that uses it, and the list names nothing the kiosk never says.

use super::cues::{Cue, Receipt, cue_of};
use super::spoken_numbers;
use crate::content::{Content, Language};
use crate::kiosk::messages::{CardProblem, KioskEvent};
use crate::kiosk::{HelpCallState, KioskController, Page, ServiceOutcome};
use crate::session::SessionTiming;
use citizen_window_protocol::help::READY_ANSWERS;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The prompt list: for each language, the keys it gives a text.
fn prompt_list() -> [BTreeSet<String>; 2] {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/voice/prompts.tsv");
    let mut keys = [BTreeSet::new(), BTreeSet::new()];
    for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let columns: Vec<&str> = line.split('\t').collect();
        assert_eq!(columns.len(), 3, "key, Chinese, English: {line:?}");
        for (language, text) in [0, 1].into_iter().zip(&columns[1..]) {
            if !text.trim().is_empty() {
                assert!(keys[language].insert(columns[0].to_string()), "{} twice", columns[0]);
            }
        }
    }
    keys
}

#[test]
fn every_prompt_the_kiosk_says_is_listed_and_in_the_example_content() {
    let content = Content::load(&Content::example_dir()).unwrap();
    let listed = prompt_list();
    for (index, language) in [Language::Zh, Language::En].into_iter().enumerate() {
        let mut needed: BTreeSet<String> = spoken_numbers::every_prompt(language).into_iter().collect();
        for cue in Cue::every_kind() {
            needed.extend(cue.prompts(language));
        }
        assert_eq!(needed, listed[index], "{language:?}: what the kiosk says and what the list has");
        let shipped: BTreeSet<String> = content.voice.keys(language).map(str::to_string).collect();
        assert_eq!(needed, shipped, "{language:?}: the example content's prompts (scripts/make-voice-prompts.sh)");
    }
}

fn kiosk(t0: Instant) -> KioskController {
    let content = Content::load(&Content::example_dir()).unwrap();
    let mut k = KioskController::new(content, SessionTiming::default(), t0, 3);
    k.touched(t0);
    k
}

#[test]
fn the_card_moments_and_the_countdown_are_read_off_the_screen() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    assert_eq!(cue_of(&k.screen(t0)), None, "home says nothing");
    k.open_service("social_insurance", t0);
    assert_eq!(k.screen(t0).page.name(), "place_card");
    assert_eq!(cue_of(&k.screen(t0)), Some(Cue::PlaceCard));
    k.handle_event(KioskEvent::CardReading, t0);
    assert_eq!(cue_of(&k.screen(t0)), Some(Cue::CardReading));
    k.handle_event(KioskEvent::CardRefused(CardProblem::ReadFailed), t0);
    let refused = cue_of(&k.screen(t0)).unwrap();
    assert_eq!(refused.prompts(Language::Zh), ["card_read_failed"]);

    // The countdown: its start, then each of the last seconds.
    let at = |s| t0 + Duration::from_secs(s);
    k.tick(at(46));
    assert_eq!(cue_of(&k.screen(at(46))), Some(Cue::CountdownStarts));
    k.tick(at(55));
    let second = cue_of(&k.screen(at(55))).unwrap();
    assert_eq!(second, Cue::CountdownSecond(5));
    assert_eq!((second.prompts(Language::Zh), second.prompts(Language::En)), (vec!["n5".into()], vec!["n5".into()]));
}

#[test]
fn results_payments_and_the_offices_answer_are_said_with_their_numbers() {
    let t0 = Instant::now();
    let k = kiosk(t0);
    let mut screen = k.screen(t0);

    screen.page = Page::Done;
    let window = crate::records::ServiceWindow {
        id: crate::records::WindowId::fixed("legal-aid"),
        number: 12,
        name: Default::default(),
    };
    let ticket =
        |receipt| ServiceOutcome::Ticket { window: window.clone(), number: "D023".into(), receipt, copy: false };
    screen.outcome = Some(ticket(crate::kiosk::ReceiptProgress::Printing));
    let cue = cue_of(&screen).unwrap();
    assert_eq!(
        cue.prompts(Language::Zh),
        ["ticket_number", "letter_d", "n0", "n2", "n3", "go_to_window", "n10", "n2", "window_suffix", "take_receipt"]
    );
    assert_eq!(
        cue.prompts(Language::En),
        ["ticket_number", "letter_d", "n0", "n2", "n3", "go_to_window", "n12", "take_receipt"]
    );
    screen.outcome = Some(ticket(crate::kiosk::ReceiptProgress::Printed));
    assert_eq!(cue_of(&screen), Some(cue), "the receipt coming out does not say the number again");
    screen.outcome = Some(ticket(crate::kiosk::ReceiptProgress::NotPrinted));
    assert!(matches!(cue_of(&screen), Some(Cue::Ticket { receipt: Receipt::NotPrinted, .. })));
    screen.outcome = Some(ServiceOutcome::Recording);
    assert_eq!(cue_of(&screen), None, "nothing until the journal answers");

    screen.page = Page::Payment;
    screen.online.bill = Some(citizen_window_protocol::services::Bill {
        account: "3301-0288-1742".into(),
        utility: citizen_window_protocol::services::Utility::Water,
        holder: "张*".into(),
        period: "2026-10".into(),
        amount_fen: 12_850,
        usage: String::new(),
    });
    assert_eq!(
        cue_of(&screen).unwrap().prompts(Language::Zh),
        ["amount_to_pay", "n1", "n100", "n2", "n10", "n8", "yuan", "n5", "jiao", "scan_to_pay"]
    );

    screen.page = Page::Help;
    screen.help_call = HelpCallState::Waiting;
    assert_eq!(cue_of(&screen), Some(Cue::HelpCalling));
    screen.help_call = HelpCallState::Answered(READY_ANSWERS[1].into());
    assert_eq!(cue_of(&screen).unwrap().prompts(Language::Zh), ["help_answered", "help_ready_2"]);
    screen.help_call = HelpCallState::Answered("请稍等，马上来".into());
    let own = cue_of(&screen).unwrap();
    assert_eq!(own.own_words(), Some("请稍等，马上来"), "staff's own words go to the synthesiser");
    assert_eq!(own.prompts(Language::En), ["help_answered", "help_see_screen"]);
    screen.help_call = HelpCallState::NoAnswer;
    assert_eq!(cue_of(&screen).unwrap().prompts(Language::Zh), ["help_no_answer"]);
}

#[test]
fn a_card_left_on_the_reader_never_hides_the_result() {
    let t0 = Instant::now();
    let mut screen = kiosk(t0).screen(t0);
    screen.card_to_take_back = true;
    assert_eq!(cue_of(&screen), Some(Cue::CardRead));
    screen.page = Page::Done;
    screen.outcome = Some(ServiceOutcome::Statement { receipt: crate::kiosk::ReceiptProgress::Printing });
    assert_eq!(cue_of(&screen), Some(Cue::Done { receipt: Receipt::Take }));
}

/// The guide on a real player with a fast recording output: what it says as screens go by.
#[test]
fn the_guide_says_each_page_moment_once_and_one_that_came_under_the_countdown_after_it() {
    use super::guide::VoiceGuide;
    use super::player::VoicePlayer;
    use super::recording_output::{Notes, RecordingOutput};
    let content = Content::load(&Content::example_dir()).unwrap();
    let notes = Notes::default();
    let player = VoicePlayer::start(Box::new(RecordingOutput::new(notes.clone(), 50)), Default::default()).unwrap();
    let mut guide = VoiceGuide::new(player, crate::config::VoiceSetup::default());
    let t0 = Instant::now();
    let mut screen = kiosk(t0).screen(t0);
    screen.voice_on = true;
    screen.page = Page::Done;
    let said = |notes: &Notes, count: usize| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while notes.started().len() < count {
            assert!(Instant::now() < deadline, "only {:?}", notes.started());
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(200));
        notes.started()
    };

    screen.outcome = Some(ServiceOutcome::VoteClosed);
    guide.show(&screen, &content.voice);
    assert_eq!(said(&notes, 1), ["zh/vote_closed"]);
    // The countdown; under it the result changes (the server refused the vote meanwhile).
    screen.countdown = Some(12);
    guide.show(&screen, &content.voice);
    screen.outcome = Some(ServiceOutcome::VoteNotCounted);
    guide.show(&screen, &content.voice);
    // A touch: the countdown goes, and the new result is said; the old one is not said again.
    screen.countdown = None;
    guide.show(&screen, &content.voice);
    guide.show(&screen, &content.voice);
    assert_eq!(said(&notes, 3), ["zh/vote_closed", "zh/countdown", "zh/vote_not_counted"]);
}
