//! The UI's callbacks, bound to the controller: each is one controller call followed by one
//! refresh (`adapter::Binding::run`).

use super::adapter::KioskUi;
use crate::content::Language;
use crate::kiosk::KioskController;
use crate::ui::{AppAdapter, ContentAdapter, OnlineAdapter, ServiceAdapter};
use slint::{ComponentHandle, SharedString};
use std::rc::Rc;
use std::time::Instant;

impl KioskUi {
    pub(super) fn connect(&self) {
        let app = self.window.global::<AppAdapter>();
        app.on_touched(self.handler(|k, (), now| k.touched(now)).unit());
        app.on_go_home(self.handler(|k, (), now| k.go_home(now)).unit());
        app.on_go_back(self.handler(|k, (), now| k.go_back(now)).unit());
        app.on_open_help(self.handler(|k, (), now| k.open_help(now)).unit());
        app.on_call_staff(self.handler(|k, (), now| k.call_staff(now)).unit());
        app.on_exit(self.handler(|k, (), now| k.exit(now)).unit());
        app.on_open_service(self.handler(|k, service: SharedString, now| k.open_service(&service, now)).call());
        app.on_set_english(
            self.handler(|k, english: bool, now| {
                k.set_language(if english { Language::En } else { Language::Zh }, now)
            })
            .call(),
        );
        app.on_set_elderly(self.handler(|k, elderly: bool, now| k.set_elderly(elderly, now)).call());
        app.on_set_voice(self.handler(|k, on: bool, now| k.set_voice(on, now)).call());
        let content = self.window.global::<ContentAdapter>();
        content.on_print_notice(self.handler(|k, (), now| k.print_notice(now)).unit());
        content.on_print_entry(self.handler(|k, id: SharedString, now| k.print_directory_entry(&id, now)).call());
        content.on_open_notice(self.handler(|k, id: SharedString, now| k.open_notice(&id, now)).call());
        content.on_notice_part_changed(
            self.handler(|k, part: i32, now| k.set_notice_part(part.max(0) as usize, now)).call(),
        );
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
        online.on_book_at_window(self.handler(|k, id: SharedString, now| k.book_at_window(&id, now)).call());
        online.on_book_slot(self.handler(|k, id: SharedString, now| k.book_slot(&id, now)).call());
        online.on_print_statement(self.handler(|k, (), now| k.print_statement(now)).unit());
        services.on_reprint(self.handler(|k, seq: i32, now| k.reprint(seq.max(0) as u64, now)).call());
        services.on_type_receipt_number(self.handler(|k, (), now| k.type_receipt_number(now)).unit());
        services.on_open_rating(self.handler(|k, (), now| k.open_rating(now)).unit());
        services.on_close_rating(self.handler(|k, (), now| k.close_rating(now)).unit());
        services.on_rate(self.handler(|k, id: SharedString, now| k.rate(&id, now)).call());
        services.on_rate_reason(self.handler(|k, id: SharedString, now| k.rate_reason(&id, now)).call());
        services.on_rate_without_reason(self.handler(|k, (), now| k.rate_without_reason(now)).unit());
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
