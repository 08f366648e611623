//! The content types, as the TOML files spell them (docs/CONTENT.md).

pub use citizen_window_protocol::station::{Service, WindowId};
use serde::Deserialize;

/// The kiosk's two languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Language {
    /// 简体中文, the default.
    #[default]
    Zh,
    En,
}

impl Language {
    /// The code Slint's bundled translations use.
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }
}

/// A text in Chinese and, where the office has a translation, English: a text without one shows
/// its Chinese on an English screen, so that an office with no translator can still publish.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    #[serde(default)]
    pub en: Option<String>,
}

impl Text {
    pub fn get(&self, language: Language) -> &str {
        match (language, &self.en) {
            (Language::En, Some(en)) => en,
            _ => &self.zh,
        }
    }

    /// (Chinese, English), English falling back to the Chinese, for bilingual records.
    pub fn pair(&self) -> (String, String) {
        (self.zh.clone(), self.get(Language::En).to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    pub service: Service,
    pub title: Text,
    pub subtitle: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slide {
    pub title: Text,
    pub body: Text,
    /// A picture, PNG or JPEG, as a path inside the content folder (`images/community.png`).
    pub image: Option<String>,
    /// That picture's file, once the folder is loaded and the picture checked.
    #[serde(skip)]
    pub image_path: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeCategory {
    /// 社区公告
    Community,
    /// 党务公开
    PartyAffairs,
    /// 居务公开
    ResidentsAffairs,
    /// 财务公开
    Finances,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub id: String,
    pub category: NoticeCategory,
    /// As printed on the notice: YYYY-MM-DD.
    pub date: String,
    pub title: Text,
    pub body: Text,
    /// 停水停电 and the like: shown first on the attract screen, before the slides.
    #[serde(default)]
    pub urgent: bool,
    /// When it starts showing, "YYYY-MM-DD HH:MM" in China time; absent: at once.
    #[serde(default)]
    pub starts: Option<String>,
    /// When it leaves the screen, "YYYY-MM-DD HH:MM" in China time, by the kiosk's own clock
    /// (offline too); absent: it stays.
    #[serde(default)]
    pub ends: Option<String>,
    /// `starts` and `ends` in ms since the epoch, once the folder is loaded.
    #[serde(skip)]
    pub starts_at_ms: Option<i64>,
    #[serde(skip)]
    pub ends_at_ms: Option<i64>,
    /// A picture shown with the notice, PNG or JPEG, as a path inside the content folder.
    #[serde(default)]
    pub image: Option<String>,
    /// That picture's file, once the folder is loaded and the picture checked.
    #[serde(skip)]
    pub image_path: Option<std::path::PathBuf>,
}

impl Notice {
    /// Whether the notice shows at `unix_ms`: from its start (included) to its end (excluded).
    pub fn shows_at(&self, unix_ms: i64) -> bool {
        self.starts_at_ms.is_none_or(|starts| unix_ms >= starts) && self.ends_at_ms.is_none_or(|ends| unix_ms < ends)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryEntry {
    pub id: String,
    pub name: Text,
    pub location: Text,
    pub hours: Text,
    pub phone: String,
    /// Printed as a QR code on the slip.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub id: String,
    pub title: Text,
    pub body: Text,
    /// Last day of voting: YYYY-MM-DD.
    pub closes: String,
    /// The comments a resident may add, chosen from a list (no free text at a kiosk).
    pub phrases: Vec<Text>,
}

/// A place in the community where a problem can be reported: a building, a gate, a courtyard.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub id: String,
    pub name: Text,
}

/// A window of the station: it hands out queue tickets and takes appointments.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationWindow {
    /// How the window travels to the server (its appointment slots name it): `social_insurance`.
    pub id: WindowId,
    /// The number on the window's sign.
    pub number: u32,
    /// The letter its ticket numbers start with: "A" for A001.
    pub letter: char,
    pub name: Text,
}

/// A kind of problem a resident can report: a broken light, a leaking pipe.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCategory {
    pub id: String,
    pub name: Text,
}

/// Why a resident is not satisfied with a service (好差评), offered with 不满意 or below.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingReason {
    pub id: String,
    pub name: Text,
}

/// Who runs the kiosk: named in its header, on its help page and on its receipts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// The residential community, 社区 (幸福里社区).
    pub community: Text,
    /// The service station that looks after the kiosk (幸福里社区服务站).
    pub station: Text,
    /// The station's phone, as dialled.
    pub phone: String,
    /// The citizens' service hotline, as dialled (12345 across China).
    pub hotline: String,
}

/// A whole, validated content set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub station: Station,
    pub tiles: Vec<Tile>,
    pub slides: Vec<Slide>,
    pub notices: Vec<Notice>,
    pub directory: Vec<DirectoryEntry>,
    pub proposals: Vec<Proposal>,
    pub places: Vec<Place>,
    pub windows: Vec<StationWindow>,
    pub issue_categories: Vec<ReportCategory>,
    /// The reasons offered with a low rating (`rating_reasons.toml`, optional: without it a low
    /// rating is given without a reason).
    pub rating_reasons: Vec<RatingReason>,
    /// The voice prompts (`voice/<language>/<key>.wav`, optional: without them the kiosk is
    /// silent).
    pub voice: crate::voice::VoicePrompts,
}

impl Content {
    pub fn window(&self, id: &str) -> Option<&StationWindow> {
        self.windows.iter().find(|w| w.id.as_str() == id)
    }

    pub fn issue_category(&self, id: &str) -> Option<&ReportCategory> {
        self.issue_categories.iter().find(|c| c.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TileFile {
    pub tile: Vec<Tile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SlideFile {
    pub slide: Vec<Slide>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NoticeFile {
    #[serde(default)]
    pub notice: Vec<Notice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DirectoryFile {
    #[serde(default)]
    pub entry: Vec<DirectoryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProposalFile {
    #[serde(default)]
    pub proposal: Vec<Proposal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlaceFile {
    #[serde(default)]
    pub place: Vec<Place>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WindowFile {
    #[serde(default)]
    pub window: Vec<StationWindow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RatingReasonFile {
    #[serde(default)]
    pub reason: Vec<RatingReason>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CategoryFile {
    #[serde(default)]
    pub category: Vec<ReportCategory>,
}
