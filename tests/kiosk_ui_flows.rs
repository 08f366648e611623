//! The kiosk UI driven the way a resident drives it, by accessible labels: the attract screen,
//! the tiles, notices, the directory, language and print size, the offline and printer banners,
//! and the end of a session with a hand-moved clock. Headless, with Slint's software renderer.
//!
//! Slint runs one UI per thread, so the scenarios run one after another in one test.

use citizen_window::content::Content;
use citizen_window::kiosk::KioskController;
use citizen_window::session::{Resident, SessionTiming};
use citizen_window::ui::screenshot::use_headless_renderer;
use citizen_window::ui::{AppWindow, Clock, KioskUi};
use i_slint_backend_testing::{ElementHandle, ElementQuery};
use slint::ComponentHandle;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

struct Harness {
    ui: KioskUi,
    now: Rc<Cell<Instant>>,
}

impl Harness {
    fn new(width: u32, height: u32) -> Self {
        use_headless_renderer().unwrap();
        let now = Rc::new(Cell::new(Instant::now()));
        let clock: Clock = {
            let now = now.clone();
            Rc::new(move || now.get())
        };
        let window = AppWindow::new().unwrap();
        window.window().set_size(slint::PhysicalSize::new(width, height));
        let content = Content::load(&Content::example_dir()).unwrap();
        let controller = KioskController::new(content, SessionTiming::default(), now.get());
        let ui = KioskUi::new(window, controller, clock);
        ui.window.show().unwrap();
        Self { ui, now }
    }

    fn advance(&self, seconds: u64) {
        self.now.set(self.now.get() + Duration::from_secs(seconds));
        self.ui.update(|k, now| {
            k.tick(now);
        });
    }

    fn find(&self, label: &str) -> ElementHandle {
        ElementHandle::find_by_accessible_label(&self.ui.window, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled {label:?} on the {} page", self.page()))
    }

    fn tap(&self, label: &str) {
        self.find(label).invoke_accessible_default_action();
    }

    fn page(&self) -> String {
        self.ui.window.global::<citizen_window::ui::AppAdapter>().get_page().to_string()
    }

    /// Every label and value of every element on screen.
    fn all_text(&self) -> String {
        let mut text = String::new();
        for element in ElementQuery::from_root(&self.ui.window).match_descendants().find_all() {
            for part in [element.accessible_label(), element.accessible_value(), element.accessible_description()]
                .into_iter()
                .flatten()
            {
                text.push_str(&part);
                text.push('\n');
            }
        }
        text
    }
}

fn resident() -> Resident {
    Resident {
        name: Zeroizing::new("张伟".into()),
        masked_id: Zeroizing::new("1101**********1234".into()),
        key: Zeroizing::new("0".repeat(64)),
    }
}

/// The first element whose label contains `part`.
fn find_containing(h: &Harness, part: &str) -> ElementHandle {
    ElementQuery::from_root(&h.ui.window)
        .match_descendants()
        .find_all()
        .into_iter()
        .find(|e| e.accessible_label().is_some_and(|l| l.contains(part)))
        .unwrap_or_else(|| panic!("nothing labelled with {part:?} on the {} page", h.page()))
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

    // A service not offered yet says so, by name.
    h.tap("首页");
    h.tap("便民缴费");
    assert_eq!(h.page(), "unavailable");
    find_containing(&h, "本机暂未开通此项服务");
    h.tap("返回首页");

    // Offline: the banner says which services still work; the online-only tiles say why not.
    h.ui.update(|k, _| k.set_online(false));
    find_containing(&h, "本机暂时离线");
    assert!(h.all_text().contains("需要联网，暂不可用"));
    h.ui.update(|k, _| k.set_online(true));
    assert!(!h.all_text().contains("本机暂时离线"));

    // The printer banner shows before a resident starts a service that prints.
    h.ui.update(|k, _| k.set_printer_ready(false));
    find_containing(&h, "打印机暂时无法打印");
    h.ui.update(|k, _| k.set_printer_ready(true));

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
fn in_elderly_mode_every_touch_target_is_at_least_60_by_60() {
    for (width, height) in [(1080, 1920), (1920, 1080), (800, 1280)] {
        let h = Harness::new(width, height);
        h.tap("请触摸屏幕开始 / Touch to start");
        h.tap("老年模式");
        assert!(h.ui.window.global::<citizen_window::ui::Theme>().get_elderly());
        for page in ["社区公告", "服务指南", "便民缴费"] {
            h.tap(page);
            let buttons: Vec<_> = ElementQuery::from_root(&h.ui.window)
                .match_descendants()
                .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
                .find_all();
            assert!(buttons.len() >= 4, "{page}: buttons found");
            for button in buttons {
                let size = button.size();
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
