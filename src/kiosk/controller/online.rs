//! The online services' rules: a bill looked up by account number and paid by QR code (with its
//! status checked while the resident waits, a cancel button, and a cancel sent for them if they
//! walk away, sent again until the server answers it), a report's status by tracking number, and
//! the resident's social-insurance record.
//! Requests go out as numbered [`OnlineRequest`]s; answers come back through `answered`.

use super::super::screen::*;
use super::KioskController;
use crate::devices::ServiceAsk;
use crate::sync::online_desk::{OnlineAnswer, OnlineAsk, OnlineRequest};
use citizen_window_protocol::services::{Bill, PaymentOrder, PaymentStatus, SocialInsuranceRecord};
use std::time::{Duration, Instant};

/// Digits in a bill account number ("3301-0288-1742") and in a report's tracking number.
pub const ACCOUNT_DIGITS: usize = 12;
pub const TRACKING_DIGITS: usize = crate::records::TRACKING_NUMBER_DIGITS;
/// How often a payment's status is asked while the QR code shows.
pub const PAYMENT_CHECK_INTERVAL: Duration = Duration::from_secs(2);
/// A QR code left unpaid this long is cancelled for the resident.
pub const PAYMENT_WAIT_LIMIT: Duration = Duration::from_secs(180);

/// A cancel sent again after this long at first, then twice as long each time, up to
/// [`CANCEL_RETRY_CAP`], at a random moment within that (full jitter, as the uploader does).
pub const CANCEL_RETRY_BASE: Duration = Duration::from_secs(5);
pub const CANCEL_RETRY_CAP: Duration = Duration::from_secs(300);

/// A cancel the server has not answered (it was unreachable, or the answer was lost). The order
/// may still be open there, so a photographed code could still be paid: the cancel goes again,
/// whoever is at the screen, until the server says how the order ended. A payment made meanwhile
/// is then recorded and printed like any other.
#[derive(Debug)]
pub(super) struct UnsettledCancel {
    order_id: String,
    /// The cancel request in flight, if one is.
    in_flight: Option<u64>,
    /// When to send it again, once the last one failed.
    next_try: Option<Instant>,
    failures: u32,
}

/// How long to wait before sending a cancel again after `failures` failed ones.
fn cancel_retry_delay(failures: u32) -> Duration {
    let ceiling =
        CANCEL_RETRY_BASE.saturating_mul(2u32.saturating_pow(failures.saturating_sub(1))).min(CANCEL_RETRY_CAP);
    Duration::from_millis(fastrand::u64(0..=ceiling.as_millis() as u64))
}

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
}

