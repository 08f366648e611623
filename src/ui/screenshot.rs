//! Renders a page of the kiosk to a PNG without a display: Slint's testing backend with its
//! software renderer, the same pixels the kiosk's framebuffer gets.

use super::{AppWindow, Clock, KioskUi};
use crate::content::{Content, Language, Service};
use crate::kiosk::messages::OnlineAnswer;
use crate::kiosk::messages::{KioskEvent, Recorded, RecordedWhat, Reprintable};
use crate::kiosk::{KioskController, samples};
use crate::records::{IssueCategory, ServiceWindow, VoteChoice};
use crate::session::SessionTiming;
use citizen_window_protocol::services::{
    AppointmentSlot, Bill, ContributionMonth, IssueReportStatus, PaymentStatus, SocialInsuranceRecord, Utility,
};
use slint::ComponentHandle;
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

/// The pages `screenshot --page` knows.
pub const PAGES: [&str; 29] = [
    "attract",
    "home",
    "notices",
    "notice",
    "directory",
    "unavailable",
    "tickets",
    "ticket_done",
    "rating_reasons",
    "report",
    "report_place",
    "report_done",
    "reprint",
    "place_card",
    "card_reading",
    "opinions",
    "proposal",
    "vote_done",
    "bills",
    "bills_by_card",
    "bill",
    "payment",
    "paid",
    "report_lookup",
    "social_insurance",
    "appointments",
    "slots",
    "help",
    "help_answered",
];

/// The wall clock of every picture: Wednesday 2026-12-02, 09:41 in China.
const SHOWN_AT_MS: i64 = 1_796_175_660_000;

#[derive(Debug, Clone)]
pub struct Shot {
    pub page: String,
    pub language: Language,
    pub elderly: bool,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("unknown page {0:?}: choose one of {PAGES:?}")]
    UnknownPage(String),
    #[error("the headless renderer cannot start: {0}")]
    Platform(String),
    #[error("the page could not be rendered: {0}")]
    Render(String),
    #[error("the image cannot be written to {path}: {message}")]
    Write { path: String, message: String },
}

