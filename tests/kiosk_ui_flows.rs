//! The kiosk UI driven the way a resident drives it, by accessible labels: the attract screen,
//! the tiles, notices, the directory, language and print size, the offline and printer banners,
//! and the end of a session with a hand-moved clock. Headless, with Slint's software renderer.
//!
//! Slint runs one UI per thread, so each test has its own UI.

#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::kiosk::messages::KioskEvent;
use citizen_window::session::Resident;
use i_slint_backend_testing::ElementQuery;
use slint::ComponentHandle;
use slint::Model;
use ui_support::{Harness, find_containing};
use zeroize::Zeroizing;

/// What a worker would report, through the kiosk runtime, taken on the next tick.
fn tell(h: &Harness, event: KioskEvent) {
    h.ui.with_runtime(|runtime| runtime.events()).send(event).unwrap();
    h.ui.tick();
}

fn resident() -> Resident {
    Resident {
        name: Zeroizing::new("张伟".into()),
        masked_id: Zeroizing::new("1101**********1234".into()),
        handle: citizen_window::resident_key::test_only_handle("110101196005010019"),
    }
}

#[test]
fn the_kiosk_by_its_labels() {
    let h = Harness::new(1080, 1920);

    // Attract screen → home, every service tile.
    assert_eq!(h.page(), "attract");
    h.tap("请触摸屏幕开始 / Touch to start");
    assert_eq!(h.page(), "home");
    for tile in ["社区公告", "服务指南", "民意征集", "便民缴费", "社保查询", "预约取号", "报事报修", "补打凭条"]
    {
        h.find(tile);
    }

    // Notices: the list, one notice in full, back to the list.
    h.tap("社区公告");
    assert_eq!(h.page(), "notices");
    find_containing(&h, "关于冬季供暖的通知").invoke_accessible_default_action();
    assert_eq!(h.page(), "notice");
    assert!(h.all_text().contains("96069"), "the notice's body is shown");
    h.tap("返回公告列表");
    assert_eq!(h.page(), "notices");

    // English at any time, for the UI's own words and for the content.
    h.tap("English");
    h.find("Previous page");
    find_containing(&h, "Winter heating");
    h.tap("Home");
    assert_eq!(h.page(), "home");
    h.find("Service directory").invoke_accessible_default_action();
    assert_eq!(h.page(), "directory");
    h.find("Police room");
    h.tap("中文");
    h.find("警务室");

    // Offline: the banner says which services still work; the online-only tiles say why not,
    // and so does the page they open.
    h.tap("首页");
    tell(&h, KioskEvent::Online(false));
    find_containing(&h, "本机暂时离线");
    assert!(h.all_text().contains("需要联网，暂不可用"));
    h.tap("便民缴费");
    assert_eq!(h.page(), "unavailable");
    find_containing(&h, "此项服务需要联网，本机暂时离线");
    h.tap("返回首页");
    tell(&h, KioskEvent::Online(true));
    assert!(!h.all_text().contains("本机暂时离线"));

    // The printer banner shows before a resident starts a service that prints.
    tell(&h, KioskEvent::PrinterReady(false));
    find_containing(&h, "打印机暂时无法打印");
    tell(&h, KioskEvent::PrinterReady(true));

    // Exit ends the session: back to the attract screen.
    h.tap("退出");
    assert_eq!(h.page(), "attract");
}

#[test]
fn after_an_idle_timeout_no_personal_datum_is_left_in_the_ui() {
    let h = Harness::new(1080, 1920);
    h.tap("请触摸屏幕开始 / Touch to start");
    h.ui.update(|k, now| k.identified(resident(), now));
    h.tap("English");
    let text = h.all_text();
    assert!(text.contains("张伟") && text.contains("1101**********1234"), "the welcome line shows: {text}");

    // The countdown shows in the last 15 seconds, and a touch extends the session.
    h.advance(46);
    find_containing(&h, "the session ends in 14 seconds");
    h.tap("Notices");
    assert!(!h.all_text().contains("the session ends in"), "a touch hides the countdown");
    h.advance(59);
    assert_eq!(h.page(), "notices", "59 s after the last touch the session still runs");

    h.advance(1);
    assert_eq!(h.page(), "attract");
    let text = h.all_text();
    for personal in ["张伟", "1101", "1234"] {
        assert!(!text.contains(personal), "{personal:?} is still in the UI after the session: {text}");
    }
    let resident = h.ui.window.global::<citizen_window::ui::ResidentAdapter>();
    assert!(resident.get_name().is_empty() && resident.get_masked_id().is_empty(), "the models are emptied too");
    // The next resident starts in Chinese, standard print.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.find("社区公告");
}

