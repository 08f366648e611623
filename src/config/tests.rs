//! The configuration checker: defaults, every key read, every wrong value refused with its key.

use super::*;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, Path::new("kiosk.toml")).map_err(|e| e.to_string())
}

#[test]
fn the_content_section_is_checked_value_by_value() {
    let config = parse("[content]\ngroup = \"district-a\"\npoll_seconds = 60\n").unwrap();
    assert_eq!((config.content_updates.group.as_str(), config.content_updates.poll.as_secs()), ("district-a", 60));
    assert_eq!(parse("").unwrap().content_updates, ContentUpdates::default());
    for (text, key) in [
        ("group = \"a b\"", "content.group"),
        ("poll_seconds = 1", "content.poll_seconds"),
        ("check_files_hours = 0", "content.check_files_hours"),
        ("max_file_mib = 65", "content.max_file_mib"),
    ] {
        let refused = parse(&format!("[content]\n{text}\n")).unwrap_err();
        assert!(refused.contains(key) && refused.contains("allowed") || refused.contains("a group is"), "{refused}");
    }
}

#[test]
fn an_empty_file_gives_the_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config.session, SessionTiming::default());
    assert_eq!(config.state_dir, PathBuf::from(DEFAULT_STATE_DIR));
    assert_eq!(config.window_size, None);
    assert!(!config.receipts_bilingual, "receipts speak the session's language");
}

#[test]
fn every_key_is_read() {
    let config = parse(
        "state_dir = \"/tmp/s\"\ncontent_dir = \"/tmp/c\"\n[session]\nidle_timeout_seconds = 90\nlarge_print_idle_timeout_seconds = 150\ncountdown_seconds = 20\n[display]\nsize = \"800x1280\"\n[receipts]\nlanguage = \"both\"\n",
    )
    .unwrap();
    assert!(config.receipts_bilingual);
    assert_eq!(config.session.idle_timeout, Duration::from_secs(90));
    assert_eq!(config.session.countdown, Duration::from_secs(20));
    assert_eq!(config.session.large_print_idle_timeout, Duration::from_secs(150));
    let longer = parse("[session]\nidle_timeout_seconds = 300").unwrap().session;
    assert_eq!(longer.large_print_idle_timeout, Duration::from_secs(300), "never shorter than the standard one");
    assert_eq!(config.window_size, Some((800, 1280)));
    assert_eq!(config.content_dir, PathBuf::from("/tmp/c"));
    let config = parse("[reader]\nport = \"/dev/ttyUSB0\"\nprotocol = \"sam\"").unwrap();
    assert_eq!(config.reader.map(|r| r.port), Some(PathBuf::from("/dev/ttyUSB0")));
    let config = parse("[printer]\nport = \"/dev/ttyS1\"").unwrap();
    let printer = config.printer.unwrap();
    assert_eq!((printer.port, printer.profile.name), (PathBuf::from("/dev/ttyS1"), "generic-58mm".to_string()));
    let config = parse("[journal]\nkeep_acknowledged_days = 30").unwrap();
    assert_eq!(config.journal_keep_acknowledged, Duration::from_secs(30 * 86_400));
    assert_eq!(parse("").unwrap().journal_keep_acknowledged, Duration::from_secs(90 * 86_400));
}

