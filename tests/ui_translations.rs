//! Every string the UI shows through `@tr` has its Chinese translation, and the translation keeps
//! the source's `{}` placeholders; every source string appears once. And every font size in the
//! UI comes from the theme, so that elderly mode enlarges every text.

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

fn slint_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            slint_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "slint") {
            found.push(path);
        }
    }
}

/// The theme's type scale (ui/theme.slint).
const THEME_SIZES: [&str; 5] =
    ["Theme.display-size", "Theme.title-size", "Theme.heading-size", "Theme.body-size", "Theme.small-size"];

#[test]
fn every_font_size_is_a_theme_size_never_scaled_down() {
    let mut files = Vec::new();
    slint_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"), &mut files);
    let mut sizes = 0;
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let Some(value) = line.trim().strip_prefix("font-size:") else { continue };
            let value = value.trim().trim_end_matches(';');
            sizes += 1;
            // `condition ? A : B`: each of A and B.
            let choices = match value.split_once('?') {
                Some((_, branches)) => branches.split(':').map(str::trim).collect::<Vec<_>>(),
                None => vec![value],
            };
            for choice in choices {
                let mut parts = choice.split('*').map(str::trim);
                let base = parts.next().unwrap();
                assert!(THEME_SIZES.contains(&base), "{}: font-size {value} is not a theme size", file.display());
                for factor in parts {
                    let factor: f32 = factor.parse().unwrap_or_else(|_| panic!("{}: {value}", file.display()));
                    assert!(factor >= 1.0, "{}: font-size {value} scales a theme size down", file.display());
                }
            }
        }
    }
    assert!(sizes > 10, "the font sizes were found");
}