/// Makes this thread render headless with the software renderer (Slint's platform is per
/// thread); once per thread.
pub fn use_headless_renderer() -> Result<(), ScreenshotError> {
    use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
    thread_local! {
        static STARTED: std::cell::OnceCell<Result<(), String>> = const { std::cell::OnceCell::new() };
    }
    STARTED.with(|started| {
        started
            .get_or_init(|| {
                let options = TestingBackendOptions { renderer_name: Some("software".into()), ..Default::default() };
                slint::platform::set_platform(Box::new(TestingBackend::new(options))).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(ScreenshotError::Platform)
    })
}

/// A kiosk UI, headless, brought to the page of `shot`.
pub fn kiosk_on_page(content: Content, shot: &Shot) -> Result<KioskUi, ScreenshotError> {
    use_headless_renderer()?;
    kiosk_ui_on_page(content, shot)
}

/// A kiosk UI on this thread's Slint platform, whatever it is, brought to the page of `shot`.
pub fn kiosk_ui_on_page(content: Content, shot: &Shot) -> Result<KioskUi, ScreenshotError> {
    if !PAGES.contains(&shot.page.as_str()) {
        return Err(ScreenshotError::UnknownPage(shot.page.clone()));
    }
    let window = AppWindow::new().map_err(|e| ScreenshotError::Platform(e.to_string()))?;
    window.window().set_size(slint::PhysicalSize::new(shot.width, shot.height));
    let now = Instant::now();
    let clock: Clock = Rc::new(move || now);
    let first_notice = content.notices.first().map(|n| n.id.clone());
    let places: Vec<String> = content.places.iter().map(|p| p.id.clone()).collect();
    // The content's first and last windows, and its first category of problem.
    let window_of =
        |w: &crate::content::StationWindow| ServiceWindow { id: w.id, number: w.number, name: w.name.pair() };
    let first_window = content.windows.first().map(window_of);
    let last_window = content.windows.last().map(|w| (window_of(w), w.letter));
    let first_category =
        content.issue_categories.first().map(|c| IssueCategory { id: c.id.clone(), name: c.name.pair() });
    let first_proposal = content.proposals.first().map(|p| p.id.clone());
    // Every picture at the same moment, 2026-12-02 09:41 in China, so that pictures compare.
    let controller = KioskController::new(content, SessionTiming::default(), now, 0).with_wall_clock(now, SHOWN_AT_MS);
    let ui = KioskUi::new(window, controller, clock);
    // The attract screen is where a kiosk starts; every other page is reached by a session.
    if shot.page != "attract" {
        ui.update(|k, now| {
            k.touched(now);
            k.set_language(shot.language, now);
            k.set_elderly(shot.elderly, now);
            match shot.page.as_str() {
                "notices" => k.open_service(Service::Notices.id(), now),
                "notice" => {
                    k.open_service(Service::Notices.id(), now);
                    if let Some(id) = &first_notice {
                        k.open_notice(id, now);
                    }
                }
                "directory" => k.open_service(Service::Directory.id(), now),
                "help" => k.open_help(now),
                "help_answered" => {
                    k.handle_event(KioskEvent::Online(true), now);
                    k.open_help(now);
                    k.call_staff(now);
                    let call = citizen_window_protocol::help::HelpCall {
                        call_id: "hc-1".into(),
                        called_at_ms: SHOWN_AT_MS,
                        reply: Some("已收到，工作人员约 5 分钟到，请在机器旁稍候".into()),
                        answered_at_ms: Some(SHOWN_AT_MS),
                    };
                    pretend_answered(k, OnlineAnswer::Help(call), now);
                }
                "unavailable" => {
                    k.handle_event(crate::kiosk::messages::KioskEvent::Online(false), now);
                    k.open_service(Service::Bills.id(), now);
                }
                "tickets" | "ticket_done" | "rating_reasons" => k.open_service(Service::Appointments.id(), now),
                "report" | "report_place" | "report_done" => k.open_service(Service::Reports.id(), now),
                "place_card" => k.open_service(Service::Opinions.id(), now),
                "card_reading" => {
                    k.open_service(Service::Opinions.id(), now);
                    k.handle_event(KioskEvent::CardReading, now);
                }
                "opinions" | "proposal" | "vote_done" => {
                    k.identified(sample_resident(), now);
                    k.open_service(Service::Opinions.id(), now);
                    if let Some(id) = &first_proposal {
                        k.open_proposal(id, now);
                    }
                    if shot.page == "vote_done" {
                        k.choose_vote(VoteChoice::Agree.id(), now);
                        k.cast_vote(Some(0), now);
                        pretend_recorded(
                            k,
                            RecordedWhat::Vote { choice: VoteChoice::Agree, vote_code: "K7M2-9QXD".into() },
                            now,
                        );
                    }
                    if shot.page == "opinions" {
                        k.go_home(now);
                        k.open_service(Service::Opinions.id(), now);
                    }
                }
                "bills" | "bill" | "payment" | "paid" => {
                    k.open_service(Service::Bills.id(), now);
                    for digit in "330102881742".chars() {
                        k.keypad_digit(digit, now);
                    }
                    if shot.page != "bills" {
                        k.keypad_confirm(now);
                        pretend_answered(k, OnlineAnswer::Bill(samples::bill()), now);
                    }
                    if shot.page == "payment" || shot.page == "paid" {
                        k.pay_bill(now);
                        pretend_answered(k, OnlineAnswer::Order(samples::order(PaymentStatus::Pending)), now);
                    }
                    if shot.page == "paid" {
                        k.cancel_payment(now);
                        pretend_answered(k, OnlineAnswer::Order(samples::order(PaymentStatus::Paid)), now);
                        let what = RecordedWhat::Payment {
                            utility: Some(Utility::Water),
                            amount_fen: 4140,
                            order_id: "po-1".into(),
                        };
                        pretend_recorded(k, what, now);
                    }
                }
                "report_lookup" => {
                    k.open_service(Service::Reports.id(), now);
                    k.open_report_lookup(now);
                    for digit in "2611270000004217".chars() {
                        k.keypad_digit(digit, now);
                    }
                    k.keypad_confirm(now);
                    let status = IssueReportStatus {
                        tracking_number: "2611270000004217".into(),
                        status: "assigned".into(),
                        updated_at_ms: 0,
                        note: Some("王师傅今天下午三点前到 3 号楼查看漏水。".into()),
                    };
                    pretend_answered(k, OnlineAnswer::ReportStatus(status), now);
                }
                "bills_by_card" => {
                    k.identified(sample_resident(), now);
                    k.open_service(Service::Bills.id(), now);
                    let electricity = Bill {
                        account: "5102-7781-0031".into(),
                        utility: Utility::Electricity,
                        amount_fen: 11_860,
                        ..samples::bill()
                    };
                    let gas = Bill {
                        account: "6603-1120-0457".into(),
                        utility: Utility::Gas,
                        amount_fen: 6_320,
                        ..samples::bill()
                    };
                    pretend_answered(k, OnlineAnswer::Bills(vec![samples::bill(), electricity, gas]), now);
                }
                "appointments" | "slots" => {
                    k.identified(sample_resident(), now);
                    k.open_service(Service::Appointments.id(), now);
                    k.open_appointments(now);
                    if let (true, Some(window)) = (shot.page == "slots", &first_window) {
                        k.choose_appointment_window(window.id.as_str(), now);
                        let slots = (0..6)
                            .map(|i| AppointmentSlot {
                                slot_id: format!("si-20261203-{i}"),
                                window: window.id,
                                // Tomorrow of the pictures' wall clock (2026-12-02).
                                starts_at: format!("2026-12-03 {:02}:{:02}", 9 + i / 2, (i % 2) * 30),
                                free: if i == 1 { 0 } else { 4 - (i as u32 % 3) },
                            })
                            .collect();
                        pretend_answered(k, OnlineAnswer::Slots(slots), now);
                    }
                }
                "social_insurance" => {
                    k.identified(sample_resident(), now);
                    k.open_service(Service::SocialInsurance.id(), now);
                    pretend_answered(k, OnlineAnswer::SocialInsurance(sample_record()), now);
                }
                "reprint" if last_window.is_some() => {
                    // As many as the page offers, the worst case for its layout: this resident's
                    // tickets, none of which came out (the page offers no one else's).
                    let (window, letter) = last_window.clone().expect("checked");
                    let offered = (1..=crate::kiosk::REPRINT_OFFERED as u64)
                        .map(|seq| {
                            let number = format!("{letter}{seq:03}");
                            let what = RecordedWhat::Ticket { window: window.clone(), number };
                            k.open_service(Service::Appointments.id(), now);
                            k.take_ticket(window.id.as_str(), now);
                            for request in k.take_requests() {
                                let recorded = Recorded {
                                    request: request.number,
                                    seq,
                                    what: what.clone(),
                                    printing: false,
                                    copy: false,
                                };
                                k.handle_event(KioskEvent::Recorded(recorded), now);
                            }
                            // Earlier in this visit, before the pictures' 09:41.
                            Reprintable { seq, what, time: format!("09:{:02}", 34 + seq) }
                        })
                        .collect();
                    k.handle_event(KioskEvent::Reprintable(offered), now);
                    k.open_service(Service::Reprint.id(), now);
                }
                _ => {}
            }
            match shot.page.as_str() {
                "ticket_done" | "rating_reasons" if first_window.is_some() => {
                    let window = first_window.clone().expect("checked");
                    k.take_ticket(window.id.as_str(), now);
                    pretend_recorded(k, RecordedWhat::Ticket { window, number: "A017".into() }, now);
                    if shot.page == "rating_reasons" {
                        k.open_rating(now);
                        k.rate("dissatisfied", now);
                    }
                }
                "report_place" | "report_done" if first_category.is_some() => {
                    let category = first_category.clone().expect("checked");
                    k.choose_report_category(&category.id, now);
                    if shot.page == "report_done" {
                        if let Some(place) = places.first() {
                            k.choose_report_place(place, now);
                        }
                        let tracking_number = "0042018735".into();
                        pretend_recorded(k, RecordedWhat::Report { category, tracking_number }, now);
                    }
                }
                _ => {}
            }
        });
    }
    ui.window.show().map_err(|e| ScreenshotError::Platform(e.to_string()))?;
    Ok(ui)
}

/// The online desk's answer to the request just made, for a picture (no server is asked).
fn pretend_answered(k: &mut KioskController, answer: OnlineAnswer, now: Instant) {
    for request in k.take_online_requests() {
        k.handle_event(KioskEvent::Answered { request: request.number, answer: answer.clone() }, now);
    }
}

fn sample_record() -> SocialInsuranceRecord {
    let month = |m: &str, pension_fen| ContributionMonth { month: m.into(), pension_fen, medical_fen: 960 };
    SocialInsuranceRecord {
        contributions: ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
            .iter()
            .map(|m| month(m, 38_400))
            .collect(),
        pension_payments: vec![],
        subsistence_allowance: "none".into(),
    }
}

/// A synthetic resident for the pictures of the services that need a card.
fn sample_resident() -> crate::session::Resident {
    use zeroize::Zeroizing;
    crate::session::Resident {
        name: Zeroizing::new("张*".into()),
        masked_id: Zeroizing::new("3301**********0018".into()),
        handle: crate::resident_key::test_only_handle("330106199001010018"),
    }
}

/// A result page for a picture: the request answered as if the journal had recorded it and the
/// receipt had printed (no journal is written for a screenshot).
fn pretend_recorded(k: &mut KioskController, what: RecordedWhat, now: Instant) {
    for request in k.take_requests() {
        let recorded = Recorded { request: request.number, seq: 1, what: what.clone(), printing: true, copy: false };
        k.handle_event(KioskEvent::Recorded(recorded), now);
        k.handle_event(KioskEvent::ReceiptOutcome { seq: 1, printed: true }, now);
    }
}

/// Renders the current frame of `ui` to RGBA pixels.
pub fn snapshot(ui: &KioskUi) -> Result<slint::SharedPixelBuffer<slint::Rgba8Pixel>, ScreenshotError> {
    ui.window.window().take_snapshot().map_err(|e| ScreenshotError::Render(e.to_string()))
}

pub fn save_png(pixels: &slint::SharedPixelBuffer<slint::Rgba8Pixel>, path: &Path) -> Result<(), ScreenshotError> {
    let write_error = |message: String| ScreenshotError::Write { path: path.display().to_string(), message };
    let file = std::fs::File::create(path).map_err(|e| write_error(e.to_string()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), pixels.width(), pixels.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| write_error(e.to_string()))?;
    writer.write_image_data(pixels.as_bytes()).map_err(|e| write_error(e.to_string()))?;
    writer.finish().map_err(|e| write_error(e.to_string()))
}

/// `citizen-window screenshot`: one page, one language, one size, to one PNG file.
pub fn screenshot(content: Content, shot: &Shot, out: &Path) -> Result<(), ScreenshotError> {
    let ui = kiosk_on_page(content, shot)?;
    save_png(&snapshot(&ui)?, out)
}
