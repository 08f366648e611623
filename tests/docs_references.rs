//! The project's documents stand on their own: every document a page or a comment names
//! (`docs/SYNC.md`, `SERVICES.md`, a Markdown link) exists in the repository, and nothing points
//! outside it to design notes a person who clones the project does not have.

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Folders that are built, generated or not the project's own text.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "out", "node_modules"];
const TEXT_EXTENSIONS: &[&str] = &["rs", "md", "toml", "slint", "sh", "py", "yml", "json"];

fn text_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the folder reads") {
        let path = entry.expect("the entry reads").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name) {
                text_files(&path, found);
            }
        } else if name == "run"
            || path.extension().and_then(|e| e.to_str()).is_some_and(|e| TEXT_EXTENSIONS.contains(&e))
        {
            found.push(path);
        }
    }
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-')
}

/// Every `something.md` named in the text, with the path characters before it.
fn markdown_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices(".md") {
        let end = at + 3;
        if text[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `.mdx`, `.md_file`: not a Markdown name
        }
        let start = text[..at].rfind(|c: char| !is_path_char(c)).map_or(0, |i| i + 1);
        let before = &text[..start];
        if before.ends_with("://") || before.ends_with(':') {
            continue; // a URL
        }
        if start < at {
            names.push(&text[start..end]);
        }
    }
    names
}

/// The targets of Markdown links and images, `[text](target)`, that are not URLs or anchors.
fn link_targets(text: &str) -> Vec<&str> {
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let target = &rest[..rest.find(')')?];
            let target = target.split('#').next().unwrap_or_default();
            let external = target.is_empty() || target.contains("://") || target.starts_with("mailto:");
            (!external).then_some(target)
        })
        .collect()
}

/// A name is found beside the file that names it, at the root, or in docs/.
fn resolves(file: &Path, name: &str) -> bool {
    let root = Path::new(ROOT);
    let beside = file.parent().unwrap_or(root);
    [beside.join(name), root.join(name), root.join("docs").join(name)].iter().any(|p| p.exists())
}

#[test]
fn every_document_named_in_the_repository_exists_in_it() {
    let mut files = Vec::new();
    text_files(Path::new(ROOT), &mut files);
    assert!(files.len() > 50, "the walk found the project's files ({})", files.len());
    let mut missing = Vec::new();
    let mut named = 0;
    for file in &files {
        if file.ends_with(file!()) {
            continue; // this scanner's own examples
        }
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let shown = file.strip_prefix(ROOT).unwrap_or(file).display().to_string();
        if text.contains(concat!("shared", "/design")) {
            missing.push(format!("{shown}: points at the design notes outside the repository"));
        }
        let links = if shown.ends_with(".md") { link_targets(&text) } else { Vec::new() };
        for name in markdown_names(&text).into_iter().chain(links) {
            named += 1;
            if !resolves(file, name) {
                missing.push(format!("{shown}: names {name}, which is not in the repository"));
            }
        }
    }
    assert!(named > 20, "the scan found the documents named ({named})");
    assert!(missing.is_empty(), "documents named but missing:\n{}", missing.join("\n"));
}

#[test]
fn the_scanner_finds_names_and_links_and_skips_urls() {
    let text = "see docs/SYNC.md and (SERVICES.md); https://example.org/a/README.md; a.mdx \
                ![receipt](docs/images/r.png) [web](https://x.org) [anchor](#top)";
    assert_eq!(markdown_names(text), ["docs/SYNC.md", "SERVICES.md"]);
    assert_eq!(link_targets(text), ["docs/images/r.png"]);
    assert!(resolves(Path::new(ROOT).join("src/lib.rs").as_path(), "SERVICES.md"));
    assert!(!resolves(Path::new(ROOT).join("src/lib.rs").as_path(), "HOUSE-STYLE.md"));
}
