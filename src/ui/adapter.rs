//! Binds the Slint globals to the controller: every callback is one controller call followed by
//! one refresh of the UI from the controller's [`Screen`].

use super::{
    AppAdapter, AppWindow, BillView, ChoiceView, ContentAdapter, EntryView, MonthView, NoticeView, OnlineAdapter,
    OutcomeView, ProposalView, ReprintView, ResidentAdapter, ServiceAdapter, SlideView, SlotView, SocialInsuranceView,
    Theme, TileView,
};
use crate::content::Language;
use crate::devices::{CardProblem, KioskEvent, RecordedWhat, ServiceRequest};
use crate::kiosk::{KioskController, NoticeRow, Page, ProposalRow, ReceiptProgress, Screen, ServiceOutcome};
use crate::kiosk::{OnlineProblem, OnlineView};
use crate::records::grouped;
use crate::sync::online_desk::{OnlineAnswer, OnlineRequest};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

/// Where the adapter gets the time: the real clock on a kiosk, a hand-moved one in tests.
pub type Clock = Rc<dyn Fn() -> Instant>;

/// How often the session timeout and the slides are checked.
const TICK: Duration = Duration::from_millis(250);

/// The UI and its controller, bound together.
pub struct KioskUi {
    pub window: AppWindow,
    pub controller: Rc<RefCell<KioskController>>,
    binding: Binding,
    _ticker: slint::Timer,
}

/// What every callback needs: the window, the controller, the clock, and what the window shows.
#[derive(Clone)]
struct Binding {
    window: slint::Weak<AppWindow>,
    controller: Rc<RefCell<KioskController>>,
    clock: Clock,
    /// The screen last copied into the window: a tick that changes nothing then costs no model
    /// rebuild and no repaint.
    shown: Rc<RefCell<Option<Screen>>>,
    /// What the device threads report, taken on each tick.
    events: Rc<RefCell<Option<Receiver<KioskEvent>>>>,
    /// Where the resident's requests go: the recording thread.
    requests: Rc<RefCell<Option<Sender<ServiceRequest>>>>,
    /// Where the online services' requests go: the online desk.
    online: Rc<RefCell<Option<Sender<OnlineRequest>>>>,
    /// The payment QR code last drawn, by what it encodes.
    qr: Rc<RefCell<Option<(String, slint::Image)>>>,
}

impl Binding {
    fn tick(&self) {
        let reports: Vec<KioskEvent> =
            self.events.borrow().as_ref().map(|events| events.try_iter().collect()).unwrap_or_default();
        self.run(|k, now| {
            for event in reports {
                k.handle_event(event, now);
            }
            k.tick(now);
        });
    }

    /// One controller call with the current time, then the window brought up to date.
    fn run<T>(&self, f: impl FnOnce(&mut KioskController, Instant) -> T) -> T {
        let result = f(&mut self.controller.borrow_mut(), (self.clock)());
        self.forward_requests();
        if let Some(window) = self.window.upgrade() {
            let screen = self.controller.borrow().screen((self.clock)());
            let previous = self.shown.replace(Some(screen.clone()));
            if previous.as_ref() != Some(&screen) {
                apply(&window, &screen, previous.as_ref());
                apply_online(&window, &screen.online, &self.qr);
                let session_ended =
                    screen.page == Page::Attract && previous.as_ref().is_some_and(|p| p.page != Page::Attract);
                if session_ended {
                    // The models above no longer hold the session's data: its memory can go.
                    self.qr.borrow_mut().take();
                    super::memory::return_freed_memory();
                }
            }
        }
        result
    }
}

