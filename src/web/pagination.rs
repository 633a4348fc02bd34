//! The `{items, next_cursor}` page of a list, its `limit`, and its cursor as a query parameter
//! (the keyset itself is [`crate::db::keyset`]).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::keyset::{self, Keyed, encode_cursor};

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

    /// Builds a page from up to `limit + 1` rows of a list sorted by their [`Keyed`] key.
    pub fn of(rows: Vec<T>, limit: i64) -> Self
    where
        T: Keyed,
    {
        Self::from_rows(rows, limit, Keyed::key)
    }

    /// Builds a page from up to `limit + 1` rows: the extra row only says that more exist.
    /// `key` gives a row's position (for lists whose sort the caller chooses).
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

/// The position a `cursor` query parameter names in a list of `T`; anything but a cursor of
/// that list is a 400.
pub fn cursor_of<T: Keyed>(cursor: Option<&str>) -> AppResult<Option<T::Key>> {
    decode_cursor(cursor)
}

/// Decodes a cursor of a list whose key is `K`; anything else is a 400.
pub fn decode_cursor<K: serde::de::DeserializeOwned>(cursor: Option<&str>) -> AppResult<Option<K>> {
    keyset::decode_cursor(cursor).map_err(|keyset::BadCursor| {
        AppError::BadRequest("the cursor is not valid; start again without it".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert_eq!(checked_limit(None).ok(), Some(50));
        assert_eq!(checked_limit(Some(200)).ok(), Some(200));
        assert!(checked_limit(Some(201)).is_err());
        assert!(checked_limit(Some(0)).is_err());
        assert!(checked_limit(Some(-1)).is_err());
    }
}
