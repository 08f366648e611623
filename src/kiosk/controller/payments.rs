//! Paying a bill by QR code: the order made at the server, its status checked while the
//! resident waits, a cancel button, and a cancel sent for them if they walk away, sent again
//! (with backoff and jitter) until the server says how the order ended.

use super::KioskController;
use super::online::OnlineFlows;
use crate::kiosk::messages::{OnlineAnswer, OnlineAsk, ServiceAsk};
use crate::kiosk::screen::*;
use citizen_window_hardware::backoff::ReconnectBackoff;
use citizen_window_protocol::services::{PaymentOrder, PaymentStatus};
use std::time::{Duration, Instant};

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
    pub(super) order_id: String,
    /// The cancel request in flight, if one is.
    in_flight: Option<u64>,
    /// When to send it again, once the last one failed.
    next_try: Option<Instant>,
    backoff: ReconnectBackoff,
}

impl KioskController {
    /// Pay the bill on screen: the server makes a payment order whose QR code the phone pays.
    pub fn pay_bill(&mut self, now: Instant) {
        self.touched(now);
        let Some(bill) = self.flows.bill.clone().filter(|_| self.page == Page::Bill && self.flows.awaiting.is_none())
        else {
            return;
        };
        // One key per tap: a retry of this request can never make a second order.
        let idempotency_key = self.idempotency_key();
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

    pub(super) fn send_cancel(&mut self) {
        let Some(order) = self.flows.order.as_ref().filter(|o| o.status == PaymentStatus::Pending) else { return };
        let order_id = order.order_id.clone();
        self.flows.cancelling = true;
        let request = self.cancel_request(order_id);
        self.flows.awaiting = Some(request);
    }

    /// Sends a cancel for `order_id` and keeps it unsettled until the server answers it.
    pub(super) fn cancel_request(&mut self, order_id: String) -> u64 {
        let request = self.online_request(OnlineAsk::CancelPayment { order_id: order_id.clone() });
        match self.unsettled_cancels.iter_mut().find(|c| c.order_id == order_id) {
            Some(unsettled) => (unsettled.in_flight, unsettled.next_try) = (Some(request), None),
            None => self.unsettled_cancels.push(UnsettledCancel {
                order_id,
                in_flight: Some(request),
                next_try: None,
                backoff: ReconnectBackoff::new(CANCEL_RETRY_BASE, CANCEL_RETRY_CAP),
            }),
        }
        request
    }

    /// Sends again the unanswered cancels that are due, while the server is reachable.
    pub(super) fn retry_cancels(&mut self, now: Instant) {
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
    pub(super) fn cancel_unanswered(&mut self, request: u64, answer: &OnlineAnswer, now: Instant) {
        let Some(index) = self.unsettled_cancels.iter().position(|c| c.in_flight == Some(request)) else { return };
        if matches!(answer, OnlineAnswer::NotFound) {
            // The server does not know the order: nothing can be paid, nothing to cancel.
            let gone = self.unsettled_cancels.remove(index);
            self.order_bills.remove(&gone.order_id);
            return;
        }
        let unsettled = &mut self.unsettled_cancels[index];
        unsettled.in_flight = None;
        let delay = unsettled.backoff.record_failure(now, self.random.f64());
        unsettled.next_try = Some(now + delay);
    }

    /// How much longer the payment code on screen can be paid, while one shows.
    pub(super) fn payment_time_left(&self, now: Instant) -> Option<Duration> {
        let pending = self.flows.order.as_ref().is_some_and(|o| o.status == PaymentStatus::Pending);
        let since = self.flows.waiting_since.filter(|_| pending && self.page == Page::Payment)?;
        Some(PAYMENT_WAIT_LIMIT.saturating_sub(now.saturating_duration_since(since))).filter(|left| !left.is_zero())
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

    /// What the server says of an order, from any request: paid is recorded (once per order)
    /// and printed; closed unpaid ends the wait on screen.
    pub(super) fn order_news(&mut self, order: &PaymentOrder) {
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
                    holder: Some(bill.holder),
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
