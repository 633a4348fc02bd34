//! Keyset pagination: opaque cursors and the `{items, next_cursor}` page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::domain::error::{AppError, AppResult};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// A complete list in one page (reference data).
    pub fn all(items: Vec<T>) -> Self {
        Page {
            items,
            next_cursor: None,
        }
    }

    /// Builds a page from up to `limit + 1` rows: the extra row only says that more exist.
    pub fn from_rows<K: Serialize>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// Checks `limit` (1..=200, default 50); anything else is a 422 on `limit`.
pub fn checked_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            "range",
            "limit must be between 1 and 200",
        )),
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`]; anything else is a 400.
pub fn decode_cursor<K: DeserializeOwned>(cursor: Option<&str>) -> AppResult<Option<K>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let bad = || AppError::BadRequest("the cursor is not valid; start again without it".into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_tampering() {
        let key = ("张三".to_string(), uuid::Uuid::nil());
        let cursor = encode_cursor(&key);
        let back: Option<(String, uuid::Uuid)> = decode_cursor(Some(&cursor)).ok().flatten();
        assert_eq!(back, Some(key));
        assert!(decode_cursor::<(String, uuid::Uuid)>(Some("not*base64")).is_err());
        assert!(decode_cursor::<(String, uuid::Uuid)>(Some(&encode_cursor(&42))).is_err());
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(checked_limit(None).ok(), Some(50));
        assert_eq!(checked_limit(Some(200)).ok(), Some(200));
        assert!(checked_limit(Some(201)).is_err());
        assert!(checked_limit(Some(0)).is_err());
        assert!(checked_limit(Some(-1)).is_err());
    }
}
