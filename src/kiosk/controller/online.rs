//! The online services' rules: a bill looked up by account number (its payment is in
//! `payments`), a report's status by tracking number, the resident's bills and social-insurance
//! record, appointments; and every answer the server gives.
//! Requests go out as numbered [`OnlineRequest`]s; answers come back through `answered`.

use super::super::screen::*;
use super::KioskController;
use crate::kiosk::messages::ServiceAsk;
use crate::kiosk::messages::{OnlineAnswer, OnlineAsk, OnlineRequest};
use crate::records::ACCOUNT_DIGITS;
use citizen_window_protocol::services::{Bill, PaymentOrder, PaymentStatus, SocialInsuranceRecord};
use std::time::Instant;
/// The most digits typed for a receipt number (a report's tracking number is one): the kiosk's
/// four, a sequence of up to ten, the two check digits.
pub const RECEIPT_NUMBER_TYPED_AT_MOST: usize = 16;
/// The state of the online services for the session on screen.
#[derive(Debug, Default)]
pub(super) struct OnlineFlows {
    /// Digits typed on the keypad.
    pub input: String,
    /// The request whose answer the screen waits for.
    pub awaiting: Option<u64>,
    pub problem: Option<OnlineProblem>,
    pub bill: Option<Bill>,
    pub order: Option<PaymentOrder>,
    pub waiting_since: Option<Instant>,
    pub last_check: Option<Instant>,
    pub status_check: Option<u64>,
    pub cancelling: bool,
    pub report_status: Option<ReportStatusRow>,
    /// The identified resident's social-insurance record, while it shows.
    pub social_record: Option<SocialInsuranceRecord>,
    pub slots: Vec<SlotRow>,
    /// The identified resident's bills, to choose from.
    pub resident_bills: Vec<Bill>,
    /// On the reprint page: the keypad asked for, over this visit's receipts.
    pub typing_receipt_number: bool,
    /// A receipt's number scanned and asked of the server as a report: if it is none, its
    /// receipt is reprinted instead.
    pub scanned_receipt: Option<String>,
}

impl KioskController {
    pub(super) fn online_request(&mut self, ask: OnlineAsk) -> u64 {
        let number = self.request_numbers.next();
        self.online_requests.push(OnlineRequest { number, ask });
        number
    }

    /// One key per resident's tap: every retry of the request reuses it.
    pub(super) fn idempotency_key(&mut self) -> String {
        citizen_window_protocol::new_idempotency_key(self.random.u128(..))
    }

    /// The online requests made since the last call, for the online desk.
    pub fn take_online_requests(&mut self) -> Vec<OnlineRequest> {
        std::mem::take(&mut self.online_requests)
    }

    /// Opens an online service's first page, fresh.
    pub(super) fn open_online(&mut self, page: Page) {
        self.flows = OnlineFlows::default();
        if let Some(resident) = self.session.resident() {
            let resident = resident.handle.clone();
            // A card on the reader stands for the resident: their record, or their bills.
            let ask = match page {
                Page::SocialInsurance => Some(OnlineAsk::SocialInsurance { resident }),
                Page::Bills => Some(OnlineAsk::BillsOf { resident }),
                _ => None,
            };
            if let Some(ask) = ask {
                self.flows.awaiting = Some(self.online_request(ask));
            }
        }
        self.page = page;
    }

    /// 用身份证查询: the bills of the resident whose card is on the reader (asks for the card first).
    pub fn bills_by_card(&mut self, now: Instant) {
        self.touched(now);
        if self.page == Page::Bills {
            self.open_with_card(crate::content::Service::Bills, Page::Bills);
        }
    }

    /// Opens `page` for the identified resident, or asks for the card first; once the card is
    /// read, `identified` opens the page of `service`.
    pub(super) fn open_with_card(&mut self, service: crate::content::Service, page: Page) {
        if self.session.resident().is_none() {
            self.page = Page::PlaceCard(service);
        } else {
            self.open_online(page);
        }
    }

    /// Back from the resident's bills to the keypad, for another account.
    pub fn type_account(&mut self, now: Instant) {
        self.touched(now);
        if self.page == Page::Bills {
            self.flows.resident_bills.clear();
            self.flows.problem = None;
        }
    }

