//! Binds the UI to the controller and the kiosk runtime: every callback (`ui::callbacks`) is one
//! controller call, then the runtime forwards the controller's requests, then the window is
//! brought up to date from the controller's [`Screen`] (`ui::views`), and the voice told of it. The
//! 250 ms tick pumps the runtime's events in first.

use super::AppWindow;
use super::views::{self, online_view::QrCache};
use crate::kiosk::{KioskController, ListRows, Page, Screen};
use crate::runtime::KioskRuntime;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Where the adapter gets the time: the real clock on a kiosk, a hand-moved one in tests.
pub type Clock = Rc<dyn Fn() -> Instant>;

/// How often the session timeout and the slides are checked.
const TICK: Duration = Duration::from_millis(250);

/// The UI and its controller, bound together.
pub struct KioskUi {
    pub window: AppWindow,
    pub controller: Rc<RefCell<KioskController>>,
    pub(super) binding: Binding,
    _ticker: slint::Timer,
}

/// What every callback needs: the window, the controller, the runtime, the clock, and what the
/// window shows.
#[derive(Clone)]
pub(super) struct Binding {
    window: slint::Weak<AppWindow>,
    controller: Rc<RefCell<KioskController>>,
    /// The workers and their channels: events in, requests out.
    runtime: Rc<RefCell<KioskRuntime>>,
    clock: Clock,
    /// The screen last copied into the window: a tick that changes nothing then costs no model
    /// rebuild and no repaint.
    shown: Rc<RefCell<Option<Screen>>>,
    qr: Rc<QrCache>,
}

impl Binding {
    fn tick(&self) {
        self.run(|k, now| {
            self.runtime.borrow().pump(k, now);
            k.tick(now);
        });
    }

    /// One controller call with the current time, its requests forwarded, then the window
    /// brought up to date.
    pub(super) fn run<T>(&self, f: impl FnOnce(&mut KioskController, Instant) -> T) -> T {
        let result = {
            let mut controller = self.controller.borrow_mut();
            let result = f(&mut controller, (self.clock)());
            self.runtime.borrow().forward(&mut controller, (self.clock)());
            result
        };
        if let Some(window) = self.window.upgrade() {
            self.show(&window);
            // The lists are paged by what fits in the layout, which the print size just shown
            // may have changed: then once more, with the new rows.
            let app = window.global::<super::AppAdapter>();
            let rows = ListRows {
                notices: app.get_notice_rows().max(0) as usize,
                directory: app.get_directory_rows().max(0) as usize,
                notice_chars: app.get_notice_chars().max(0) as usize,
            };
            if self.controller.borrow_mut().set_list_rows(rows) {
                self.show(&window);
            }
        }
        result
    }

    /// Copies the controller's screen into the window, if it changed.
    fn show(&self, window: &AppWindow) {
        // The layout's reach and fit follow the window's size, told here only (a resized window
        // is followed within a tick), before the fit is read.
        let size = window.window().size().to_logical(window.window().scale_factor());
        let reach = window.global::<super::Reach>();
        if reach.get_window_width() != size.width || reach.get_window_height() != size.height {
            reach.set_window_width(size.width);
            reach.set_window_height(size.height);
        }
        let screen = self.controller.borrow().screen((self.clock)());
        let previous = self.shown.replace(Some(screen.clone()));
        if previous.as_ref() != Some(&screen) {
            views::apply(window, &screen, previous.as_ref(), &self.qr);
            self.runtime.borrow_mut().speak(&screen, &self.controller.borrow().content().voice);
            let session_ended =
                screen.page == Page::Attract && previous.as_ref().is_some_and(|p| p.page != Page::Attract);
            if session_ended {
                // The models above no longer hold the session's data: its memory can go.
                self.qr.borrow_mut().take();
                super::memory::return_freed_memory();
            }
        }
    }
}

impl KioskUi {
    /// The UI with a runtime that has no worker yet (every request refused until
    /// [`Self::attach`]).
    pub fn new(window: AppWindow, controller: KioskController, clock: Clock) -> Self {
        let controller = Rc::new(RefCell::new(controller));
        let binding = Binding {
            window: slint::ComponentHandle::as_weak(&window),
            controller: controller.clone(),
            runtime: Rc::new(RefCell::new(KioskRuntime::new())),
            clock,
            shown: Rc::new(RefCell::new(None)),
            qr: Rc::new(RefCell::new(None)),
        };
        let ui = Self { window, controller, binding, _ticker: slint::Timer::default() };
        ui.connect();
        ui.refresh();
        let binding = ui.binding.clone();
        ui._ticker.start(slint::TimerMode::Repeated, TICK, move || binding.tick());
        ui
    }

    /// Works with `runtime`'s workers from now on; the runtime before it is dropped, which stops
    /// its workers.
    pub fn attach(&self, runtime: KioskRuntime) {
        let previous = self.binding.runtime.replace(runtime);
        drop(previous);
    }

    /// Runs `f` on the runtime (to start a worker by hand, in tests).
    pub fn with_runtime<T>(&self, f: impl FnOnce(&mut KioskRuntime) -> T) -> T {
        f(&mut self.binding.runtime.borrow_mut())
    }

    /// What the timer does every 250 ms: device reports in, idle timeout checked, window updated.
    pub fn tick(&self) {
        self.binding.tick();
    }

    /// Copies the controller's current screen into the UI.
    pub fn refresh(&self) {
        self.binding.run(|_, _| ());
    }

    /// Runs `f` on the controller, then refreshes the UI (device reports come through the runtime).
    pub fn update<T>(&self, f: impl FnOnce(&mut KioskController, Instant) -> T) -> T {
        self.binding.run(f)
    }
}
