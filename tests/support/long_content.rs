//! The long-content set for the UI tests: every text as long as the content's limits allow.

use citizen_window::content::Content;

/// The long-content set: every text as long as docs/CONTENT.md allows (src/content/limits.rs),
/// in Chinese and three times as long in English, a 1,200-character notice, 32 places, and as
/// many windows and categories of problem as allowed.
pub fn long_content() -> (tempfile::TempDir, Content) {
    use citizen_window::content::limits::*;
    let dir = tempfile::tempdir().unwrap();
    let example = Content::example_dir();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.path().is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    };
    copy(&example, dir.path());
    std::fs::create_dir(dir.path().join("images")).unwrap();
    copy(&example.join("images"), &dir.path().join("images"));
    let zh = |n: usize| "社区服务长文本测试，".chars().cycle().take(n).collect::<String>();
    let en =
        |n: usize| "Long words in English for a test. ".chars().cycle().take(n * ENGLISH_FACTOR).collect::<String>();
    let text = |n: usize| format!("{{ zh = \"{}\", en = \"{}\" }}", zh(n), en(n));
    let rewrite = |file: &str, edit: &dyn Fn(toml::Table) -> toml::Table| {
        let path = dir.path().join(file);
        let table: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        std::fs::write(&path, toml::to_string(&edit(table)).unwrap()).unwrap();
    };
    let value =
        |n: usize| -> toml::Value { toml::from_str::<toml::Table>(&format!("v = {}", text(n))).unwrap()["v"].clone() };
    let each = |table: &mut toml::Table, list: &str, fields: &[(&str, usize)]| {
        for item in table[list].as_array_mut().unwrap() {
            for (field, n) in fields {
                item.as_table_mut().unwrap().insert(field.to_string(), value(*n));
            }
        }
    };
    rewrite("station.toml", &|mut t| {
        t.insert("community".into(), value(COMMUNITY));
        t.insert("station".into(), value(STATION));
        t
    });
    rewrite("tiles.toml", &|mut t| {
        each(&mut t, "tile", &[("title", TILE_TITLE), ("subtitle", TILE_SUBTITLE)]);
        t
    });
    rewrite("slides.toml", &|mut t| {
        each(&mut t, "slide", &[("title", SLIDE_TITLE), ("body", SLIDE_BODY)]);
        t
    });
    rewrite("notices.toml", &|mut t| {
        each(&mut t, "notice", &[("title", NOTICE_TITLE), ("body", 1200)]);
        t
    });
    rewrite("directory.toml", &|mut t| {
        each(&mut t, "entry", &[("name", ENTRY_NAME), ("location", ENTRY_DETAIL), ("hours", ENTRY_DETAIL)]);
        t
    });
    rewrite("proposals.toml", &|mut t| {
        each(&mut t, "proposal", &[("title", PROPOSAL_TITLE), ("body", PROPOSAL_BODY)]);
        for proposal in t["proposal"].as_array_mut().unwrap() {
            let phrases = (0..PHRASES).map(|_| value(PHRASE)).collect();
            proposal.as_table_mut().unwrap().insert("phrases".into(), toml::Value::Array(phrases));
        }
        t
    });
    let places: String =
        (0..32).map(|i| format!("[[place]]\nid = \"place-{i}\"\nname = {}\n\n", text(PLACE_NAME))).collect();
    std::fs::write(dir.path().join("places.toml"), places).unwrap();
    let windows: String = (0..WINDOWS)
        .map(|i| {
            let letter = (b'A' + i as u8) as char;
            format!(
                "[[window]]\nid = \"window_{i}\"\nnumber = {}\nletter = \"{letter}\"\nname = {}\n\n",
                i + 1,
                text(WINDOW_NAME)
            )
        })
        .collect();
    std::fs::write(dir.path().join("windows.toml"), windows).unwrap();
    let categories: String = (0..CATEGORIES)
        .map(|i| format!("[[category]]\nid = \"category-{i}\"\nname = {}\n\n", text(CATEGORY_NAME)))
        .collect();
    std::fs::write(dir.path().join("issue_categories.toml"), categories).unwrap();
    let content = Content::load(dir.path()).expect("the long set is within the limits");
    (dir, content)
}
