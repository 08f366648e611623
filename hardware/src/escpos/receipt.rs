//! The receipt model: what a receipt says, independent of any printer. The encoder turns it into
//! ESC/POS bytes for one printer profile.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    #[default]
    Left,
    Centre,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QrErrorCorrection {
    L,
    M,
    Q,
    H,
}

/// Character magnification, 1..=8 in each direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSize {
    pub width: u8,
    pub height: u8,
}

impl TextSize {
    pub const NORMAL: TextSize = TextSize { width: 1, height: 1 };
    pub const DOUBLE: TextSize = TextSize { width: 2, height: 2 };
    pub const TALL: TextSize = TextSize { width: 1, height: 2 };
}

impl Default for TextSize {
    fn default() -> Self {
        Self::NORMAL
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TextStyle {
    pub size: TextSize,
    pub bold: bool,
    pub align: Alignment,
}

impl TextStyle {
    pub fn centred(mut self) -> Self {
        self.align = Alignment::Centre;
        self
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn sized(mut self, size: TextSize) -> Self {
        self.size = size;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// Text wrapped to the paper width.
    Text {
        text: String,
        style: TextStyle,
    },
    /// A full-width rule made of `ch`.
    Separator {
        ch: char,
    },
    /// Key on the left, value on the right; the value wraps under the key if both do not fit.
    KeyValue {
        key: String,
        value: String,
        bold: bool,
    },
    Qr {
        data: String,
        module_size: u8,
        error_correction: QrErrorCorrection,
        align: Alignment,
    },
    Feed {
        lines: u8,
    },
    Cut,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Receipt {
    pub blocks: Vec<Block>,
}

impl Receipt {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, text: impl Into<String>, style: TextStyle) -> Self {
        self.blocks.push(Block::Text { text: text.into(), style });
        self
    }

    pub fn line(self, text: impl Into<String>) -> Self {
        self.text(text, TextStyle::default())
    }

    pub fn title(self, text: impl Into<String>) -> Self {
        self.text(text, TextStyle::default().centred().bold().sized(TextSize::DOUBLE))
    }

    pub fn separator(mut self) -> Self {
        self.blocks.push(Block::Separator { ch: '-' });
        self
    }

    pub fn key_value(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.blocks.push(Block::KeyValue { key: key.into(), value: value.into(), bold: false });
        self
    }

    pub fn qr(mut self, data: impl Into<String>, module_size: u8) -> Self {
        self.blocks.push(Block::Qr {
            data: data.into(),
            module_size,
            error_correction: QrErrorCorrection::M,
            align: Alignment::Centre,
        });
        self
    }

    pub fn feed(mut self, lines: u8) -> Self {
        self.blocks.push(Block::Feed { lines });
        self
    }

    pub fn cut(mut self) -> Self {
        self.blocks.push(Block::Cut);
        self
    }

    /// The receipt used by the benchmarks and the demo: a typical bill payment, about 15 lines in
    /// Chinese and English with one payment QR code. All data is synthetic.
    pub fn sample_payment() -> Self {
        Receipt::new()
            .title("市民之窗")
            .text("Citizen Window · 便民缴费", TextStyle::default().centred())
            .separator()
            .key_value("业务 Service", "水费 Water")
            .key_value("户号 Account", "3301 0288 1742")
            .key_value("户名 Name", "张*")
            .key_value("账期 Period", "2026-10")
            .key_value("用量 Usage", "12 吨 t")
            .key_value("金额 Amount", "￥41.40")
            .key_value("支付 Paid by", "扫码支付 QR wallet")
            .key_value("时间 Time", "2026-11-26 09:41")
            .key_value("终端 Kiosk", "CW-0012 幸福里社区")
            .key_value("流水号 Ref", "T20261126-000153")
            .separator()
            .text("扫码查看电子凭证 Scan for the e-receipt", TextStyle::default().centred())
            .qr("https://pay.example.org/r/T20261126-000153", 6)
            .text("请妥善保管本凭证 Please keep this receipt", TextStyle::default().centred())
            .cut()
    }
}
