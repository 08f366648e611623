//! The demo's scripted walk, headless: the kiosk UI on the software renderer, driven by its
//! accessible labels the way a resident taps, through every service, against the running demo
//! system. Each step is printed and its screen saved as a PNG.

use super::system::DemoSystem;
use super::walker::{STEP_LIMIT, Walker};
use crate::service_manager::Notifier;
use crate::ui::AppWindow;
use crate::ui::screenshot::use_headless_renderer;
use anyhow::{Context, Result, bail};
use slint::ComponentHandle;
use std::time::{Duration, Instant};

/// Walks through every service; returns the number of transactions the server holds at the end.
pub fn headless_walk(system: &DemoSystem, say: &mut dyn FnMut(&str)) -> Result<usize> {
    use_headless_renderer()?;
    let screens = system.out.join("screens");
    std::fs::create_dir_all(&screens)?;
    let window = AppWindow::new().context("the headless renderer cannot start")?;
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let (ui, _services) = crate::run::start_kiosk(window, system.config.clone(), None, Notifier::default())?;
    ui.window.show()?;
    let mut w = Walker { ui, screens, shot: 0, say };

    w.step("attract", "attract screen: rolling notices, 请触摸屏幕开始")?;
    w.tap("请触摸屏幕开始 / Touch to start")?;
    w.step("home", "home screen: every service")?;

    w.tap("社区公告")?;
    w.tap("关于冬季供暖的通知")?;
    w.step("notice", "a notice in full (社区公告)")?;
    w.tap("首页")?;
    w.tap("服务指南")?;
    w.step("directory", "the service directory (服务指南)")?;

    w.tap("首页")?;
    w.tap("预约取号")?;
    w.tap("社保：取号")?;
    w.wait_for("出纸口")?;
    w.step("ticket", "queue ticket for the social-insurance window: journaled, then printed")?;
    w.tap("评价本次服务")?;
    w.tap("非常满意")?;
    w.wait_for("感谢")?;
    w.step(
        "rating",
        "the ticket rated 非常满意 on its result page (好差评): journaled, synced, tallied at the office",
    )?;

    w.tap("返回首页")?;
    w.tap("报事报修")?;
    w.tap("路灯照明损坏")?;
    w.tap("3 号楼")?;
    w.wait_for("出纸口")?;
    let tracking = w.ui.window.global::<crate::ui::ServiceAdapter>().get_outcome().number.replace(' ', "");
    w.step("report", &format!("problem report: broken light at building 3, tracking number {tracking}"))?;

    w.tap("返回首页")?;
    w.tap("民意征集")?;
    w.step("place-card", "the vote needs an ID card: the reader's place is shown")?;
    system.reader.control("place zhang-wei").map_err(anyhow::Error::msg)?;
    w.wait_for("小区内增设非机动车充电棚")?;
    w.tap("同意")?;
    w.tap("希望收费合理")?;
    w.wait_for("出纸口")?;
    w.step("vote", "synthetic card zhang-wei placed; voted 同意 with a comment, vote code printed")?;

    w.tap("首页")?;
    w.tap("社保查询")?;
    w.wait_for("缴费记录")?;
    w.tap("打印对账单")?;
    w.wait_for("出纸口")?;
    w.step("social-insurance", "social-insurance record from the server, statement printed")?;

    w.tap("首页")?;
    w.tap("预约取号")?;
    w.tap("法律援助：预约明天")?;
    w.wait_for("请点按选择")?;
    w.tap("09:30")?;
    w.wait_for("出纸口")?;
    w.step("appointment", "appointment tomorrow 09:30 at the legal-aid window, booked at the server")?;

    w.tap("首页")?;
    w.tap("便民缴费")?;
    // The card is still on the reader: the household's bills come first.
    w.wait_for("您家的账单如下")?;
    w.step("bills-by-card", "bill payment: the household's bills, found by the ID card on the reader")?;
    w.tap("输入其他户号")?;
    w.type_digits("330102881742")?;
    w.tap("查询")?;
    w.wait_for("应缴金额")?;
    w.step("bill", "water bill for account 3301-0288-1742, from the server")?;
    w.tap("手机扫码缴费")?;
    w.wait_for("等待付款")?;
    w.step("payment", "payment QR code: a phone on this machine can open it")?;
    let pay_url = w.ui.controller.borrow().screen(Instant::now()).online.pay_url.context("no payment order")?;
    complete_demo_payment(&system.server_url, &system.config.state_dir, &pay_url)?;
    w.wait_for("出纸口")?;
    w.step("paid", "paid on the demo payment page (确认支付); receipt printed")?;

    w.tap("返回首页")?;
    w.tap("报事报修")?;
    w.tap("查询报事进度")?;
    w.type_digits(&tracking)?;
    // The report reaches the server through the outbox uploader: ask until it is there.
    let deadline = Instant::now() + STEP_LIMIT;
    loop {
        w.tap("查询")?;
        let answer = w.wait_for_any(&["已受理", "没有找到"])?;
        if answer == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the report never reached the server: see {}", system.out.join("central.log").display());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    w.step("report-status", "report status looked up by its tracking number")?;

    // The report's receipt held to the scanner, from the home screen: its status opens.
    w.tap("首页")?;
    system.scanner.control(&format!("scan {tracking}")).map_err(anyhow::Error::msg)?;
    w.wait_for("已受理")?;
    w.step("scanned-receipt", "the report's receipt QR code scanned at the home screen: its status opens")?;

    // 帮助 → 呼叫工作人员: the office answers from its console; the answer shows on the kiosk.
    w.tap("帮助")?;
    w.tap("呼叫工作人员")?;
    w.wait_for("已呼叫工作人员")?;
    w.step("help-call", "帮助 → 呼叫工作人员: the call is on the office console's fleet page at once, with a chime")?;
    let identity = crate::sync::identity::KioskIdentity::load(&system.config.state_dir)?;
    let reply = "已收到，工作人员约 5 分钟到";
    let deadline = Instant::now() + STEP_LIMIT;
    while let Err(e) =
        super::office::answer_call(&system.console_url, &identity.ca_pem, &identity.enrolment.kiosk_id, reply)
    {
        if Instant::now() > deadline {
            return Err(e.context("the office could not answer the call from its console"));
        }
        w.ui.tick();
        std::thread::sleep(Duration::from_millis(200));
    }
    w.wait_for("工作人员约 5 分钟到")?;
    w.step(
        "help-answered",
        &format!("the office answered from its console ({reply}): shown on the kiosk's help page"),
    )?;

    w.tap("退出")?;
    system.reader.control("remove").map_err(anyhow::Error::msg)?;
    w.step("exit", "退出: the session is wiped, back to the attract screen")?;

    // The community office publishes a notice: on the screen within seconds, with no restart.
    let started = Instant::now();
    let said = system.publish_notice(
        ["停电通知：12月5日8时至12时", "Power off: 5 December, 8:00 to 12:00"],
        [
            "因线路检修，12月5日8:00至12:00，1号楼至6号楼停电，电梯停运，请提前安排。",
            "For work on the lines, buildings 1 to 6 have no power and no lifts on 5 December from 8:00 to 12:00.",
        ],
    )?;
    w.wait_for("停电通知：12月5日8时至12时")?;
    let seconds = started.elapsed().as_secs_f64();
    w.step("published", &format!("the office ran citizen-central publish ({said}): the new urgent notice is on the attract screen {seconds:.1} s later, signed, checked and applied with no restart"))?;

    // Everything recorded is on the server, exactly once.
    let deadline = Instant::now() + STEP_LIMIT;
    loop {
        let held = system.server_transactions()?.len();
        if held >= 7 || Instant::now() > deadline {
            return Ok(held);
        }
        w.ui.tick();
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a phone does on the payment page: press 确认支付 (the demo payment, no money moves).
pub fn complete_demo_payment(server_url: &str, state_dir: &std::path::Path, pay_url: &str) -> Result<()> {
    let order_id = pay_url.rsplit('/').next().context("a payment link without an order")?;
    // A phone would trust the server's certificate its own way; here, the fleet CA the kiosk has.
    let identity = crate::sync::identity::KioskIdentity::load(state_dir)?;
    let ca = identity.ca_pem;
    let client = crate::sync::server_client::fleet_http_client(&ca, None)?;
    let confirm = format!("{server_url}/pay/{order_id}/confirm");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let status = runtime.block_on(async { client.post(&confirm).send().await.map(|r| r.status()) })?;
    if !status.is_success() {
        bail!("the demo payment page answered {status}");
    }
    Ok(())
}
