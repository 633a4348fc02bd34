//! The house's rules, written once: which file of `src/` may import which.
//!
//! Layers, each a folder, import only downward:
//! - `src/db/`: pool, migrations, schema, column types, keyset, clock. Imports nothing of ours.
//! - `src/config.rs`: typed configuration. Imports nothing of ours.
//! - `src/domain/`: rules and stores, no actix-web. Imports `db`, `config` and the domain.
//!   Shared modules (`actor`, `audit`, `change`, `error`, `events`, `masking`, `validation`) serve
//!   every concept (the audit trail writes the feed's events); between
//!   concepts, only the edges of [`CONCEPT_EDGES`] are allowed.
//! - `src/web/`: the HTTP face. Imports `domain`, `db`, `config` and `web`; a file under
//!   `web/api/` never imports another one.
//! - `src/seeds/`: reference, demo and synthetic data through the stores. Imports `db`,
//!   `config`, `domain`, `seeds`.
//! - `src/lib.rs`, `src/main.rs`, `src/openapi.rs`: the top. Anything below; nothing imports them.

use std::path::{Path, PathBuf};

/// Macros of `src/db/`, exported at the crate's root.
const DB_MACROS: [&str; 5] = [
    "filter_present",
    "keyset_after",
    "keyset_page",
    "keyset_sorted",
    "text_enum",
];

/// Shared domain modules any concept may use.
const DOMAIN_SHARED: [&str; 7] = [
    "actor",
    "audit",
    "change",
    "error",
    "events",
    "masking",
    "validation",
];

/// Concept → the concepts it may import. Reads as: enterprises ← contacts, visits, demands,
/// support, policies, benefits, indicators; demands ← visits; policies ← benefits; every
/// concept ← exports, imports, stats, timeline; accounts (auth, departments, users, clients)
/// below everything that records who acts; supervision (督办) works on demands and enterprises;
/// webhooks send the events to subscribers of departments; reports print the statistics.
const CONCEPT_EDGES: [(&str, &[&str]); 19] = [
    ("departments", &[]),
    ("reference", &[]),
    ("auth", &["departments"]),
    ("users", &["auth", "departments"]),
    ("clients", &["auth", "departments", "users"]),
    ("enterprises", &["departments", "users", "reference"]),
    ("contacts", &["enterprises"]),
    (
        "demands",
        &["enterprises", "departments", "reference", "contacts"],
    ),
    (
        "visits",
        &["enterprises", "demands", "users", "departments"],
    ),
    ("support", &["enterprises", "policies"]),
    ("policies", &["enterprises"]),
    ("benefits", &["enterprises", "policies"]),
    ("indicators", &["enterprises"]),
    ("timeline", ALL_RECORDS),
    ("stats", ALL_RECORDS),
    ("exports", ALL_RECORDS),
    ("reports", &["stats"]),
    ("supervision", &["demands", "enterprises"]),
    ("webhooks", &["departments"]),
];

/// What the reading concepts (timeline, stats, exports, imports) may use: every recording one.
const ALL_RECORDS: &[&str] = &[
    "departments",
    "reference",
    "auth",
    "users",
    "clients",
    "enterprises",
    "contacts",
    "demands",
    "visits",
    "support",
    "policies",
    "benefits",
    "indicators",
];

/// Imports the reading concepts may also make among themselves.
const IMPORTS_EDGES: &[&str] = &[
    "departments",
    "reference",
    "auth",
    "users",
    "clients",
    "enterprises",
    "contacts",
    "demands",
    "visits",
    "support",
    "policies",
    "benefits",
    "indicators",
    "exports",
];

/// Where a file sits in the house.
#[derive(Debug, PartialEq)]
enum Place<'a> {
    Db,
    Config,
    /// A concept folder's file (or a shared module, with the module's name).
    Domain(&'a str),
    /// `web/api/<name>.rs` or a file of `web/api/<name>/`.
    WebApi(&'a str),
    Web,
    Seeds,
    Top,
}

fn place(relative: &str) -> Place<'_> {
    let parts: Vec<&str> = relative.trim_end_matches(".rs").split('/').collect();
    match parts.as_slice() {
        ["db", ..] => Place::Db,
        ["config"] => Place::Config,
        ["domain", name, ..] => Place::Domain(name),
        ["domain"] => Place::Domain("mod"),
        ["web", "api", "mod"] => Place::Web,
        ["web", "api", name, ..] => Place::WebApi(name),
        ["web", ..] => Place::Web,
        ["seeds", ..] => Place::Seeds,
        _ => Place::Top,
    }
}

