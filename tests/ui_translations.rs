//! Every string the UI shows through `@tr` has its Chinese translation, and the translation keeps
//! the source's `{}` placeholders; every source string appears once.

use std::collections::HashMap;
use std::path::Path;

fn tr_strings(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tr_strings(&path, found);
        } else if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("@tr(\"") {
                let after = &rest[start + 5..];
                let end = after.find('"').expect("a closed string");
                found.push((after[..end].to_string(), path.display().to_string()));
                rest = &after[end..];
            }
        }
    }
}

fn po_entries(path: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let unquote = |line: &str, key: &str| line.strip_prefix(key).map(|v| v.trim().trim_matches('"').to_string());
    let mut entries = HashMap::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(v) = unquote(line, "msgid ") {
            id = Some(v);
        } else if let (Some(v), Some(k)) = (unquote(line, "msgstr "), id.take()) {
            assert!(entries.insert(k.clone(), v).is_none(), "{k:?} is translated twice");
        }
    }
    entries
}

#[test]
fn every_ui_string_has_a_chinese_translation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut strings = Vec::new();
    tr_strings(&root.join("ui"), &mut strings);
    assert!(strings.len() > 20, "the UI's strings were found");
    let zh = po_entries(&root.join("ui/translations/zh/LC_MESSAGES/citizen-window.po"));
    for (source, file) in &strings {
        let translated = zh.get(source).unwrap_or_else(|| panic!("{file}: {source:?} has no Chinese translation"));
        assert!(!translated.is_empty(), "{file}: {source:?} has an empty translation");
        assert_eq!(
            source.matches("{}").count(),
            translated.matches("{}").count(),
            "{source:?} and {translated:?} differ in placeholders"
        );
    }
    let used: std::collections::HashSet<_> = strings.iter().map(|(s, _)| s.as_str()).collect();
    for id in zh.keys().filter(|k| !k.is_empty()) {
        assert!(used.contains(id.as_str()), "{id:?} is translated but no longer used");
    }
}