impl Binding {
    /// Hands the controller's new requests to the recording thread. Without one (a kiosk with no
    /// journal), each is answered as refused, so the resident is told nothing was recorded.
    fn forward_requests(&self) {
        // Without an online desk (not enrolled) every online request is answered unavailable.
        let online = self.controller.borrow_mut().take_online_requests();
        for request in online {
            let number = request.number;
            let sent = self.online.borrow().as_ref().is_some_and(|to| to.send(request).is_ok());
            if !sent {
                let answer = KioskEvent::Answered { request: number, answer: OnlineAnswer::Unavailable };
                self.controller.borrow_mut().handle_event(answer, (self.clock)());
            }
        }
        let requests = self.controller.borrow_mut().take_requests();
        for request in requests {
            let number = request.number;
            let sent = self.requests.borrow().as_ref().is_some_and(|to| to.send(request).is_ok());
            if !sent {
                tracing::error!("no recording thread takes requests: the service is refused");
                self.controller
                    .borrow_mut()
                    .handle_event(KioskEvent::RecordRefused { request: number }, (self.clock)());
            }
        }
    }
}

impl KioskUi {
    pub fn new(window: AppWindow, controller: KioskController, clock: Clock) -> Self {
        let controller = Rc::new(RefCell::new(controller));
        let binding = Binding {
            window: window.as_weak(),
            controller: controller.clone(),
            clock,
            shown: Rc::new(RefCell::new(None)),
            events: Rc::new(RefCell::new(None)),
            requests: Rc::new(RefCell::new(None)),
            online: Rc::new(RefCell::new(None)),
            qr: Rc::new(RefCell::new(None)),
        };
        let ui = Self { window, controller, binding, _ticker: slint::Timer::default() };
        ui.connect();
        ui.refresh();
        let binding = ui.binding.clone();
        ui._ticker.start(slint::TimerMode::Repeated, TICK, move || binding.tick());
        ui
    }

    /// Takes the device threads' reports from now on (on each tick, or at [`Self::tick`]).
    pub fn listen(&self, events: Receiver<KioskEvent>) {
        *self.binding.events.borrow_mut() = Some(events);
    }

    /// Sends the resident's requests (tickets, reports) to the recording thread from now on.
    pub fn record_with(&self, requests: Sender<ServiceRequest>) {
        *self.binding.requests.borrow_mut() = Some(requests);
    }

    /// Sends the online services' requests (bills, payments, records) to the online desk.
    pub fn ask_online_with(&self, requests: Sender<OnlineRequest>) {
        *self.binding.online.borrow_mut() = Some(requests);
    }

    /// What the timer does every 250 ms: device reports in, idle timeout checked, window updated.
    pub fn tick(&self) {
        self.binding.tick();
    }

    /// Copies the controller's current screen into the UI.
    pub fn refresh(&self) {
        self.binding.run(|_, _| ());
    }

    /// Runs `f` on the controller, then refreshes the UI (device reports come through [`Self::listen`]).
    pub fn update<T>(&self, f: impl FnOnce(&mut KioskController, Instant) -> T) -> T {
        self.binding.run(f)
    }