    /// One of the resident's bills, chosen from the list.
    pub fn choose_bill(&mut self, account: &str, now: Instant) {
        self.touched(now);
        let Some(bill) = self.flows.resident_bills.iter().find(|b| b.account == account).cloned() else { return };
        if self.page == Page::Bills && self.flows.awaiting.is_none() {
            self.flows.bill = Some(bill);
            self.page = Page::Bill;
        }
    }

    /// A digit on the keypad (bills, report lookup, reprint by number).
    pub fn keypad_digit(&mut self, digit: char, now: Instant) {
        self.touched(now);
        let limit = match self.page {
            Page::Bills => ACCOUNT_DIGITS,
            Page::ReportLookup | Page::Reprint => RECEIPT_NUMBER_TYPED_AT_MOST,
            _ => return,
        };
        if digit.is_ascii_digit() && self.flows.input.len() < limit {
            self.flows.input.push(digit);
            self.flows.problem = None;
        }
    }

    pub fn keypad_delete(&mut self, now: Instant) {
        self.touched(now);
        self.flows.input.pop();
        self.flows.problem = None;
    }

    /// 打印对账单: the social-insurance record on screen, printed for the resident.
    pub fn print_statement(&mut self, now: Instant) {
        self.touched(now);
        let (Page::SocialInsurance, Some(record), Some(_)) =
            (&self.page, self.flows.social_record.clone(), self.session.resident())
        else {
            return;
        };
        let holder = self.session.resident().map(crate::session::Resident::masked_holder);
        self.request(ServiceAsk::Statement { record, holder });
    }

    /// The keypad's confirm: look up the bill or the report typed, or reprint the receipt.
    pub fn keypad_confirm(&mut self, now: Instant) {
        self.touched(now);
        let digits = self.flows.input.clone();
        self.flows.problem = None;
        self.flows.scanned_receipt = None;
        match self.page {
            Page::Bills if digits.len() == ACCOUNT_DIGITS => {
                let account = format!("{}-{}-{}", &digits[..4], &digits[4..8], &digits[8..]);
                self.flows.awaiting = Some(self.online_request(OnlineAsk::Bill { account }));
            }
            Page::ReportLookup if crate::records::looks_like_a_receipt_number(&digits) => {
                self.flows.report_status = None;
                self.flows.awaiting = Some(self.online_request(OnlineAsk::ReportStatus { tracking_number: digits }));
            }
            Page::Reprint if crate::records::looks_like_a_receipt_number(&digits) => {
                self.request(ServiceAsk::ReprintByNumber { typed: digits });
            }
            Page::Bills | Page::ReportLookup | Page::Reprint => self.flows.problem = Some(OnlineProblem::TooShort),
            _ => {}
        }
    }

    /// From the queue-ticket page: book a time tomorrow instead (needs the ID card).
    pub fn open_appointments(&mut self, now: Instant) {
        self.touched(now);
        if self.page == Page::Tickets {
            self.open_with_card(crate::content::Service::Appointments, Page::Appointments);
        }
    }

    /// From the queue-ticket page, in one tap: book a time tomorrow at this window. The card is
    /// asked for first if no resident is identified; the window's times open once it is read.
    pub fn book_at_window(&mut self, window_id: &str, now: Instant) {
        self.touched(now);
        let (Page::Tickets, Some(window)) = (&self.page, self.content.window(window_id).map(|w| w.id)) else { return };
        if self.session.resident().is_none() {
            self.card_then_window = Some(window);
            self.page = Page::PlaceCard(crate::content::Service::Appointments);
        } else {
            self.open_online(Page::Slots(window));
            self.ask_slots(window);
        }
    }

    /// The window chosen: its times tomorrow are asked for.
    pub fn choose_appointment_window(&mut self, window_id: &str, now: Instant) {
        self.touched(now);
        let (Page::Appointments, Some(window)) = (&self.page, self.content.window(window_id).map(|w| w.id)) else {
            return;
        };
        self.page = Page::Slots(window);
        self.ask_slots(window);
    }

    pub(super) fn ask_slots(&mut self, window: crate::records::WindowId) {
        self.flows.slots.clear();
        let ask = OnlineAsk::Slots { window };
        self.flows.awaiting = Some(self.online_request(ask));
    }

