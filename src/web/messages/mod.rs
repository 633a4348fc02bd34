//! Problem texts in the caller's language: English as the code writes them, or Chinese from the
//! catalog ([`catalog`]). Only `title`, `detail` and field `message`s change; `type` and `code`
//! never do, so programs keep working.

mod catalog;

use crate::domain::error::{FieldError, RowError};
use crate::web::language::Language;

/// A problem's title in `language` (`slug` is the end of its `type`).
pub fn title(slug: &str, english: &str, language: Language) -> String {
    match language {
        Language::English => english.to_owned(),
        Language::Chinese => lookup(catalog::TITLES, slug).unwrap_or(english).to_owned(),
    }
}

/// A problem's detail in `language`, within its limit; in Chinese, the problem's title leads a
/// text the catalog does not know.
pub fn detail(slug: &str, english: &str, language: Language) -> String {
    let text = in_language(english, language, || {
        lookup(catalog::TITLES, slug).unwrap_or("出错")
    });
    capped(text, 2000)
}

/// A bad field as shown: its message in `language`, every text within its limit.
pub fn field(error: &FieldError, language: Language) -> FieldError {
    FieldError {
        field: capped(error.field.clone(), 200),
        code: capped(error.code.clone(), 64),
        message: capped(field_message(&error.code, &error.message, language), 500),
    }
}

/// A bad cell of an import as shown: its message in `language`, every text within its limit.
pub fn cell(error: &RowError, language: Language) -> RowError {
    RowError {
        row: error.row,
        column: capped(error.column.clone(), 200),
        code: capped(error.code.clone(), 64),
        message: capped(field_message(&error.code, &error.message, language), 500),
    }
}

/// `text` cut to at most `max` characters. A detail, a field's path or a column's header may
/// quote what the client sent; the document declares these limits (`openapi::limits`).
fn capped(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
    }
    text
}

/// A field's message in `language`; in Chinese, its code's meaning leads a text the catalog
/// does not know (a parser's own words, say).
fn field_message(code: &str, english: &str, language: Language) -> String {
    in_language(english, language, || {
        lookup(catalog::CODES, code).unwrap_or("取值无效")
    })
}

fn in_language(text: &str, language: Language, lead: impl FnOnce() -> &'static str) -> String {
    match language {
        // Written in both already (`中文 (English)`): English readers keep both, as the Chinese
        // half may carry values the English one leaves out.
        Language::English => text.to_owned(),
        Language::Chinese => match bilingual(text) {
            Some(chinese) => chinese.to_owned(),
            None => chinese(text).unwrap_or_else(|| format!("{}：{text}", lead())),
        },
    }
}

/// `text` in Chinese, when the catalog has its pattern; the values it quotes are translated too
/// where the catalog knows them (`a resolved demand …` → `已办结的诉求…`).
pub fn chinese(text: &str) -> Option<String> {
    catalog::MESSAGES.iter().find_map(|(pattern, chinese)| {
        let values = captures(pattern, text)?;
        let mut out = String::new();
        let mut pieces = chinese.split("{}");
        out.push_str(pieces.next().unwrap_or_default());
        for (piece, value) in pieces.zip(values) {
            out.push_str(&self::chinese(value).unwrap_or_else(|| value.to_owned()));
            out.push_str(piece);
        }
        Some(out)
    })
}

/// The values each `{}` of `pattern` stands for in `text`, when `text` has its shape.
fn captures<'t>(pattern: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let mut pieces = pattern.split("{}");
    let mut rest = text.strip_prefix(pieces.next()?)?;
    let pieces: Vec<&str> = pieces.collect();
    let mut values = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate() {
        let end = if i + 1 == pieces.len() {
            rest.strip_suffix(piece).map(str::len)?
        } else {
            rest.find(piece)?
        };
        if end == 0 {
            return None;
        }
        values.push(&rest[..end]);
        rest = &rest[end + piece.len()..];
    }
    (pieces.is_empty() && rest.is_empty() || !pieces.is_empty()).then_some(values)
}

/// The Chinese half of a message already written in both languages, `中文 (English)`.
fn bilingual(text: &str) -> Option<&str> {
    let is_chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let (chinese, english) = text.rsplit_once(" (")?;
    let english = english.strip_suffix(')')?;
    (chinese.chars().any(is_chinese) && !english.chars().any(is_chinese)).then_some(chinese.trim())
}

fn lookup<'a>(table: &'a [(&str, &str)], key: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Whether the catalog has a Chinese text for `text` (tests walk every message with it).
pub fn has_chinese(text: &str) -> bool {
    bilingual(text).is_some() || chinese(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_carry_their_values_across() {
        assert_eq!(
            chinese("at most 200 characters").unwrap(),
            "最多 200 个字符"
        );
        assert_eq!(chinese("no department `xyz`").unwrap(), "没有部门 `xyz`");
        assert_eq!(
            chinese("a resolved demand cannot move to open").unwrap(),
            "已办结的诉求不能转为待受理"
        );
        assert_eq!(chinese("no such enterprise, really"), None);
        assert_eq!(
            chinese("at most  characters"),
            None,
            "a value is never empty"
        );
    }

    #[test]
    fn every_pattern_has_as_many_values_in_both_languages() {
        for (english, chinese) in catalog::MESSAGES {
            assert_eq!(
                english.matches("{}").count(),
                chinese.matches("{}").count(),
                "{english}"
            );
        }
    }

    #[test]
    fn texts_follow_the_language() {
        let zh = Language::Chinese;
        assert_eq!(title("not-found", "Not found", zh), "未找到");
        assert_eq!(detail("not-found", "no such demand", zh), "没有这条诉求");
        assert_eq!(
            detail("not-found", "no such demand", Language::English),
            "no such demand"
        );
        // A parser's words of a known shape, and of an unknown one (the code's meaning leads).
        assert_eq!(
            field_message("type", "invalid type: integer `5`, expected a string", zh),
            "类型不对：integer `5`，应为 a string"
        );
        assert_eq!(
            field_message("invalid", "trailing characters", zh),
            "取值无效：trailing characters"
        );
        // Written in both already: Chinese readers get the Chinese half, English ones both.
        let both = "撤销须写明原因 (a withdrawal states why)";
        assert_eq!(field_message("required", both, zh), "撤销须写明原因");
        assert_eq!(field_message("required", both, Language::English), both);
    }
}
