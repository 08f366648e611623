//! The example content set loads; broken content is refused with the file and the reason.

use super::*;

fn copy_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in FILES {
        std::fs::copy(Content::example_dir().join(name), dir.path().join(name)).unwrap();
    }
    std::fs::create_dir(dir.path().join("images")).unwrap();
    for entry in std::fs::read_dir(Content::example_dir().join("images")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join("images").join(entry.file_name())).unwrap();
    }
    dir
}

#[test]
fn the_example_content_set_loads_whole() {
    let content = Content::load(&Content::example_dir()).unwrap();
    assert_eq!(content.tiles.len(), 8, "one tile per service");
    assert!(content.slides.len() >= 2);
    assert!(content.notices.iter().any(|n| n.category == NoticeCategory::Finances));
    assert!(content.directory.iter().any(|e| e.name.zh == "警务室"));
    assert_eq!(content.proposals[0].title.get(Language::En), "Charging shelters for e-bikes");
    assert!(content.places.iter().any(|p| p.name.get(Language::En) == "East gate"));
}

fn refused(file: &str, edit: impl FnOnce(String) -> String) -> String {
    let dir = copy_example();
    let path = dir.path().join(file);
    std::fs::write(&path, edit(std::fs::read_to_string(&path).unwrap())).unwrap();
    let err = Content::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains(file), "{err}");
    assert!(err.contains("docs/CONTENT.md") || err.contains("content folder"), "{err}");
    err
}

#[test]
fn broken_content_is_refused_with_the_file_and_the_reason() {
    let err = refused("tiles.toml", |t| t.replacen("service = \"notices\"", "service = \"casino\"", 1));
    assert!(err.contains("casino") && err.contains("notices"), "names the allowed values: {err}");
    let err = refused("tiles.toml", |t| t.replacen("zh = \"社区公告\"", "zh = \"社区公告与居务公开栏目\"", 1));
    assert!(err.contains("notices tile's title") && err.contains("at most 8"), "the limit is named: {err}");
    let long = "很长的通知".repeat(700);
    let err =
        refused("notices.toml", |t| t.replacen("body = { zh = \"各位居民", &format!("body = {{ zh = \"{long}"), 1));
    assert!(err.contains("body") && err.contains("at most 3000"), "{err}");
    let err = refused("directory.toml", |t| t.replacen("id = \"health\"", "id = \"police\"", 1));
    assert!(err.contains("used twice"), "{err}");
    let err = refused("slides.toml", |t| t.replacen("[[slide]]", "[[slide]]\ncolour = \"red\"", 1));
    assert!(err.contains("colour"), "an unknown key is named: {err}");
    refused("proposals.toml", |t| t.replace("phrases = [", "phrases = [] \nunused = [").to_string());
    let err = refused("places.toml", |_| "# no places\n".to_string());
    assert!(err.contains("at least one place"), "{err}");
}

#[test]
fn a_missing_file_says_which() {
    let dir = copy_example();
    std::fs::remove_file(dir.path().join("slides.toml")).unwrap();
    let err = Content::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("slides.toml") && err.contains("content folder"), "{err}");
}

#[test]
fn a_slides_picture_must_be_a_small_png_or_jpeg_inside_the_folder() {
    let err = refused("slides.toml", |t| t.replace("images/community.png", "../../etc/passwd"));
    assert!(err.contains("inside the content folder"), "{err}");
    let err = refused("slides.toml", |t| t.replace("images/community.png", "images/missing.png"));
    assert!(err.contains("cannot be read"), "{err}");
    let err = refused("slides.toml", |t| t.replace("images/community.png", "station.toml"));
    assert!(err.contains("neither PNG nor JPEG"), "{err}");
    let dir = copy_example();
    let big = dir.path().join("images/big.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(IMAGE_MAX_BYTES as usize + 1, 0);
    std::fs::write(&big, bytes).unwrap();
    let slides = dir.path().join("slides.toml");
    std::fs::write(
        &slides,
        std::fs::read_to_string(&slides).unwrap().replace("images/community.png", "images/big.png"),
    )
    .unwrap();
    let err = Content::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("more than the 1048576 allowed"), "{err}");
}

#[test]
fn a_station_number_that_cannot_be_dialled_is_refused() {
    let err = refused("station.toml", |t| t.replace("hotline = \"12345\"", "hotline = \"call us\""));
    assert!(err.contains("hotline") && err.contains("not a number to dial"), "{err}");
}

