//! The demo on a display: the kiosk UI in its window, and the demo panel in another, to place a
//! test card, complete a payment as a phone would, or take the printer's paper away.

use super::system::DemoSystem;
use super::walk::complete_demo_payment;
use crate::kiosk::KioskController;
use crate::runtime::KioskRuntime;
use crate::ui::{AppWindow, Clock, DemoPanel, KioskUi};
use anyhow::{Context, Result};
use slint::ComponentHandle;
use std::rc::Rc;
use std::time::Instant;

pub fn windowed_demo(system: &DemoSystem) -> Result<()> {
    let window = AppWindow::new().context("the kiosk window cannot open")?;
    // The tested upright layout, scaled whole by SLINT_SCALE_FACTOR (src/main.rs sets
    // WINDOW_SCALE unless the environment chose another).
    window.window().set_size(slint::LogicalSize::new(1080.0, 1920.0));
    let (content, store) = crate::runtime::startup_content(&system.config)?;
    let heading = crate::kiosk::service_policy::receipt_heading(&content.station);
    let clock: Clock = Rc::new(Instant::now);
    let ui = Rc::new(KioskUi::new(
        window,
        KioskController::new(content, system.config.session, Instant::now(), fastrand::u64(..))
            .with_bilingual_receipts(system.config.receipts_bilingual)
            .with_wall_clock(Instant::now(), citizen_window_protocol::china_time::unix_now_ms()),
        clock,
    ));
    ui.attach(KioskRuntime::start(&system.config, heading, store)?);

    let panel = DemoPanel::new().context("the demo panel cannot open")?;
    let weak = panel.as_weak();
    let say = move |text: String| {
        println!("• {text}");
        if let Some(panel) = weak.upgrade() {
            panel.set_status(text.into());
        }
    };
    let say = Rc::new(say);
    let reader = system.reader.controller();
    panel.on_place_card({
        let (reader, say) = (reader.clone(), say.clone());
        move |card| match reader.control(&format!("place {card}")) {
            Ok(_) => say(format!("card {card} placed on the reader")),
            Err(e) => say(format!("the reader did not take it: {e}")),
        }
    });
    panel.on_remove_card({
        let (reader, say) = (reader.clone(), say.clone());
        move || match reader.control("remove") {
            Ok(_) => say("card removed".into()),
            Err(e) => say(format!("the reader did not take it: {e}")),
        }
    });
    let printer = system.printer.controller();
    panel.on_paper({
        let say = say.clone();
        move |loaded| match printer.control(if loaded { "paper ok" } else { "paper out" }) {
            Ok(_) => say(if loaded { "paper loaded".into() } else { "the printer is out of paper".into() }),
            Err(e) => say(format!("the printer did not take it: {e}")),
        }
    });
    let (server_url, state_dir) = (system.server_url.clone(), system.config.state_dir.clone());
    panel.on_complete_payment({
        let (ui, say) = (ui.clone(), say.clone());
        move || {
            let pay_url = ui.controller.borrow().screen(Instant::now()).online.pay_url;
            match pay_url {
                None => say("no payment code shows: start a bill payment first".into()),
                Some(url) => match complete_demo_payment(&server_url, &state_dir, &url) {
                    Ok(()) => say("paid on the demo payment page (确认支付)".into()),
                    Err(e) => say(format!("the payment failed: {e:#}")),
                },
            }
        }
    });
    panel.show()?;
    say(format!("the kiosk is in its window; receipts print into {}", system.receipts.display()));
    ui.window.run().context("the kiosk window stopped with an error")
}
