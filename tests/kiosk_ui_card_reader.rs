//! Identification end to end: the simulated SAM reader on a pseudo-terminal, the reader thread,
//! the kiosk UI. A valid card of every kind the reader returns shows the welcome line with the
//! masked number; an expired card, an unreadable one and an unplugged reader each get their
//! sentence. Codes from the simulated scanner, on its own pseudo-terminal, reach the screen too.

#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::resident_key::ResidentSealer;
use citizen_window_hardware::card_reader::ReaderProtocol;
use citizen_window_hardware::serial_link::SerialPortOpener;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use citizen_window_hardware::sim::scanner::SimScanner;
use std::sync::Arc;
use ui_support::Harness;

#[test]
fn cards_on_the_reader_identify_residents_or_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("reader");
    let host = PtyHost::start(Box::new(SimSamReader::new(sample_cards_dir())), &port, 115_200).unwrap();
    let h = Harness::new(1080, 1920);
    let server = citizen_window_protocol::resident_seal::Unsealer::from_private_key(&[0x5e; 32]).unwrap();
    let local_secret = zeroize::Zeroizing::new(b"test-only kiosk secret".to_vec());
    let sealer = ResidentSealer::new(&hex::encode(server.public_key()), "test-kiosk", local_secret).unwrap();
    let opener = SerialPortOpener::new(&port, ReaderProtocol::Sam.default_baud());
    h.ui.with_runtime(|runtime| runtime.start_reader(opener, ReaderProtocol::Sam, Arc::new(sealer))).unwrap();

    // A valid card on the attract screen starts a session for its holder.
    host.control("place zhang-wei").unwrap();
    h.tick_until("the welcome line", |text| text.contains("3301**********0018"));
    assert_eq!(h.page(), "home");
    let text = h.all_text();
    assert!(!text.contains("19560312") && !text.contains("330102"), "only the masked number shows: {text}");

    // The other cards a resident ID reader returns identify their holders the same way, masked
    // the same way: a Hong Kong resident's permit, both permanent residence cards (the 2023 one
    // of a holder with no Chinese name greets by the English name).
    for (card, masked_number, name) in [
        ("chen-jiahui-hk", "8100**********0027", "陈嘉慧"),
        ("anna-schmidt-2017", "DEU3*******1521", "安娜"),
        ("yuki-tanaka-2023", "9313**********0042", "TANAKA, YUKI"),
    ] {
        h.tap("退出");
        host.control("remove").unwrap();
        host.control(&format!("place {card}")).unwrap();
        h.tick_until(card, |text| text.contains(masked_number) && text.contains(name));
        let text = h.all_text();
        assert!(!text.contains("19900101") && !text.contains("720315") && !text.contains("19850612"), "{text}");
    }

    // Exit wipes it; an expired card is refused with what to do.
    h.tap("退出");
    host.control("remove").unwrap();
    host.control("place wang-fang-expired").unwrap();
    h.tick_until("the expired-card sentence", |text| text.contains("过期") && text.contains("派出所"));
    assert!(!h.all_text().contains("欢迎您"), "an expired card identifies nobody");

    // A card that cannot be read: place it again.
    host.control("remove").unwrap();
    host.control("place-unreadable zhang-wei").unwrap();
    h.tick_until("the read-failure sentence", |text| text.contains("未能读取卡片"));

    // A reader that is gone: services without a card still work.
    host.control("unplug").unwrap();
    h.tick_until("the reader banner", |text| text.contains("读卡器暂时无法使用"));
}

#[test]
fn codes_from_the_scanner_reach_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("scanner");
    let host = PtyHost::start(Box::<SimScanner>::default(), &port, 9600).unwrap();
    let h = Harness::new(1080, 1920);
    h.ui.with_runtime(|runtime| runtime.start_scanner(SerialPortOpener::new(&port, 9600))).unwrap();

    // Something the kiosk does not read: it says what it does read.
    host.control("scan https://example.com/coupon").unwrap();
    h.tick_until("the unrecognised-code banner", |text| text.contains("本机不识别这个码") && text.contains("条形码"));
    host.control("garble").unwrap();
    h.tick_until("the unreadable-code banner", |text| text.contains("未能识别"));

    // A bill's barcode opens bill payment with the account filled in.
    host.control("scan 3301-0288-1742").unwrap();
    h.tick_until("the bill page with the account", |text| text.contains("3301-0288-1742"));
    assert_eq!(h.page(), "bills");
}