#[test]
fn a_text_without_english_shows_its_chinese_on_an_english_screen() {
    let dir = copy_example();
    let notices = dir.path().join("notices.toml");
    let text = std::fs::read_to_string(&notices).unwrap().replacen(", en = \"Winter heating\" }", " }", 1);
    std::fs::write(&notices, text).unwrap();
    let content = Content::load(dir.path()).unwrap();
    let heating = content.notices.iter().find(|n| n.id == "n-2026-11-20-heating").unwrap();
    assert_eq!(heating.title.get(Language::En), "关于冬季供暖的通知");
    assert_eq!(heating.title.pair().1, "关于冬季供暖的通知", "the receipt's English line too");
}

#[test]
fn windows_and_issue_categories_come_from_the_content_and_agree_with_themselves() {
    let content = Content::load(&Content::example_dir()).unwrap();
    let social = content.window("social_insurance").unwrap();
    assert_eq!((social.number, social.letter, social.name.zh.as_str()), (1, 'A', "社保"));
    let desk = content.directory.iter().find(|e| e.id == "social-insurance").unwrap();
    assert!(desk.location.zh.contains(&format!("{}号窗口", social.number)), "the directory names the same window");
    assert!(content.issue_category("leaking_pipe").is_some());

    let err = refused("windows.toml", |t| t.replacen("letter = \"B\"", "letter = \"A\"", 1));
    assert!(err.contains("same letter"), "{err}");
    let err = refused("windows.toml", |t| t.replacen("number = 2", "number = 1", 1));
    assert!(err.contains("same number"), "{err}");
    let err = refused("windows.toml", |t| t.replacen("letter = \"B\"", "letter = \"b\"", 1));
    assert!(err.contains("capital letter"), "{err}");
    let err = refused("windows.toml", |t| t.replacen("id = \"legal_aid\"", "id = \"Legal Aid\"", 1));
    assert!(err.contains("not a window id"), "{err}");
    let err = refused("windows.toml", |t| t.replacen("zh = \"法律援助\"", "zh = \"法律援助与人民调解窗口\"", 1));
    assert!(err.contains("window legal_aid's name") && err.contains("at most 8"), "{err}");
    let err = refused("windows.toml", |_| String::new());
    assert!(err.contains("the appointments tile needs at least one window"), "{err}");
    let err = refused("issue_categories.toml", |_| String::new());
    assert!(err.contains("at least one category"), "{err}");
    let err = refused("issue_categories.toml", |t| t.replacen("id = \"noise\"", "id = \"other\"", 1));
    assert!(err.contains("used twice"), "{err}");
}

#[test]
fn a_notice_shows_from_its_start_to_its_end_and_may_carry_a_picture() {
    let dir = copy_example();
    let path = dir.path().join("notices.toml");
    let timed = std::fs::read_to_string(&path).unwrap().replacen(
        "urgent = true",
        "urgent = true\nstarts = \"2026-12-03 08:00\"\nends = \"2026-12-03 15:00\"",
        1,
    );
    std::fs::write(&path, timed).unwrap();
    let content = Content::load(dir.path()).unwrap();
    let notice = content.notices.iter().find(|n| n.urgent).unwrap();
    let at = |text: &str| citizen_window_protocol::china_time::parse_date_time(text).unwrap();
    assert!(!notice.shows_at(at("2026-12-03 07:59")));
    assert!(notice.shows_at(at("2026-12-03 08:00")) && notice.shows_at(at("2026-12-03 14:59")));
    assert!(!notice.shows_at(at("2026-12-03 15:00")), "an ended notice leaves on time");
    assert!(notice.image_path.as_ref().is_some_and(|p| p.is_file()));
    assert!(content.notices.iter().filter(|n| !n.urgent).all(|n| n.shows_at(0) && n.shows_at(i64::MAX)));

    let err = refused("notices.toml", |t| t.replacen("urgent = true", "urgent = true\nends = \"tomorrow\"", 1));
    assert!(err.contains("YYYY-MM-DD HH:MM"), "{err}");
    let err = refused("notices.toml", |t| {
        t.replacen("urgent = true", "urgent = true\nstarts = \"2026-12-03 10:00\"\nends = \"2026-12-03 09:00\"", 1)
    });
    assert!(err.contains("ends before it starts"), "{err}");
    let err = refused("notices.toml", |t| t.replacen("images/community.png", "../x.png", 1));
    assert!(err.contains("inside the content folder"), "{err}");
}