#[test]
fn wrong_values_name_the_key_the_value_and_what_is_allowed() {
    let check = |text: &str, parts: &[&str]| {
        let err = parse(text).unwrap_err();
        for part in parts {
            assert!(err.contains(part), "{err:?} lacks {part:?}");
        }
    };
    check("[session]\nidle_timeout_seconds = 5", &["session.idle_timeout_seconds = 5", "20 to 600"]);
    check(
        "[session]\nlarge_print_idle_timeout_seconds = 30",
        &["session.large_print_idle_timeout_seconds = 30", "the idle timeout to 600"],
    );
    check("[session]\ncountdown_seconds = 60", &["session.countdown_seconds = 60", "less than the idle timeout"]);
    check("[display]\nsize = \"big\"", &["display.size", "\"big\"", "WIDTHxHEIGHT"]);
    check("[journal]\nkeep_acknowledged_days = 0", &["journal.keep_acknowledged_days = 0", "1 to 3650"]);
    check("[sesion]\nidle_timeout_seconds = 60", &["sesion", "docs/CONFIG.md"]);
    check("[receipts]\nlanguage = \"zh\"", &["receipts.language = \"zh\"", "\"session\"", "\"both\""]);
    check("state_dir = 5", &["state_dir", "kiosk.toml"]);
    check("[reader]\nport = \"/dev/ttyUSB0\"\nprotocol = \"nfc\"", &["reader.protocol", "\"nfc\"", "sam, rdm6300"]);
    check("[reader]\nprotocol = \"sam\"", &["port"]);
    check("[printer]\nport = \"/dev/ttyS1\"\nprofile = \"laser\"", &["printer.profile", "\"laser\"", "generic-58mm"]);
}

/// docs/CONFIG.md's table of keys is the key table's own output, and its example file sets every
/// key in the table and is itself valid: the doc, the checker and `kioskctl` cannot disagree.
#[test]
fn the_documented_keys_are_the_checked_keys() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join("CONFIG.md")).unwrap();
    let (begin, end) = ("<!-- keys:begin (kioskctl config keys) -->\n", "<!-- keys:end -->");
    let table = doc.split_once(begin).and_then(|(_, rest)| rest.split_once(end)).map(|(table, _)| table);
    assert_eq!(
        table,
        Some(keys::markdown_table().as_str()),
        "docs/CONFIG.md's table is out of date: paste `kioskctl config keys` between its markers"
    );
    let example = doc.split_once("```toml\n").and_then(|(_, rest)| rest.split_once("```")).unwrap().0;
    parse(example).unwrap();
    let document: toml::Table = toml::from_str(example).unwrap();
    let mut written = Vec::new();
    for (name, item) in &document {
        match item.as_table() {
            Some(section) => written.extend(section.keys().map(|key| format!("{name}.{key}"))),
            None => written.push(name.clone()),
        }
    }
    let mut listed: Vec<String> = keys::KEYS.iter().map(|spec| spec.key.to_string()).collect();
    written.sort();
    listed.sort();
    assert_eq!(written, listed, "the example in docs/CONFIG.md sets every key, and no other");
}

#[test]
fn the_languages_and_the_control_socket_are_checked() {
    let config = parse("[display]\nlanguages = [\"en\"]\n[control]\nsocket = \"/run/k.sock\"\ngroup = \"\"\n").unwrap();
    assert_eq!(config.languages, vec![crate::content::Language::En]);
    assert_eq!(config.control.socket, PathBuf::from("/run/k.sock"));
    assert_eq!(parse("").unwrap().languages.len(), 2);
    for (text, key) in [
        ("[display]\nlanguages = [\"fr\"]", "display.languages"),
        ("[display]\nlanguages = [\"zh\", \"zh\"]", "display.languages"),
        ("[display]\nlanguages = []", "display.languages"),
        ("[control]\nsocket = \"k.sock\"", "control.socket"),
        ("[control]\ngroup = \"a b\"", "control.group"),
        ("state_dir = \"relative\"", "state_dir"),
    ] {
        let refused = parse(text).unwrap_err();
        assert!(refused.contains(key) && refused.contains("allowed"), "{refused}");
    }
}

#[test]
fn the_printer_profiles_the_table_names_are_the_built_in_ones() {
    let allowed = keys::spec("printer.profile").unwrap().allowed;
    let names: Vec<&str> = PrinterProfile::built_in_names().collect();
    assert_eq!(allowed.matches("generic-").count(), names.len(), "{allowed}");
    assert!(names.iter().all(|name| allowed.contains(&format!("{name},")) || allowed.contains(&format!("{name} "))));
}