    fn connect(&self) {
        let app = self.window.global::<AppAdapter>();
        app.on_touched(self.handler(|k, (), now| k.touched(now)).unit());
        app.on_go_home(self.handler(|k, (), now| k.go_home(now)).unit());
        app.on_exit(self.handler(|k, (), now| k.exit(now)).unit());
        app.on_open_service(self.handler(|k, service: SharedString, now| k.open_service(&service, now)).call());
        app.on_set_english(
            self.handler(|k, english: bool, now| {
                k.set_language(if english { Language::En } else { Language::Zh }, now)
            })
            .call(),
        );
        app.on_set_elderly(self.handler(|k, elderly: bool, now| k.set_elderly(elderly, now)).call());
        let content = self.window.global::<ContentAdapter>();
        content.on_print_notice(self.handler(|k, (), now| k.print_notice(now)).unit());
        content.on_print_entry(self.handler(|k, id: SharedString, now| k.print_directory_entry(&id, now)).call());
        content.on_open_notice(self.handler(|k, id: SharedString, now| k.open_notice(&id, now)).call());
        content.on_notices_page_changed(
            self.handler(|k, page: i32, now| k.set_notices_page(page.max(0) as usize, now)).call(),
        );
        content.on_directory_page_changed(
            self.handler(|k, page: i32, now| k.set_directory_page(page.max(0) as usize, now)).call(),
        );
        let services = self.window.global::<ServiceAdapter>();
        services.on_open_proposal(self.handler(|k, id: SharedString, now| k.open_proposal(&id, now)).call());
        services.on_choose_vote(self.handler(|k, id: SharedString, now| k.choose_vote(&id, now)).call());
        services
            .on_cast_vote(self.handler(|k, phrase: i32, now| k.cast_vote(usize::try_from(phrase).ok(), now)).call());
        let online = self.window.global::<OnlineAdapter>();
        online.on_keypad_digit(
            self.handler(|k, digit: SharedString, now| {
                if let Some(d) = digit.chars().next() {
                    k.keypad_digit(d, now)
                }
            })
            .call(),
        );
        online.on_keypad_delete(self.handler(|k, (), now| k.keypad_delete(now)).unit());
        online.on_keypad_confirm(self.handler(|k, (), now| k.keypad_confirm(now)).unit());
        online.on_bills_by_card(self.handler(|k, (), now| k.bills_by_card(now)).unit());
        online.on_choose_bill(self.handler(|k, account: SharedString, now| k.choose_bill(&account, now)).call());
        online.on_type_account(self.handler(|k, (), now| k.type_account(now)).unit());
        online.on_pay_bill(self.handler(|k, (), now| k.pay_bill(now)).unit());
        online.on_cancel_payment(self.handler(|k, (), now| k.cancel_payment(now)).unit());
        online.on_open_report_lookup(self.handler(|k, (), now| k.open_report_lookup(now)).unit());
        online.on_open_appointments(self.handler(|k, (), now| k.open_appointments(now)).unit());
        online.on_choose_appointment_window(
            self.handler(|k, id: SharedString, now| k.choose_appointment_window(&id, now)).call(),
        );
        online.on_book_slot(self.handler(|k, id: SharedString, now| k.book_slot(&id, now)).call());
        online.on_print_statement(self.handler(|k, (), now| k.print_statement(now)).unit());
        services.on_reprint(self.handler(|k, seq: i32, now| k.reprint(seq.max(0) as u64, now)).call());
        services.on_take_ticket(self.handler(|k, id: SharedString, now| k.take_ticket(&id, now)).call());
        services.on_choose_report_category(
            self.handler(|k, id: SharedString, now| k.choose_report_category(&id, now)).call(),
        );
        services
            .on_choose_report_place(self.handler(|k, id: SharedString, now| k.choose_report_place(&id, now)).call());
    }

    /// A UI callback: one controller call, then a refresh.
    fn handler<A: 'static>(&self, f: impl Fn(&mut KioskController, A, Instant) + 'static) -> Handler<A> {
        let binding = self.binding.clone();
        Handler(Rc::new(move |arg| binding.run(|k, now| f(k, arg, now))))
    }
}

struct Handler<A>(Rc<dyn Fn(A)>);

impl<A: 'static> Handler<A> {
    fn call(self) -> impl Fn(A) + 'static {
        move |arg| (self.0)(arg)
    }
}

impl Handler<()> {
    fn unit(self) -> impl Fn() + 'static {
        move || (self.0)(())
    }
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

fn notice_view(n: &NoticeRow) -> NoticeView {
    NoticeView {
        id: n.id.as_str().into(),
        title: n.title.as_str().into(),
        date: n.date.as_str().into(),
        category: n.category.into(),
        body: n.body.as_str().into(),
    }
}