/// Every `crate::…` path a source file names, as its segments (`["domain", "error", …]`),
/// with `use crate::{a, b::c}` groups expanded to one path per item.
fn crate_paths(source: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        expand("", rest, &mut out);
    }
    out
}

/// Reads one path (or a `{…}` group of them) at the start of `text`, after `prefix`.
fn expand(prefix: &str, text: &str, out: &mut Vec<Vec<String>>) {
    let path: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let full = format!("{prefix}{path}");
    let after = &text[path.len()..];
    if (path.ends_with("::") || path.is_empty())
        && let Some(group) = after.strip_prefix('{')
    {
        for item in top_level_items(group) {
            expand(&full, item.trim_start(), out);
        }
        return;
    }
    let segments: Vec<String> = full
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !segments.is_empty() {
        out.push(segments);
    }
}

/// The comma-separated items of a `{…}` group, up to its closing brace.
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0usize, 0usize, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn concept_may_use(from: &str, to: &str) -> bool {
    if from == to || DOMAIN_SHARED.contains(&to) || to == "mod" {
        return true;
    }
    if DOMAIN_SHARED.contains(&from) {
        // Shared modules know who acts (auth) and nothing of the concepts.
        return to == "auth";
    }
    if from == "imports" {
        return IMPORTS_EDGES.contains(&to);
    }
    CONCEPT_EDGES
        .iter()
        .find(|(name, _)| *name == from)
        .is_some_and(|(_, allowed)| allowed.contains(&to))
}

/// Why `import` may not appear in the file at `relative` (a path under `src/`), if it may not.
fn violation(relative: &str, import: &[String]) -> Option<String> {
    let mut first = import.first().map(String::as_str).unwrap_or_default();
    if DB_MACROS.contains(&first) {
        // `#[macro_export]` puts the db layer's macros at the crate's root.
        first = "db";
    }
    let second = import.get(1).map(String::as_str).unwrap_or("mod");
    let top_level = ["build_app", "openapi", "lib", "main"];
    if top_level.contains(&first) {
        return Some("nothing imports the top (lib.rs, main.rs, openapi.rs)".into());
    }
    let ok = match place(relative) {
        Place::Top => true,
        Place::Db => first == "db",
        Place::Config => false,
        Place::Domain(from) => match first {
            "db" | "config" => true,
            "domain" => concept_may_use(from, second),
            _ => false,
        },
        Place::WebApi(name) => match first {
            "web" if second == "api" => import.get(2).is_none_or(|n| n == name),
            "web" | "domain" | "db" | "config" => true,
            _ => false,
        },
        Place::Web => matches!(first, "web" | "domain" | "db" | "config"),
        Place::Seeds => matches!(first, "seeds" | "domain" | "db" | "config"),
    };
    (!ok).then(|| {
        format!(
            "{:?} may not import crate::{}",
            place(relative),
            import.join("::")
        )
    })
}

