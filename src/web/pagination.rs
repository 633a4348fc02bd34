//! The `{items, next_cursor}` page of a list, its `limit`, and its cursor as a query parameter
//! (the keyset itself is [`crate::db::keyset`]).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::keyset::{self, Keyed};
use crate::domain::error::{AppError, AppResult};
use crate::web::body::{parse_query, split_query, text_problem};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
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
    pub fn from_rows<K: Serialize>(rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> Self {
        let (items, next_cursor) = keyset::page(rows, limit, key);
        Page { items, next_cursor }
    }
}

/// The paging parameters every list takes, as the OpenAPI document shows them; the
/// [`Listing`] extractor reads them.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The query of a list: its filter `F` (strict: an unknown parameter is 400), the page, and
/// the `sort` of a list that offers one (`S`; lists without one refuse the parameter).
pub struct Listing<F, S = NoSort> {
    pub filter: F,
    pub sort: Option<S>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The `sort` of a list that has one fixed order: any value is refused.
#[derive(Debug)]
pub enum NoSort {}

impl<'de> serde::Deserialize<'de> for NoSort {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom(
            "this list has a fixed order and takes no `sort`",
        ))
    }
}

impl<F, S> Listing<F, S> {
    /// The page size (see [`checked_limit`]).
    pub fn limit(&self) -> AppResult<i64> {
        checked_limit(self.limit)
    }

    /// Where the page starts in a list of `T` (see [`cursor_of`]).
    pub fn after<T: Keyed>(&self) -> AppResult<Option<T::Key>> {
        cursor_of::<T>(self.cursor.as_deref())
    }

    /// The raw cursor, for lists whose key depends on the sort asked for.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }
}

impl<F: DeserializeOwned + 'static, S: DeserializeOwned + 'static> FromRequest for Listing<F, S> {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_listing(req.query_string()))
    }
}

/// Splits `limit`, `cursor` and `sort` off the query and reads the rest as the filter.
fn parse_listing<F: DeserializeOwned, S: DeserializeOwned>(
    query: &str,
) -> AppResult<Listing<F, S>> {
    let (page, filter) = split_query(query, &["limit", "cursor", "sort"])?;
    let page = parse_query::<PageQuery<S>>(&page)?.0;
    Ok(Listing {
        filter: parse_query::<F>(&filter)?.0,
        sort: page.sort,
        limit: page.limit,
        cursor: page.cursor,
    })
}

/// [`PageParams`] as parsed (a repeated parameter is 400).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery<S> {
    limit: Option<i64>,
    cursor: Option<String>,
    sort: Option<S>,
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

/// Decodes a cursor of a list whose key is `K`; anything else — a forged cursor holding NUL or
/// a date out of range included — is a 400.
pub fn decode_cursor<K: serde::de::DeserializeOwned>(cursor: Option<&str>) -> AppResult<Option<K>> {
    let bad = || AppError::BadRequest("the cursor is not valid; start again without it".into());
    let Some(raw) = keyset::decode_cursor::<serde_json::Value>(cursor).map_err(|_| bad())? else {
        return Ok(None);
    };
    let texts = match &raw {
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
        other => other.as_str().into_iter().collect::<Vec<_>>(),
    };
    if texts.iter().any(|t| text_problem(t).is_some()) {
        return Err(bad());
    }
    serde_json::from_value(raw).map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filter {
        status: Option<String>,
    }

    #[test]
    fn a_listing_splits_the_page_from_the_filter() {
        let listing = parse_listing::<Filter, NoSort>("status=open&limit=5&cursor=abc")
            .ok()
            .unwrap();
        assert_eq!(listing.filter.status.as_deref(), Some("open"));
        assert_eq!(listing.limit().ok(), Some(5));
        assert_eq!(listing.cursor(), Some("abc"));
        assert!(parse_listing::<Filter, NoSort>("other=1").is_err());
        assert!(parse_listing::<Filter, NoSort>("limit=1&limit=2").is_err());
        assert!(parse_listing::<Filter, NoSort>("limit=many").is_err());
        assert!(parse_listing::<Filter, NoSort>("status=a%00b").is_err());
        assert!(parse_listing::<Filter, NoSort>("sort=name").is_err());
        let sorted = parse_listing::<Filter, String>("sort=name").ok().unwrap();
        assert_eq!(sorted.sort.as_deref(), Some("name"));
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