/// Copies a screen into the UI. Language first, so that `@tr` strings and content agree; the
/// translation is switched only when the language changes (it re-evaluates every string).
fn apply(window: &AppWindow, screen: &Screen, previous: Option<&Screen>) {
    if previous.is_none_or(|p| p.english != screen.english) {
        let code = if screen.english { Language::En.code() } else { Language::Zh.code() };
        if let Err(e) = slint::select_bundled_translation(code) {
            tracing::error!("the UI has no {code} translation: {e}");
        }
    }
    window.global::<Theme>().set_elderly(screen.elderly);
    let app = window.global::<AppAdapter>();
    app.set_page(screen.page.name().into());
    app.set_english(screen.english);
    app.set_offline(screen.offline);
    app.set_printer_ready(screen.printer_ready);
    app.set_countdown(screen.countdown.map_or(0, |s| s as i32));
    app.set_unavailable_service(screen.unavailable_service.as_str().into());
    app.set_reader_available(screen.reader_available);
    let (problem, expired_on) = match &screen.card_problem {
        None => ("", ""),
        Some(CardProblem::ReadFailed) => ("read_failed", ""),
        Some(CardProblem::Expired(last_day)) => ("expired", last_day.as_str()),
        Some(CardProblem::NotAnIdCard) => ("not_an_id_card", ""),
    };
    app.set_card_problem(problem.into());
    app.set_card_reading(screen.card_reading);
    app.set_card_expired_on(expired_on.into());

    let content = window.global::<ContentAdapter>();
    content.set_tiles(model(
        screen
            .tiles
            .iter()
            .map(|t| TileView {
                service: t.service.id().into(),
                title: t.title.as_str().into(),
                subtitle: t.subtitle.as_str().into(),
                usable: t.usable,
            })
            .collect(),
    ));
    content.set_slide(SlideView { title: screen.slide.title.as_str().into(), body: screen.slide.body.as_str().into() });
    content.set_notices(model(screen.notices.items.iter().map(notice_view).collect()));
    content.set_notices_page(screen.notices.page as i32);
    content.set_notices_pages(screen.notices.pages as i32);
    content.set_notice(notice_view(&screen.notice));
    content.set_directory(model(
        screen
            .directory
            .items
            .iter()
            .map(|e| EntryView {
                id: e.id.as_str().into(),
                name: e.name.as_str().into(),
                location: e.location.as_str().into(),
                hours: e.hours.as_str().into(),
                phone: e.phone.as_str().into(),
            })
            .collect(),
    ));
    content.set_directory_page(screen.directory.page as i32);
    content.set_directory_pages(screen.directory.pages as i32);

    let services = window.global::<ServiceAdapter>();
    services.set_places(model(
        screen.places.iter().map(|p| ChoiceView { id: p.id.as_str().into(), label: p.name.as_str().into() }).collect(),
    ));
    services.set_report_category(screen.report_category.map_or("", |c| c.id()).into());
    services.set_outcome(outcome_view(screen.outcome.as_ref()));
    services.set_card_for_service(screen.card_for_service.as_str().into());
    services.set_proposals(model(screen.proposals.iter().map(proposal_view).collect()));
    services.set_proposal(proposal_view(&screen.proposal));
    services.set_vote_choice(screen.vote_choice.map_or("", |c| c.id()).into());
    services.set_phrases(model(screen.phrases.iter().map(|p| SharedString::from(p.as_str())).collect()));
    services.set_reprintable(model(
        screen
            .reprintable
            .iter()
            .map(|r| {
                let (kind, number, detail) = match &r.what {
                    RecordedWhat::Ticket { window, number } => ("ticket", number.clone(), window.id()),
                    RecordedWhat::Report { category, tracking_number } => {
                        ("report", grouped(tracking_number), category.id())
                    }
                    RecordedWhat::Vote { choice, vote_code } => ("vote", vote_code.clone(), choice.id()),
                    RecordedWhat::Payment { utility, amount_fen, .. } => {
                        ("payment", crate::records::yuan(*amount_fen), utility_id(utility.as_ref()))
                    }
                    RecordedWhat::Statement => ("statement", String::new(), ""),
                    RecordedWhat::Appointment { window, starts_at } => ("appointment", starts_at.clone(), window.id()),
                    RecordedWhat::Slip => ("slip", String::new(), ""),
                };
                ReprintView {
                    seq: r.seq as i32,
                    kind: kind.into(),
                    number: number.into(),
                    detail: detail.into(),
                    time: r.time.as_str().into(),
                }
            })
            .collect(),
    ));

    // Personal data: set when identified, and emptied (not merely hidden) when not.
    let resident = window.global::<ResidentAdapter>();
    let (name, masked_id) = screen.resident.as_ref().map_or(("", ""), |r| (r.name.as_str(), r.masked_id.as_str()));
    resident.set_identified(screen.resident.is_some());
    resident.set_name(SharedString::from(name));
    resident.set_masked_id(SharedString::from(masked_id));
}

