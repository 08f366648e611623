//! A kiosk UI for tests: headless with the software renderer, the example content, a clock the
//! test moves by hand, and lookups by accessible label the way a resident finds things.

#![allow(dead_code)]

use citizen_window::content::Content;
use citizen_window::kiosk::KioskController;
use citizen_window::session::SessionTiming;
use citizen_window::ui::screenshot::use_headless_renderer;
use citizen_window::ui::{AppWindow, Clock, KioskUi, by_label};
use i_slint_backend_testing::ElementHandle;
use slint::ComponentHandle;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct Harness {
    pub ui: KioskUi,
    pub now: Rc<Cell<Instant>>,
    /// The resident's taps since the home screen (docs/SERVICES.md: a service's result within
    /// three, card and typed digits aside): 首页, 返回首页 and the attract screen start it again.
    taps: Cell<u32>,
}

/// The taps that bring the resident to the home screen, where the count starts.
const HOME_TAPS: [&str; 4] = ["首页", "返回首页", "Home", "请触摸屏幕开始 / Touch to start"];

impl Harness {
    pub fn new(width: u32, height: u32) -> Self {
        use_headless_renderer().unwrap();
        let now = Rc::new(Cell::new(Instant::now()));
        let clock: Clock = {
            let now = now.clone();
            Rc::new(move || now.get())
        };
        let window = AppWindow::new().unwrap();
        window.window().set_size(slint::PhysicalSize::new(width, height));
        let mut content = Content::load(&Content::example_dir()).unwrap();
        // Votes on the example proposals must not start failing the day voting closes.
        content.proposals.iter_mut().for_each(|p| p.closes = "9999-12-31".into());
        let controller = KioskController::new(content, SessionTiming::default(), now.get(), 11);
        let ui = KioskUi::new(window, controller, clock);
        ui.window.show().unwrap();
        Self { ui, now, taps: Cell::new(0) }
    }

    pub fn advance(&self, seconds: u64) {
        self.now.set(self.now.get() + Duration::from_secs(seconds));
        self.ui.update(|k, now| {
            k.tick(now);
        });
    }

    pub fn find(&self, label: &str) -> ElementHandle {
        ElementHandle::find_by_accessible_label(&self.ui.window, label)
            .next()
            .unwrap_or_else(|| panic!("nothing labelled {label:?} on the {} page", self.page()))
    }

    /// Taps a home-screen tile, paging the home screen first if it is not on the page shown
    /// (large print on a small screen shows fewer tiles at a time).
    pub fn tap_tile(&self, label: &str) {
        for _ in 0..4 {
            if ElementHandle::find_by_accessible_label(&self.ui.window, label).next().is_some() {
                break;
            }
            self.tap("更多服务");
        }
        self.tap(label);
    }

    /// Taps the button with this label (a button's own text carries the same label: the button,
    /// not its text, takes the tap).
    pub fn tap(&self, label: &str) {
        let target = by_label::labelled(&self.ui.window, label);
        target.unwrap_or_else(|| self.find(label)).invoke_accessible_default_action();
        self.count_tap(label);
    }

    /// Taps the first element whose label contains `part` (a list item with a changing text).
    pub fn tap_containing(&self, part: &str) {
        find_containing(self, part).invoke_accessible_default_action();
        self.count_tap(part);
    }

    fn count_tap(&self, label: &str) {
        self.taps.set(if HOME_TAPS.contains(&label) { 0 } else { self.taps.get() + 1 });
    }

    /// Checks that the result on screen took at most three taps from the home screen.
    pub fn assert_within_three_taps(&self, service: &str) {
        let taps = self.taps.get();
        assert!(taps <= 3, "{service}: {taps} taps from the home screen to its result (at most 3)");
    }

    /// Ticks the UI (as its timer does) until `wanted` holds for the text on screen, with real
    /// time passing for the device threads.
    pub fn tick_until(&self, what: &str, wanted: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            self.ui.tick();
            if wanted(&self.all_text()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what} did not show; the {} page says:\n{}", self.page(), self.all_text());
    }

    /// Taps a number on the keypad, digit by digit.
    pub fn type_digits(&self, digits: &str) {
        let taps = self.taps.get();
        for digit in digits.chars() {
            self.tap(&digit.to_string());
        }
        // Typed digits are not counted as taps: the number is as long as it is.
        self.taps.set(taps);
    }

    /// The page the window shows, by the controller's name for it (the two are checked to agree).
    pub fn page(&self) -> String {
        let page = self.ui.controller.borrow().screen(self.now.get()).page;
        let shown = self.ui.window.global::<citizen_window::ui::AppAdapter>().get_page();
        assert_eq!(shown, citizen_window::ui::page_name(&page), "the window shows the controller's page");
        page.name().to_string()
    }

    /// Every label and value of every element on screen.
    pub fn all_text(&self) -> String {
        by_label::screen_text(&self.ui.window)
    }
}

/// The first element whose label contains `part`.
pub fn find_containing(h: &Harness, part: &str) -> ElementHandle {
    by_label::containing(&h.ui.window, part)
        .unwrap_or_else(|| panic!("nothing labelled with {part:?} on the {} page", h.page()))
}

/// The text of every receipt the simulated printer finished in `dir`, oldest first.
pub fn receipts(dir: &std::path::Path) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

/// The receipts once at least `count` are finished (or whatever is there after 20 s).
pub fn wait_for_receipts(dir: &std::path::Path, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while receipts(dir).len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    receipts(dir)
}
