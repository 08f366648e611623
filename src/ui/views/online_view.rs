//! The online services' part of a screen into `OnlineAdapter`: the keypad, bills, the payment
//! QR code (drawn once per order), appointment slots, a report's status, a social-insurance record.

use super::model_rows::*;
use crate::kiosk::{OnlineProblem, OnlineView};
use crate::records::grouped;
use crate::ui::{AppWindow, BillView, MonthView, OnlineAdapter, OnlineProblemKind, SlotView, SocialInsuranceView};
use slint::{ComponentHandle, SharedString};
use std::cell::RefCell;

/// The payment QR code last drawn, by what it encodes.
pub type QrCache = RefCell<Option<(String, slint::Image)>>;

/// Copies the online services' part of a screen into `OnlineAdapter`; the payment QR code is
/// drawn once per order.
pub fn apply(window: &AppWindow, view: &OnlineView, english: bool, qr: &QrCache) {
    let online = window.global::<OnlineAdapter>();
    online.set_keypad_input(view.input.as_str().into());
    online.set_waiting(view.waiting);
    online.set_problem(match view.problem {
        None => OnlineProblemKind::None,
        Some(OnlineProblem::TooShort) => OnlineProblemKind::TooShort,
        Some(OnlineProblem::Full) => OnlineProblemKind::Full,
        Some(OnlineProblem::AlreadyBooked) => OnlineProblemKind::AlreadyBooked,
        Some(OnlineProblem::NotFound) => OnlineProblemKind::NotFound,
        Some(OnlineProblem::Unavailable) => OnlineProblemKind::Unavailable,
        Some(OnlineProblem::Mistyped) => OnlineProblemKind::Mistyped,
        Some(OnlineProblem::OtherKiosk) => OnlineProblemKind::OtherKiosk,
        Some(OnlineProblem::NotReprintable) => OnlineProblemKind::NotReprintable,
    });
    online.set_bill(view.bill.as_ref().map_or_else(BillView::default, |b| bill_view(b, english)));
    online.set_cancelling(view.cancelling);
    online.set_payment_seconds_left(view.payment_seconds_left.map_or(0, |s| s as i32));
    online.set_resident_bills(model(view.resident_bills.iter().map(|b| bill_view(b, english)).collect()));
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
    let note = view.report_status.as_ref().and_then(|r| r.note.as_deref()).map_or(String::new(), shown_note);
    online.set_report_note(note.into());
    let si = view.social_insurance.as_ref();
    online.set_social_insurance(SocialInsuranceView {
        shown: si.is_some(),
        months_not_shown: si.map_or(0, |s| s.months_not_shown as i32),
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

fn bill_view(b: &citizen_window_protocol::services::Bill, english: bool) -> BillView {
    BillView {
        account: b.account.as_str().into(),
        utility_name: utility(Some(&b.utility), english),
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

/// The office's note as the kiosk shows it: one screen's worth (200 characters, as the console
/// allows), line breaks kept and other control characters dropped.
fn shown_note(note: &str) -> String {
    note.chars().filter(|c| !c.is_control() || *c == '\n').take(200).collect()
}