    /// A time chosen: it is booked for the identified resident, then recorded and printed.
    pub fn book_slot(&mut self, slot_id: &str, now: Instant) {
        self.touched(now);
        let (Page::Slots(_), Some(resident)) = (&self.page, self.session.resident()) else { return };
        if self.flows.awaiting.is_some() || !self.flows.slots.iter().any(|s| s.slot_id == slot_id && s.free > 0) {
            return;
        }
        let resident = resident.handle.clone();
        let idempotency_key = self.idempotency_key();
        let ask = OnlineAsk::Book { slot_id: slot_id.to_string(), resident, idempotency_key };
        self.flows.problem = None;
        self.flows.awaiting = Some(self.online_request(ask));
    }

    /// From the report page: look up an earlier report by its tracking number.
    pub fn open_report_lookup(&mut self, now: Instant) {
        self.touched(now);
        if self.page == Page::Report {
            self.open_online(Page::ReportLookup);
        }
    }

    /// The session ends: an order still open is cancelled (and recorded if it was paid).
    pub(super) fn end_online(&mut self) {
        self.send_cancel();
        self.flows = OnlineFlows::default();
    }

    /// An answer from the server. A paid order is recorded whoever is at the screen; everything
    /// else is shown only if it answers what the screen waits for.
    pub(super) fn answered(&mut self, request: u64, answer: OnlineAnswer, now: Instant) {
        if self.help_answered(request, &answer, now) {
            return;
        }
        match &answer {
            OnlineAnswer::Order(order) if order.status != PaymentStatus::Pending => self.order_news(order),
            _ => self.cancel_unanswered(request, &answer, now),
        }
        if self.flows.status_check == Some(request) {
            self.flows.status_check = None;
        }
        if self.flows.awaiting != Some(request) {
            return;
        }
        self.flows.awaiting = None;
        match answer {
            OnlineAnswer::Bill(bill) => {
                self.flows.bill = Some(bill);
                self.page = Page::Bill;
            }
            OnlineAnswer::Order(order) => {
                if order.status == PaymentStatus::Pending && !self.flows.cancelling {
                    if let Some(bill) = self.flows.bill.clone() {
                        self.order_bills.insert(order.order_id.clone(), bill);
                    }
                    self.flows.order = Some(order);
                    self.flows.waiting_since = Some(now);
                    self.page = Page::Payment;
                }
            }
            OnlineAnswer::ReportStatus(status) => {
                self.flows.report_status = Some(ReportStatusRow {
                    tracking_number: status.tracking_number,
                    status: status.status,
                    note: status.note,
                });
            }
            OnlineAnswer::SocialInsurance(record) => {
                self.flows.social_record = Some(record);
            }
            OnlineAnswer::Bills(bills) => {
                if bills.is_empty() {
                    self.flows.problem = Some(OnlineProblem::NotFound);
                }
                self.flows.resident_bills = bills;
            }
            OnlineAnswer::Slots(slots) => {
                self.flows.slots = slots
                    .into_iter()
                    .map(|s| SlotRow { slot_id: s.slot_id, starts_at: s.starts_at, free: s.free })
                    .collect();
            }
            OnlineAnswer::Appointment(booked) => {
                let Some(resident) = self.session.resident() else { return };
                let holder = Some(resident.masked_holder());
                let id = booked.slot.window;
                // A window the content no longer lists is still recorded, named by its id.
                let window = self.service_window(id.as_str()).map(|(window, _)| window).unwrap_or_else(|| {
                    let name = id.as_str().to_string();
                    crate::records::ServiceWindow { id, number: 0, name: (name.clone(), name) }
                });
                let (appointment_id, starts_at) = (booked.appointment_id, booked.slot.starts_at);
                self.request(ServiceAsk::Appointment { appointment_id, window, starts_at, holder });
            }
            OnlineAnswer::Refused => {
                self.flows.problem = Some(OnlineProblem::Full);
                // The slots changed: show them again as they are now.
                if let Page::Slots(window) = self.page {
                    self.ask_slots(window);
                }
            }
            OnlineAnswer::AlreadyBooked => self.flows.problem = Some(OnlineProblem::AlreadyBooked),
            // Taken by the help page's call above.
            OnlineAnswer::Help(_) => {}
            OnlineAnswer::NotFound | OnlineAnswer::Unavailable if self.flows.scanned_receipt.is_some() => {
                let number = self.flows.scanned_receipt.take().unwrap_or_default();
                self.reprint_scanned(number, now);
            }
            OnlineAnswer::NotFound => self.flows.problem = Some(OnlineProblem::NotFound),
            OnlineAnswer::Unavailable => {
                self.flows.problem = Some(OnlineProblem::Unavailable);
                self.flows.cancelling = false;
            }
        }
    }
}