/// Files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every broken rule of the files under `src/`, as `file: reason`.
fn violations_in(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(src)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for import in crate_paths(&source) {
            if let Some(reason) = violation(&relative, &import) {
                found.push(format!("src/{relative}: {reason}"));
            }
        }
        let in_domain_or_db = matches!(place(&relative), Place::Domain(_) | Place::Db);
        if in_domain_or_db && source.contains("actix_web") {
            found.push(format!(
                "src/{relative}: the domain and db layers do not use actix_web"
            ));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_import_of_src_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations_in(&src);
    assert!(
        found.is_empty(),
        "imports that break the layering:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_planted_upward_import_is_named_with_its_file() {
    let dir = std::env::temp_dir().join(format!("liaison-arch-{}", std::process::id()));
    let store = dir.join("domain/enterprises");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(dir.join("web/api")).unwrap();
    std::fs::write(
        store.join("store.rs"),
        "use crate::db::schema::enterprises;\nuse crate::web::state::AppState;\n\
         use crate::domain::{error::AppError, visits::model::Visit};\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("web/api/visits.rs"),
        "use crate::domain::visits::store;\nuse crate::web::{body::read_json, api::demands::X};\n",
    )
    .unwrap();
    let found = violations_in(&dir);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        found,
        vec![
            "src/domain/enterprises/store.rs: Domain(\"enterprises\") may not import \
             crate::domain::visits::model::Visit",
            "src/domain/enterprises/store.rs: Domain(\"enterprises\") may not import \
             crate::web::state::AppState",
            "src/web/api/visits.rs: WebApi(\"visits\") may not import crate::web::api::demands::X",
        ]
    );
}

#[test]
fn paths_are_read_from_groups_and_bodies() {
    let paths = crate_paths(
        "use crate::{db::clock, domain::{error::AppError, actor::Actor}};\nlet x = crate::web::f();",
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        joined,
        vec![
            "db::clock",
            "domain::error::AppError",
            "domain::actor::Actor",
            "web::f"
        ]
    );
}

/// Files over 400 lines and functions over 60 (outside tests and seeds): each `file: reason`.
fn oversized_in(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(src)
            .unwrap_or(&file)
            .display()
            .to_string();
        // Seed data, and the schema `diesel print-schema` writes (one block per table), are not
        // code a person splits.
        if relative.starts_with("seeds") || relative == "db/schema.rs" {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        let lines: Vec<&str> = source.lines().collect();
        if lines.len() > 400 {
            found.push(format!("src/{relative}: {} lines", lines.len()));
        }
        for (name, length) in function_lengths(&lines) {
            if length > 60 {
                found.push(format!("src/{relative}: fn {name} has {length} lines"));
            }
        }
    }
    found
}

/// Each function's name and length in lines, up to the file's tests.
fn function_lengths(lines: &[&str]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() && !lines[i].starts_with("#[cfg(test)]") {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        let head = line.trim_start();
        let head = head
            .strip_prefix("pub ")
            .or_else(|| head.strip_prefix("pub(super) "))
            .unwrap_or(head);
        let head = head.strip_prefix("async ").unwrap_or(head);
        // A trait's `fn key(&self) -> Key;` declares a function without a body, on one line or
        // several: its signature ends with `;` where a function's ends with `{`.
        let signature_end = (i..lines.len()).find(|&j| {
            let line = lines[j].trim_end();
            line.ends_with('{') || line.ends_with(';')
        });
        let declaration = signature_end.is_none_or(|j| lines[j].trim_end().ends_with(';'));
        if let Some(rest) = head.strip_prefix("fn ").filter(|_| !declaration) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let close = format!("{}}}", " ".repeat(indent));
            let end = (i..lines.len()).find(|&j| lines[j] == close).unwrap_or(i);
            out.push((name, end - i + 1));
            i = end;
        }
        i += 1;
    }
    out
}

#[test]
fn files_and_functions_stay_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = oversized_in(&src);
    assert!(
        found.is_empty(),
        "split these into named pieces:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_declaration_over_several_lines_has_no_body_to_measure() {
    let lines = [
        "trait Source {",
        "    fn next(",
        "        &mut self,",
        "    ) -> impl Future<Output = ()> + Send;",
        "}",
        "impl Walk {",
        "    fn step() {",
        "    }",
        "}",
    ];
    assert_eq!(function_lengths(&lines), vec![("step".to_owned(), 2)]);
}

#[test]
fn a_long_function_is_measured_to_its_closing_brace() {
    let mut lines = vec!["pub async fn long(", ") {"];
    lines.extend(std::iter::repeat_n("    step();", 70));
    lines.extend(["}", "fn short() {", "}"]);
    let lengths = function_lengths(&lines);
    assert_eq!(
        lengths,
        vec![("long".to_owned(), 73), ("short".to_owned(), 2)]
    );
}
