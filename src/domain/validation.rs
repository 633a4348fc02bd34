//! Field rules shared by the request types (used with `#[validate(custom(function = …))]`).

use std::borrow::Cow;

use validator::ValidationError;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut e = ValidationError::new(code);
    e.message = Some(Cow::Borrowed(message));
    e
}

/// Required text may not be empty or only whitespace.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(error("blank", "may not be empty or blank"));
    }
    Ok(())
}

/// A `LIKE` pattern finding `q` anywhere: `%` and `_` in a search are literal characters, not
/// wildcards.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The one form of a username, for creation, lookup and throttling alike: NFKC, then lower
/// case; `None` unless that is 3 to 64 of `a-z`, `0-9`, `.`, `_`, `-`. (So `İ` or a full-width
/// letter can neither name an account nor count under another key than the account's.)
pub fn canonical_username(raw: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    // Anything this long cannot become 64 characters: refuse before doing any work.
    if raw.len() > 4 * 64 {
        return None;
    }
    let folded: String = raw.nfkc().flat_map(char::to_lowercase).collect();
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    ((3..=64).contains(&folded.len()) && folded.chars().all(allowed)).then_some(folded)
}

/// Usernames: 3 to 64 of letters, digits, `.`, `_`, `-` (stored in their canonical form).
pub fn username(value: &str) -> Result<(), ValidationError> {
    if canonical_username(value).is_none() {
        return Err(error(
            "invalid_username",
            "3 to 64 letters, digits, '.', '_' or '-'",
        ));
    }
    Ok(())
}

/// Department codes: a lower-case letter, then 1 to 31 lower-case letters, digits or `_`.
pub fn department_code(value: &str) -> Result<(), ValidationError> {
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !(first_ok && rest_ok && (2..=32).contains(&value.len())) {
        return Err(error(
            "invalid_code",
            "2 to 32 characters: a lower-case letter, then letters, digits or '_'",
        ));
    }
    Ok(())
}

/// A password: at least 12 characters (counted as characters, so Chinese counts too), at most 256.
pub fn password(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n < 12 {
        return Err(error("too_short", "at least 12 characters"));
    }
    if n > 256 {
        return Err(error("too_long", "at most 256 characters"));
    }
    Ok(())
}

/// A list of roles must not be empty.
pub fn non_empty_roles(value: &[crate::domain::actor::Role]) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(error("required", "at least one role"));
    }
    Ok(())
}

/// The first and last business date: nothing this service records happened before the
/// People's Republic was founded or will be planned past this century.
pub const FIRST_DATE: (i32, u32, u32) = (1949, 10, 1);
pub const LAST_DATE: (i32, u32, u32) = (2099, 12, 31);

/// What is wrong with a text that is a date or a timestamp (`YYYY-MM-DD…`, a sign and more
/// year digits included): `Some` when its date is outside [`FIRST_DATE`]..=[`LAST_DATE`];
/// `None` for a date in range and for any text that is not a date at all.
pub fn date_out_of_range(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let signed = matches!(bytes.first(), Some(b'+' | b'-'));
    let body = &bytes[usize::from(signed)..];
    let year_digits = body.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &body[year_digits..];
    let digits = |range: std::ops::Range<usize>| {
        rest.get(range)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')))
    };
    let (Some(month), Some(day)) = (digits(1..3), digits(4..6)) else {
        return None;
    };
    if year_digits < 4 || rest[0] != b'-' || rest[3] != b'-' {
        return None;
    }
    let year = body[..year_digits]
        .iter()
        .try_fold(0i64, |n, b| {
            n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })
        .unwrap_or(i64::MAX);
    let year = if bytes[0] == b'-' { -year } else { year };
    let first = (i64::from(FIRST_DATE.0), FIRST_DATE.1, FIRST_DATE.2);
    let last = (i64::from(LAST_DATE.0), LAST_DATE.1, LAST_DATE.2);
    let date = (year, month, day);
    (date < first || date > last).then_some("dates run from 1949-10-01 to 2099-12-31")
}

/// Drops repeated items, keeping the first of each (lists here are short: their length is
/// checked at the edge).
pub fn dedup_keep_order<T: PartialEq + Clone>(list: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(list.len());
    list.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_dates_run_from_1949_to_2099() {
        for bad in [
            "0001-01-01",
            "-5000-01-01",
            "+262142-12-31",
            "1949-09-30",
            "2100-01-01T00:00:00Z",
        ] {
            assert!(date_out_of_range(bad).is_some(), "{bad}");
        }
        for fine in [
            "1949-10-01",
            "2026-12-02",
            "2099-12-31T23:59:59+08:00",
            "2026-Q3",
            "江西",
            "12345",
            "2026-01-长长",
            "2026-长",
        ] {
            assert!(date_out_of_range(fine).is_none(), "{fine}");
        }
    }

    #[test]
    fn usernames_have_one_canonical_form() {
        assert_eq!(
            canonical_username("Zhang.San").as_deref(),
            Some("zhang.san")
        );
        // Full-width letters and the Kelvin sign fold to ASCII.
        assert_eq!(canonical_username("ＡＤＭＩＮ").as_deref(), Some("admin"));
        assert_eq!(canonical_username("\u{212A}ing").as_deref(), Some("king"));
        // A dotted capital I lower-cases to i + combining dot: not a username.
        assert_eq!(canonical_username("\u{130}nspector"), None);
        assert_eq!(canonical_username("a\0b.c"), None);
        assert_eq!(canonical_username(&"x".repeat(3000)), None);
        assert_eq!(canonical_username("ab"), None);
    }

    #[test]
    fn rules() {
        assert!(not_blank("  ").is_err());
        assert!(not_blank("南昌").is_ok());
        assert!(username("li.wei").is_ok());
        assert!(username("李伟").is_err());
        assert!(department_code("gxw").is_ok());
        assert!(department_code("Gxw").is_err());
        assert!(department_code("g").is_err());
        assert!(password("短密码短密码短密码短密码").is_ok());
        assert!(password("short").is_err());
    }
}