fn proposal_view(p: &ProposalRow) -> ProposalView {
    ProposalView {
        id: p.id.as_str().into(),
        title: p.title.as_str().into(),
        body: p.body.as_str().into(),
        closes: p.closes.as_str().into(),
    }
}

fn outcome_view(outcome: Option<&ServiceOutcome>) -> OutcomeView {
    let receipt = |r: &ReceiptProgress| match r {
        ReceiptProgress::Printing => "printing",
        ReceiptProgress::Printed => "printed",
        ReceiptProgress::NotPrinted => "not_printed",
    };
    let (kind, number, detail, receipt, copy) = match outcome {
        None => ("", String::new(), "", "", false),
        Some(ServiceOutcome::Recording) => ("recording", String::new(), "", "", false),
        Some(ServiceOutcome::Refused) => ("refused", String::new(), "", "", false),
        Some(ServiceOutcome::Ticket { window, number, receipt: r, copy }) => {
            ("ticket", number.clone(), window.id(), receipt(r), *copy)
        }
        Some(ServiceOutcome::Report { category, tracking_number, receipt: r, copy }) => {
            ("report", grouped(tracking_number), category.id(), receipt(r), *copy)
        }
        Some(ServiceOutcome::Vote { choice, vote_code, receipt: r }) => {
            ("vote", vote_code.clone(), choice.id(), receipt(r), false)
        }
        Some(ServiceOutcome::AlreadyVoted) => ("already_voted", String::new(), "", "", false),
        Some(ServiceOutcome::Paid { utility, amount_fen, receipt: r, .. }) => {
            ("paid", crate::records::yuan(*amount_fen), utility_id(utility.as_ref()), receipt(r), false)
        }
        Some(ServiceOutcome::PaymentCancelled) => ("payment_cancelled", String::new(), "", "", false),
        Some(ServiceOutcome::PaymentExpired) => ("payment_expired", String::new(), "", "", false),
        Some(ServiceOutcome::Statement { receipt: r }) => ("statement", String::new(), "", receipt(r), false),
        Some(ServiceOutcome::Slip { receipt: r }) => ("slip", String::new(), "", receipt(r), false),
        Some(ServiceOutcome::Appointment { window, starts_at, receipt: r }) => {
            ("appointment", starts_at.clone(), window.id(), receipt(r), false)
        }
        Some(ServiceOutcome::VoteClosed) => ("vote_closed", String::new(), "", "", false),
        Some(ServiceOutcome::VoteNotCounted) => ("vote_not_counted", String::new(), "", "", false),
    };
    OutcomeView { kind: kind.into(), number: number.into(), detail: detail.into(), receipt: receipt.into(), copy }
}

fn utility_id(utility: Option<&citizen_window_protocol::services::Utility>) -> &'static str {
    use citizen_window_protocol::services::Utility;
    match utility {
        Some(Utility::Water) => "water",
        Some(Utility::Electricity) => "electricity",
        Some(Utility::Gas) => "gas",
        Some(Utility::PropertyFee) => "property_fee",
        None => "",
    }
}

