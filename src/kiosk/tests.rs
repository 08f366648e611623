//! The controller's rules, with the example content and made-up instants.

use super::*;
use crate::content::{Content, Service};
use crate::session::{EndReason, Resident, SessionTiming};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

fn kiosk(t0: Instant) -> KioskController {
    KioskController::new(Content::load(&Content::example_dir()).unwrap(), SessionTiming::default(), t0)
}

fn resident(name: &str, masked_id: &str) -> Resident {
    Resident {
        name: Zeroizing::new(name.into()),
        masked_id: Zeroizing::new(masked_id.into()),
        key: Zeroizing::new("k".into()),
    }
}

fn secs(t0: Instant, s: u64) -> Instant {
    t0 + Duration::from_secs(s)
}

#[test]
fn a_tap_on_the_attract_screen_opens_the_home_screen_with_every_tile() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    assert_eq!(k.screen(t0).page, Page::Attract);
    k.touched(secs(t0, 1));
    let screen = k.screen(secs(t0, 1));
    assert_eq!(screen.page, Page::Home);
    assert_eq!(screen.tiles.len(), 8);
    assert_eq!(screen.tiles[0].title, "社区公告", "Chinese by default");
}

#[test]
fn slides_rotate_on_the_attract_screen() {
    let t0 = Instant::now();
    let k = kiosk(t0);
    let first = k.screen(t0).slide;
    assert_ne!(k.screen(t0 + controller::SLIDE_INTERVAL).slide, first);
}

#[test]
fn notices_are_paged_and_open_one_by_one_in_the_chosen_language() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.open_service("notices", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Notices);
    assert_eq!((screen.notices.items.len(), screen.notices.pages), (4, 1));
    k.set_elderly(true, t0);
    let screen = k.screen(t0);
    assert_eq!((screen.notices.items.len(), screen.notices.pages), (3, 2), "fewer, larger items in elderly mode");
    k.set_notices_page(1, t0);
    assert_eq!(k.screen(t0).notices.items.len(), 1);
    k.set_notices_page(7, t0);
    assert_eq!(k.screen(t0).notices.page, 1, "a page past the end shows the last one");
    k.set_language(crate::content::Language::En, t0);
    k.open_notice("n-2026-11-20-heating", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Notice("n-2026-11-20-heating".into()));
    assert_eq!(screen.notice.title, "Winter heating");
    assert_eq!(screen.notice.category, "community");
}

#[test]
fn services_not_offered_yet_say_so_by_name() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.open_service("bills", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Unavailable(Service::Bills));
    assert_eq!(screen.unavailable_service, "便民缴费");
}

#[test]
fn offline_the_online_only_tiles_are_marked_and_the_rest_stay_usable() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.set_online(false);
    let screen = k.screen(t0);
    assert!(screen.offline);
    let unusable: Vec<_> = screen.tiles.iter().filter(|t| !t.usable).map(|t| t.service).collect();
    assert_eq!(unusable, vec![Service::Bills, Service::SocialInsurance]);
}

#[test]
fn the_end_of_a_session_wipes_the_resident_and_resets_language_and_print_size() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.identified(resident("张伟", "1101**********1234"), t0);
    k.set_language(crate::content::Language::En, t0);
    k.set_elderly(true, t0);
    k.open_service("directory", t0);
    assert_eq!(k.screen(t0).resident.as_ref().map(|r| r.name.as_str()), Some("张伟"));
    assert_eq!(k.screen(secs(t0, 50)).countdown, Some(10));
    assert_eq!(k.tick(secs(t0, 60)), Some(EndReason::IdleTimeout));
    let screen = k.screen(secs(t0, 60));
    assert_eq!(screen.page, Page::Attract);
    assert!(screen.resident.is_none() && !screen.english && !screen.elderly && screen.countdown.is_none());
}

#[test]
fn card_removal_ends_the_session_of_that_card() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.identified(resident("李秀兰", "3101**********0021"), t0);
    k.card_removed(secs(t0, 5));
    let screen = k.screen(secs(t0, 5));
    assert_eq!(screen.page, Page::Attract);
    assert!(screen.resident.is_none());
}