#[test]
fn after_an_idle_timeout_the_social_insurance_record_is_gone_from_screen_and_models() {
    use citizen_window::kiosk::messages::OnlineAnswer;
    use citizen_window_protocol::services::{ContributionMonth, SocialInsuranceRecord};
    let h = Harness::new(1080, 1920);
    let (online, mut desk) = tokio::sync::mpsc::unbounded_channel();
    h.ui.with_runtime(|runtime| runtime.ask_online_with(online));
    h.tap("请触摸屏幕开始 / Touch to start");
    h.ui.update(|k, now| k.identified(resident(), now));
    h.tap("社保查询");
    let asked = desk.try_recv().expect("the record is asked for the identified resident");
    let month = ContributionMonth { month: "2026-10".into(), pension_fen: 38_417, medical_fen: 961 };
    let record = SocialInsuranceRecord {
        contributions: vec![month],
        pension_payments: vec![],
        subsistence_allowance: "granted".into(),
    };
    let answer = KioskEvent::Answered { request: asked.number, answer: OnlineAnswer::SocialInsurance(record) };
    h.ui.update(|k, now| k.handle_event(answer, now));
    assert!(h.all_text().contains("384.17"), "the record shows: {}", h.all_text());

    h.advance(60);
    assert_eq!(h.page(), "attract");
    assert!(!h.all_text().contains("384.17") && !h.all_text().contains("9.61"));
    let online = h.ui.window.global::<citizen_window::ui::OnlineAdapter>();
    let record = online.get_social_insurance();
    assert!(!record.shown && record.contributions.row_count() == 0 && record.allowance.is_empty(), "models emptied");
}

#[test]
fn in_elderly_mode_every_touch_target_is_at_least_60_by_60() {
    for (width, height) in [(1080, 1920), (1920, 1080), (800, 1280)] {
        let h = Harness::new(width, height);
        h.tap("请触摸屏幕开始 / Touch to start");
        h.tap("大字版");
        let theme = h.ui.window.global::<citizen_window::ui::Theme>();
        assert!(theme.get_elderly());
        // docs/SERVICES.md: body text at least 30 px, headings at least 48 px, in elderly mode. Every
        // font size in ui/ is one of these, or one of them scaled up (tests/ui_translations.rs).
        assert!(theme.get_small_size() >= 30.0 && theme.get_body_size() >= 30.0, "body text below 30 px");
        assert!(theme.get_heading_size() >= 48.0, "headings below 48 px");
        assert!(theme.get_touch_size() >= 60.0);
        let walks: [&[&str]; 10] = [
            &["社区公告"],
            &["服务指南"],
            &["便民缴费"],
            &["报事报修", "查询报事进度"],
            &["预约取号"],
            &["报事报修"],
            &["报事报修", "管道漏水"],
            &["补打凭条"],
            &["民意征集"],
            // Without a recording thread the result page says nothing was recorded.
            &["预约取号", "社保：取号"],
        ];
        for taps in walks {
            h.tap_tile(taps[0]);
            for label in &taps[1..] {
                h.tap(label);
            }
            let page = taps.join(" → ");
            let buttons: Vec<_> = ElementQuery::from_root(&h.ui.window)
                .match_descendants()
                .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
                .find_all();
            assert!(buttons.len() >= 5, "{page}: buttons found");
            let touch = theme.get_touch_size();
            for button in buttons {
                let size = button.size();
                // A button stretched to several times its size means a page's layout gave the
                // space to the wrong element (the top bar once took half the result page).
                assert!(
                    size.height <= touch * 2.0,
                    "{page} at {width}x{height}: {:?} is stretched to {} px high",
                    button.accessible_label(),
                    size.height
                );
                assert!(
                    size.width >= 60.0 && size.height >= 60.0,
                    "{page} at {width}x{height}: {:?} is {}x{}",
                    button.accessible_label(),
                    size.width,
                    size.height
                );
            }
            h.tap("首页");
        }
    }
}