/// Copies the online services' part of a screen into `OnlineAdapter`; the payment QR code is
/// drawn once per order.
fn apply_online(window: &AppWindow, view: &OnlineView, qr: &RefCell<Option<(String, slint::Image)>>) {
    let online = window.global::<OnlineAdapter>();
    online.set_keypad_input(view.input.as_str().into());
    online.set_waiting(view.waiting);
    online.set_problem(
        match view.problem {
            None => "",
            Some(OnlineProblem::TooShort) => "too_short",
            Some(OnlineProblem::Full) => "full",
            Some(OnlineProblem::AlreadyBooked) => "already_booked",
            Some(OnlineProblem::NotFound) => "not_found",
            Some(OnlineProblem::Unavailable) => "unavailable",
        }
        .into(),
    );
    online.set_bill(view.bill.as_ref().map_or_else(BillView::default, bill_view));
    online.set_cancelling(view.cancelling);
    online.set_resident_bills(model(view.resident_bills.iter().map(bill_view).collect()));
    online.set_slots(model(
        view.slots
            .iter()
            .map(|slot| SlotView {
                slot_id: slot.slot_id.as_str().into(),
                time: slot.starts_at.rsplit(' ').next().unwrap_or_default().into(),
                day: slot.starts_at.split(' ').next().unwrap_or_default().into(),
                free: slot.free as i32,
            })
            .collect(),
    ));
    let image = match &view.pay_url {
        None => slint::Image::default(),
        Some(url) => {
            let mut cached = qr.borrow_mut();
            if cached.as_ref().is_none_or(|(drawn, _)| drawn != url) {
                *cached = Some((url.clone(), qr_image(url)));
            }
            cached.as_ref().map(|(_, image)| image.clone()).unwrap_or_default()
        }
    };
    online.set_pay_qr(image);
    let (number, status) =
        view.report_status.as_ref().map_or((String::new(), ""), |r| (grouped(&r.tracking_number), r.status.as_str()));
    online.set_report_number(number.into());
    online.set_report_status(status.into());
    let si = view.social_insurance.as_ref();
    online.set_social_insurance(SocialInsuranceView {
        shown: si.is_some(),
        contributions: model(
            si.map(|s| {
                s.contributions
                    .iter()
                    .map(|(month, pension, medical)| MonthView {
                        month: month.as_str().into(),
                        first: pension.as_str().into(),
                        second: medical.as_str().into(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ),
        pensions: model(
            si.map(|s| {
                s.pensions
                    .iter()
                    .map(|(month, paid)| MonthView {
                        month: month.as_str().into(),
                        first: paid.as_str().into(),
                        second: SharedString::new(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ),
        allowance: si.map_or("", |s| s.allowance.as_str()).into(),
    });
}

fn bill_view(b: &citizen_window_protocol::services::Bill) -> BillView {
    BillView {
        account: b.account.as_str().into(),
        utility: utility_id(Some(&b.utility)).into(),
        holder: b.holder.as_str().into(),
        period: b.period.as_str().into(),
        usage: b.usage.as_str().into(),
        amount: crate::records::yuan(b.amount_fen).into(),
    }
}

/// A QR code as an image, eight pixels a module, black on white with its quiet zone.
fn qr_image(data: &str) -> slint::Image {
    use citizen_window_hardware::escpos::QrErrorCorrection;
    let Ok(bitmap) = citizen_window_hardware::escpos::raster::qr_bitmap(data.as_bytes(), 8, QrErrorCorrection::M, 4096)
    else {
        tracing::error!("the payment QR code cannot be drawn");
        return slint::Image::default();
    };
    let (width, height) = (bitmap.width(), bitmap.height());
    let mut pixels = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(width as u32, height as u32);
    for (i, pixel) in pixels.make_mut_slice().iter_mut().enumerate() {
        let v = if bitmap.get(i % width, i / width) { 0 } else { 255 };
        *pixel = slint::Rgb8Pixel { r: v, g: v, b: v };
    }
    slint::Image::from_rgb8(pixels)
}
