//! The printer test page: Chinese and English text, every size, bold, alignment, a QR code and a
//! cut, so that one glance shows whether the printer, its font and its cutter work.

use citizen_window_hardware::escpos::{Receipt, TextSize, TextStyle};

pub fn test_page(profile_name: &str, columns: usize) -> Receipt {
    Receipt::new()
        .title("打印测试")
        .text("Printer test page", TextStyle::default().centred().bold())
        .text(format!("型号 Profile: {profile_name}"), TextStyle::default().centred())
        .separator()
        .line("中文: 市民之窗 社区服务站 便民服务大厅")
        .line("English: Citizen Window self-service kiosk")
        .text("粗体 Bold", TextStyle::default().bold())
        .text("倍高 Tall", TextStyle::default().sized(TextSize::TALL))
        .text("倍宽倍高 Double", TextStyle::default().sized(TextSize::DOUBLE))
        .text("居中 Centre", TextStyle::default().centred())
        .text(
            "靠右 Right",
            TextStyle { align: citizen_window_hardware::escpos::Alignment::Right, ..TextStyle::default() },
        )
        .key_value("列数 Columns", columns.to_string())
        .line("0123456789".repeat(columns / 10 + 1).chars().take(columns).collect::<String>())
        .separator()
        .text("扫描二维码 Scan the QR code", TextStyle::default().centred())
        .qr("https://example.org/citizen-window/test-page", 6)
        .text("测试完成 End of test", TextStyle::default().centred())
        .cut()
}
