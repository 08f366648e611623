//! The workspace's shape, checked: inside the kiosk crate each module uses only the modules (and
//! stays away from the crates) that ARCHITECTURE.md's rules table allows; no crate's top-level
//! modules use each other in a circle; and no source file passes 600 lines. The table in
//! ARCHITECTURE.md is the one statement of the rules: this test reads it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;
const RULES_MARK: &str = "<!-- module rules: read by tests/module_rules.rs -->";

/// One row of the table: what a module may use in its crate, and what it must never touch.
#[derive(Debug)]
struct Rule {
    may_use: BTreeSet<String>,
    never_uses: Vec<String>,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rules table that follows [`RULES_MARK`] in ARCHITECTURE.md: `| module | may use | never uses |`,
/// each cell a list of `code` spans ("nothing" for none).
fn rules(architecture: &str) -> BTreeMap<String, Rule> {
    let start = architecture.find(RULES_MARK).expect("ARCHITECTURE.md has the module rules table");
    let spans = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    architecture[start..]
        .lines()
        .skip(1)
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter(|line| !line.starts_with("|---") && !line.contains("may use"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            assert_eq!(cells.len(), 3, "a rules row has three cells: {line}");
            let module = spans(cells[0]).into_iter().next().expect("a module name in `code`");
            let rule = Rule { may_use: spans(cells[1]).into_iter().collect(), never_uses: spans(cells[2]) };
            (module, rule)
        })
        .collect()
}

/// The code of a Rust file without its comments (so that prose naming a module is no import).
fn code_of(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The crate's top-level modules that `code` names through `crate::`.
fn crate_modules_used(code: &str) -> BTreeSet<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| code[at + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
        .filter(|name: &String| !name.is_empty())
        .collect()
}

/// Whether `code` uses the crate or path `name` (`slint`, `std::fs`).
fn uses_path(code: &str, name: &str) -> bool {
    code.match_indices(&format!("{name}::"))
        .chain(code.match_indices(&format!("use {name};")))
        .any(|(at, _)| !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'))
}

/// Every file under `dir` whose name ends in `.{extension}`.
fn files_with(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return files };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_with(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
    files
}

/// The top-level module a file of a crate's `src/` belongs to (`kiosk` for src/kiosk/tests.rs).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "lib" | "main" | "bin")).then_some(name)
}

/// Who uses whom among a crate's top-level modules.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files_with(src, "rs") {
        let Some(module) = top_module(src, &file) else { continue };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let used: Vec<String> = crate_modules_used(&code).into_iter().filter(|m| *m != module).collect();
        graph.entry(module).or_default().extend(used);
    }
    graph
}

/// Every violation of `rules` in the kiosk crate's `src/`.
fn rule_breaks(src: &Path, rules: &BTreeMap<String, Rule>) -> Vec<String> {
    let mut breaks = Vec::new();
    for file in files_with(src, "rs") {
        let Some(module) = top_module(src, &file) else { continue };
        let shown = file.strip_prefix(src).unwrap().display().to_string();
        let Some(rule) = rules.get(&module) else {
            breaks.push(format!("{shown}: the module `{module}` has no row in ARCHITECTURE.md's rules table"));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for used in crate_modules_used(&code) {
            if used != module && !rule.may_use.contains(&used) {
                breaks.push(format!("{shown}: `{module}` uses `crate::{used}`, which its rule does not allow"));
            }
        }
        for banned in &rule.never_uses {
            if uses_path(&code, banned) {
                breaks.push(format!("{shown}: `{module}` uses `{banned}`, which its rule forbids"));
            }
        }
    }
    breaks
}

/// A circle among the modules of `graph`, if there is one, as the path that closes it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn every_kiosk_module_keeps_to_its_rule() {
    let architecture = std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).unwrap();
    let rules = rules(&architecture);
    assert!(rules.contains_key("kiosk") && rules.len() >= 10, "the table was read: {rules:?}");
    let breaks = rule_breaks(&workspace().join("src"), &rules);
    assert!(breaks.is_empty(), "module rules broken (ARCHITECTURE.md, \"Module rules\"):\n{}", breaks.join("\n"));
}

#[test]
fn no_crate_has_a_circle_between_its_modules() {
    for crate_src in ["src", "hardware/src", "protocol/src", "central/src"] {
        let graph = module_graph(&workspace().join(crate_src));
        assert!(!graph.is_empty(), "{crate_src} was read");
        if let Some(found) = circle(&graph) {
            panic!("{crate_src}: its modules use each other in a circle: {}", found.join(" → "));
        }
    }
}

#[test]
fn no_source_file_passes_600_lines() {
    let mut long = Vec::new();
    for dir in ["src", "hardware/src", "protocol/src", "central/src", "tests", "benches", "central/tests", "ui"] {
        let mut files = files_with(&workspace().join(dir), "rs");
        files.extend(files_with(&workspace().join(dir), "slint"));
        for file in files {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            if lines > MAX_LINES {
                long.push(format!("{} has {lines} lines", file.strip_prefix(workspace()).unwrap().display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by responsibility (at most {MAX_LINES} lines):\n{}", long.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let table = format!(
        "{RULES_MARK}\n\n| module | may use | never uses |\n|---|---|---|\n| `kiosk` | `records` | `slint` `std::fs` |\n| `records` | nothing | nothing |\n"
    );
    let rules = rules(&table);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("kiosk")).unwrap();
    std::fs::write(src.join("records.rs"), "//! Pure.\n").unwrap();
    std::fs::write(src.join("kiosk/mod.rs"), "use crate::records::Window;\n// crate::devices in prose is fine\n")
        .unwrap();
    assert!(rule_breaks(src, &rules).is_empty());

    // A forbidden import, a forbidden crate and a module with no rule are each caught.
    std::fs::write(
        src.join("kiosk/screen.rs"),
        "use crate::devices::DeviceBoard;\nfn f() { let _ = std::fs::read(\"x\"); }\n",
    )
    .unwrap();
    std::fs::write(src.join("kiosk/ui.rs"), "use slint::Model;\n").unwrap();
    std::fs::write(src.join("devices.rs"), "use crate::kiosk::messages::KioskEvent;\n").unwrap();
    let breaks = rule_breaks(src, &rules).join("\n");
    for expected in ["uses `crate::devices`", "uses `std::fs`", "uses `slint`", "`devices` has no row"] {
        assert!(breaks.contains(expected), "{expected:?} not caught in:\n{breaks}");
    }

    // A circle is found, whatever its length.
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(circle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
