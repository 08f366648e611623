//! What one frame of the kiosk shows, in the resident's language.

use crate::content::Service;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Attract,
    Home,
    Notices,
    /// One notice, by id.
    Notice(String),
    Directory,
    /// A service this kiosk does not offer yet.
    Unavailable(Service),
}

impl Page {
    /// The page's name in the UI (`AppAdapter.page`) and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Page::Attract => "attract",
            Page::Home => "home",
            Page::Notices => "notices",
            Page::Notice(_) => "notice",
            Page::Directory => "directory",
            Page::Unavailable(_) => "unavailable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRow {
    pub service: Service,
    pub title: String,
    pub subtitle: String,
    pub usable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlideRow {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeRow {
    pub id: String,
    pub title: String,
    pub date: String,
    /// The category's id; the UI names it in the current language.
    pub category: &'static str,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub name: String,
    pub location: String,
    pub hours: String,
    pub phone: String,
}

/// One page of a paged list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: usize,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub page: Page,
    pub english: bool,
    pub elderly: bool,
    pub offline: bool,
    pub printer_ready: bool,
    /// Seconds before the session ends, while the countdown shows.
    pub countdown: Option<u32>,
    /// The identified resident (name and masked ID number; zeroed when dropped).
    pub resident: Option<crate::session::Resident>,
    pub tiles: Vec<TileRow>,
    pub slide: SlideRow,
    pub notices: Paged<NoticeRow>,
    pub notice: NoticeRow,
    pub directory: Paged<EntryRow>,
    /// The title of the service on the "unavailable" page.
    pub unavailable_service: String,
    /// Why the last card presented did not identify anyone, until the next tap.
    pub card_problem: Option<crate::devices::CardProblem>,
    /// False while the card reader does not answer.
    pub reader_available: bool,
}