impl KioskController {
    fn online_request(&mut self, ask: OnlineAsk) -> u64 {
        self.last_request += 1;
        self.online_requests.push(OnlineRequest { number: self.last_request, ask });
        self.last_request
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
    fn open_with_card(&mut self, service: crate::content::Service, page: Page) {
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

    /// A digit on the keypad (bills, report lookup).
    pub fn keypad_digit(&mut self, digit: char, now: Instant) {
        self.touched(now);
        let limit = match self.page {
            Page::Bills => ACCOUNT_DIGITS,
            Page::ReportLookup => TRACKING_DIGITS,
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
        self.request(ServiceAsk::Statement { record });
    }

    /// The keypad's confirm: look up the bill or the report typed.
    pub fn keypad_confirm(&mut self, now: Instant) {
        self.touched(now);
        let digits = self.flows.input.clone();
        self.flows.problem = None;
        match self.page {
            Page::Bills if digits.len() == ACCOUNT_DIGITS => {
                let account = format!("{}-{}-{}", &digits[..4], &digits[4..8], &digits[8..]);
                self.flows.awaiting = Some(self.online_request(OnlineAsk::Bill { account }));
            }
            Page::ReportLookup if digits.len() == TRACKING_DIGITS => {
                self.flows.report_status = None;
                self.flows.awaiting = Some(self.online_request(OnlineAsk::ReportStatus { tracking_number: digits }));
            }
            Page::Bills | Page::ReportLookup => self.flows.problem = Some(OnlineProblem::TooShort),
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

    /// The window chosen: its times tomorrow are asked for.
    pub fn choose_appointment_window(&mut self, window_id: &str, now: Instant) {
        self.touched(now);
        let (Page::Appointments, Some(window)) = (&self.page, crate::records::Window::from_id(window_id)) else {
            return;
        };
        self.page = Page::Slots(window);
        self.ask_slots(window);
    }

    fn ask_slots(&mut self, window: crate::records::Window) {
        self.flows.slots.clear();
        let ask = OnlineAsk::Slots { window: window.printed_name().0.to_string() };
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
        let idempotency_key = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
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

    /// Pay the bill on screen: the server makes a payment order whose QR code the phone pays.
    pub fn pay_bill(&mut self, now: Instant) {
        self.touched(now);
        let Some(bill) = self.flows.bill.clone().filter(|_| self.page == Page::Bill && self.flows.awaiting.is_none())
        else {
            return;
        };
        // One key per tap: a retry of this request can never make a second order.
        let idempotency_key = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let ask =
            OnlineAsk::CreatePayment { account: bill.account.clone(), amount_fen: bill.amount_fen, idempotency_key };
        self.flows.awaiting = Some(self.online_request(ask));
    }

    /// 取消: the order is cancelled at the server, so the code can no longer be paid. If it was
    /// paid a moment before, the server says so and the receipt prints.
    pub fn cancel_payment(&mut self, now: Instant) {
        self.touched(now);
        self.send_cancel();
    }

    fn send_cancel(&mut self) {
        let Some(order) = self.flows.order.as_ref().filter(|o| o.status == PaymentStatus::Pending) else { return };
        let order_id = order.order_id.clone();
        self.flows.cancelling = true;
        let request = self.cancel_request(order_id);
        self.flows.awaiting = Some(request);
    }

    /// Sends a cancel for `order_id` and keeps it unsettled until the server answers it.
    fn cancel_request(&mut self, order_id: String) -> u64 {
        let request = self.online_request(OnlineAsk::CancelPayment { order_id: order_id.clone() });
        match self.unsettled_cancels.iter_mut().find(|c| c.order_id == order_id) {
            Some(unsettled) => (unsettled.in_flight, unsettled.next_try) = (Some(request), None),
            None => self.unsettled_cancels.push(UnsettledCancel {
                order_id,
                in_flight: Some(request),
                next_try: None,
                failures: 0,
            }),
        }
        request
    }

    /// Sends again the unanswered cancels that are due, while the server is reachable.
    fn retry_cancels(&mut self, now: Instant) {
        if !self.online {
            return;
        }
        let due: Vec<String> = self
            .unsettled_cancels
            .iter()
            .filter(|c| c.in_flight.is_none() && c.next_try.is_some_and(|at| now >= at))
            .map(|c| c.order_id.clone())
            .collect();
        for order_id in due {
            self.cancel_request(order_id);
        }
    }

    /// A cancel's request came back without the order's end: try again later. Its end, when it
    /// comes (from this or any request), settles it in `order_news`.
    fn cancel_unanswered(&mut self, request: u64, answer: &OnlineAnswer, now: Instant) {
        let Some(index) = self.unsettled_cancels.iter().position(|c| c.in_flight == Some(request)) else { return };
        if matches!(answer, OnlineAnswer::NotFound) {
            // The server does not know the order: nothing can be paid, nothing to cancel.
            let gone = self.unsettled_cancels.remove(index);
            self.order_bills.remove(&gone.order_id);
            return;
        }
        let unsettled = &mut self.unsettled_cancels[index];
        unsettled.in_flight = None;
        unsettled.failures += 1;
        unsettled.next_try = Some(now + cancel_retry_delay(unsettled.failures));
    }

    /// While the QR code shows: ask for the payment's status every few seconds, and cancel an
    /// order left unpaid too long.
    pub(super) fn tick_online(&mut self, now: Instant) {
        self.retry_cancels(now);
        if self.page != Page::Payment || self.flows.cancelling {
            return;
        }
        let Some(order) = self.flows.order.clone().filter(|o| o.status == PaymentStatus::Pending) else { return };
        if self.flows.waiting_since.is_some_and(|since| now.saturating_duration_since(since) >= PAYMENT_WAIT_LIMIT) {
            self.send_cancel();
            return;
        }
        let due =
            self.flows.last_check.is_none_or(|last| now.saturating_duration_since(last) >= PAYMENT_CHECK_INTERVAL);
        if self.flows.status_check.is_none() && due {
            self.flows.last_check = Some(now);
            let order_id = order.order_id;
            self.flows.status_check = Some(self.online_request(OnlineAsk::PaymentStatus { order_id }));
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
                self.flows.report_status =
                    Some(ReportStatusRow { tracking_number: status.tracking_number, status: status.status });
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
                if self.session.resident().is_none() {
                    return;
                }
                let Some(window) = crate::records::Window::from_server_name(&booked.slot.window) else {
                    tracing::error!(window = %booked.slot.window, "the server booked a window this kiosk does not know");
                    self.flows.problem = Some(OnlineProblem::Unavailable);
                    return;
                };
                let ask = ServiceAsk::Appointment {
                    appointment_id: booked.appointment_id,
                    window,
                    starts_at: booked.slot.starts_at,
                };
                self.request(ask);
            }
            OnlineAnswer::Refused => {
                self.flows.problem = Some(OnlineProblem::Full);
                // The slots changed: show them again as they are now.
                if let Page::Slots(window) = self.page {
                    self.ask_slots(window);
                }
            }
            OnlineAnswer::AlreadyBooked => self.flows.problem = Some(OnlineProblem::AlreadyBooked),
            OnlineAnswer::NotFound => self.flows.problem = Some(OnlineProblem::NotFound),
            OnlineAnswer::Unavailable => {
                self.flows.problem = Some(OnlineProblem::Unavailable);
                self.flows.cancelling = false;
            }
        }
    }

    /// What the server says of an order, from any request: paid is recorded (once per order)
    /// and printed; closed unpaid ends the wait on screen.
    fn order_news(&mut self, order: &PaymentOrder) {
        self.unsettled_cancels.retain(|c| c.order_id != order.order_id);
        let shown =
            self.page == Page::Payment && self.flows.order.as_ref().is_some_and(|o| o.order_id == order.order_id);
        match order.status {
            PaymentStatus::Pending => {}
            PaymentStatus::Paid => {
                // Each order this kiosk made is recorded at the first "paid" heard, then forgotten:
                // a later "paid" for it finds nothing (and the journal's once-key would refuse it).
                let Some(bill) = self.order_bills.remove(&order.order_id) else { return };
                let ask = ServiceAsk::BillPaid {
                    order_id: order.order_id.clone(),
                    account: order.account.clone(),
                    utility: Some(bill.utility),
                    period: Some(bill.period),
                    amount_fen: order.amount_fen,
                };
                if shown {
                    self.flows = OnlineFlows::default();
                    self.request(ask);
                } else {
                    self.request_unseen(ask);
                }
            }
            PaymentStatus::Cancelled | PaymentStatus::Expired => {
                self.order_bills.remove(&order.order_id);
                if shown {
                    let expired = order.status == PaymentStatus::Expired;
                    self.flows = OnlineFlows::default();
                    self.show_outcome(if expired {
                        ServiceOutcome::PaymentExpired
                    } else {
                        ServiceOutcome::PaymentCancelled
                    });
                }
            }
        }
    }
}
