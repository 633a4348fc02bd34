//! Problem texts in the reader's language (issue 19): Chinese when `Accept-Language` prefers
//! `zh`, English otherwise, said in `Content-Language`; `type` and `code` never change. And every
//! message the code writes has its Chinese text: the messages are read out of `src/`.

use serde_json::json;

use crate::common::{TestApp, enterprise_body};

#[actix_web::test]
async fn problems_speak_chinese_to_those_who_prefer_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let missing = "/api/v1/enterprises/00000000-0000-0000-0000-000000000001";
    let chinese_range = [("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")];
    let zh = app
        .send("GET", missing, Some(&admin.token), &chinese_range, None)
        .await;
    let en = app
        .send("GET", missing, Some(&admin.token), &[], None)
        .await;
    assert_eq!((zh.status, en.status), (404, 404));
    assert_eq!(zh.body["type"], en.body["type"], "the type is for programs");
    assert_eq!(
        (zh.body["title"].as_str(), zh.body["detail"].as_str()),
        (Some("未找到"), Some("没有这家企业"))
    );
    assert_eq!(
        (en.body["title"].as_str(), en.body["detail"].as_str()),
        (Some("Not found"), Some("no such enterprise"))
    );
    assert_eq!(zh.header("content-language").as_deref(), Some("zh-CN"));
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    let varies = zh.headers.get_all("vary").filter_map(|v| v.to_str().ok());
    assert!(
        varies.into_iter().any(|v| v.contains("Accept-Language")),
        "{:?}",
        zh.headers
    );

    // A body with three bad fields: the same fields and codes, messages in each language.
    let bad = enterprise_body(
        7,
        json!({"credit_code": "91360100MA38T3KX5A", "size": "huge", "name": " "}),
    );
    let body = Some(("application/json", bad.to_string()));
    let path = "/api/v1/enterprises";
    let zh_range = [("Accept-Language", "zh-Hans")];
    let zh = app
        .send("POST", path, Some(&admin.token), &zh_range, body.clone())
        .await;
    let en = app
        .send(
            "POST",
            path,
            Some(&admin.token),
            &[("Accept-Language", "en-GB")],
            body,
        )
        .await;
    assert_eq!((zh.status, en.status), (422, 422));
    let codes = |r: &crate::common::Resp| {
        r.field_errors()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&zh), codes(&en));
    assert_eq!(zh.body["title"], "填写有误");
    let chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for (zh, en) in zh.field_errors().iter().zip(en.field_errors()) {
        assert!(chinese(&zh.message), "{}: {}", zh.field, zh.message);
        assert!(!chinese(&en.message), "{}: {}", en.field, en.message);
    }
}

/// Where the code hands a problem its words.
const MARKERS: &[&str] = &[
    "AppError::BadRequest(",
    "AppError::Unauthorized(",
    "AppError::Forbidden(",
    "AppError::NotFound(",
    "AppError::Conflict(",
    "AppError::UnsupportedMediaType(",
    "AppError::Busy(",
    "AppError::invalid(",
    "FieldError::new(",
    "error(\"",
    "forbidden(\"",
    "needs_reason(\"",
    "reason_required(\"",
    "message: \"",
    "message: format!(",
    "cell_error(",
    "whole_file(",
    "too_large(",
    "custom(",
    "=> (\"",
    ".message = Some(",
    "Err(\"",
    "Err(format!(",
    "map_err(|e| format!(",
];

/// Texts the markers find that no problem document carries: a content type, an alert's
/// wording and a webhook delivery's `last_error` (both read by programs and operators).
const NOT_PROBLEM_TEXTS: &[&str] = &[
    "text/csv; charset=utf-8",
    "never visited",
    "the address is loopback, private or link-local",
];

#[test]
fn every_message_in_the_code_has_its_chinese_text() {
    let mut files = Vec::new();
    collect(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut files,
    );
    let mut checked = 0;
    let mut missing = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for marker in MARKERS {
            for (at, _) in source.match_indices(marker) {
                // A marker ending in a quote opens the literal itself.
                let start = at + marker.len() - usize::from(marker.ends_with('"'));
                let Some(message) = message_after(&source[start..]) else {
                    continue;
                };
                // Titles (capitalized) are translated by the problem's slug.
                let is_title = message.starts_with(|c: char| c.is_ascii_uppercase());
                if is_title || NOT_PROBLEM_TEXTS.contains(&message.as_str()) {
                    continue;
                }
                checked += 1;
                if !liaison::web::messages::has_chinese(&message) {
                    missing.push(format!("{}: {message}", file.display()));
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(checked > 150, "only {checked} messages found");
    assert!(
        missing.is_empty(),
        "no Chinese text for:\n{}",
        missing.join("\n")
    );
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The message among the string literals of a call (up to its closing parenthesis): the longest
/// with a space in it (field names and codes have none), its `{…}` values filled in with `7`.
fn message_after(call: &str) -> Option<String> {
    let (mut depth, mut literals, mut chars) = (0_i32, Vec::new(), call.char_indices());
    let mut open_quote = call.starts_with('"').then_some(0);
    if open_quote.is_some() {
        chars.next();
    }
    while let Some((i, c)) = chars.next() {
        match (open_quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(start), '"') => {
                literals.push(&call[start + 1..i]);
                open_quote = None;
            }
            (Some(_), _) => {}
            (None, '"') => open_quote = Some(i),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => break,
            (None, ')') => depth -= 1,
            (None, ';') => break,
            _ => {}
        }
    }
    let literal = literals
        .into_iter()
        .filter(|l| l.contains(' '))
        .max_by_key(|l| l.len())?;
    Some(filled(&unescaped(literal)))
}

/// A Rust literal's text: line continuations joined, escaped quotes plain.
fn unescaped(literal: &str) -> String {
    let mut out = String::new();
    let mut rest = literal;
    while let Some(at) = rest.find("\\\n") {
        out.push_str(&rest[..at]);
        rest = rest[at + 2..].trim_start();
    }
    out.push_str(rest);
    out.replace("\\\"", "\"")
}

/// A format string with each `{name}` replaced by a value.
fn filled(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('7');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}
