//! Keyset pagination, one way for every list: a row type names its sort key ([`Keyed`]), the
//! opaque cursor is that key encoded, a store filters with [`keyset_after!`] over the same
//! columns, and a page's next cursor is the key of its last row.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A row of a list sorted by some columns and then its id.
pub trait Keyed {
    /// The sort columns' values, id last, e.g. `(DateTime<Utc>, Uuid)`.
    type Key: Serialize + DeserializeOwned;

    /// This row's position in the list.
    fn key(&self) -> Self::Key;
}

/// Encodes a position as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Up to `limit` of `rows` (a list reads one more than it shows) and the cursor after the last
/// one shown, when there are more.
pub fn page<T, K: Serialize>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next_cursor = if more {
        rows.last().map(|last| encode_cursor(&key(last)))
    } else {
        None
    };
    (rows, next_cursor)
}

/// A cursor this service did not make (or made for another list).
#[derive(Debug, PartialEq, Eq)]
pub struct BadCursor;

/// Decodes a cursor made by [`encode_cursor`] for a key of type `K`.
pub fn decode_cursor<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, BadCursor> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| BadCursor)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| BadCursor)
}

/// The rows after position `(value, id)` of a list sorted by `(column, id)`: the bounded form
/// `column <= value AND (column < value OR id < id)` (descending) or with `>=`/`>` (ascending),
/// which an index on `(column, id)` serves as one range.
///
/// `keyset_after!(desc, visits::visited_on, visits::id, (on, id))`
#[macro_export]
macro_rules! keyset_after {
    (desc, $column:expr, $id_column:expr, ($value:expr, $id:expr)) => {{
        let value = $value;
        $column
            .le(value.clone())
            .and($column.lt(value).or($id_column.lt($id)))
    }};
    (asc, $column:expr, $id_column:expr, ($value:expr, $id:expr)) => {{
        let value = $value;
        $column
            .ge(value.clone())
            .and($column.gt(value).or($id_column.gt($id)))
    }};
}

/// A boxed query cut to one page of a fixed-order list: the rows after `after`
/// (`Option<(value, id)>`), ordered by `(column, id)` ascending or descending, and one row more
/// than `limit`, which tells that more follow (see [`page`]).
///
/// `keyset_page!(query by visits::visited_on, visits::id, desc; after, limit).load(conn)`
#[macro_export]
macro_rules! keyset_page {
    ($query:ident by $column:expr, $id_column:expr, asc; $after:expr, $limit:expr) => {{
        let mut query = $query;
        $crate::keyset_sorted!(query, $column, $id_column, $after, false);
        query.limit($limit + 1)
    }};
    ($query:ident by $column:expr, $id_column:expr, desc; $after:expr, $limit:expr) => {{
        let mut query = $query;
        $crate::keyset_sorted!(query, $column, $id_column, $after, true);
        query.limit($limit + 1)
    }};
}

/// A boxed query filtered to the rows after `after` (`Some((value, id))`) and ordered by
/// `(column, id)`, ascending or descending: one keyset page of a sort the caller chose.
///
/// `keyset_sorted!(query, enterprises::name, enterprises::id, after, descending)`
#[macro_export]
macro_rules! keyset_sorted {
    ($query:ident, $column:expr, $id_column:expr, $after:expr, $descending:expr) => {{
        if let Some((after_value, after_id)) = $after {
            $query = if $descending {
                $query.filter($crate::keyset_after!(
                    desc,
                    $column,
                    $id_column,
                    (after_value, after_id)
                ))
            } else {
                $query.filter($crate::keyset_after!(
                    asc,
                    $column,
                    $id_column,
                    (after_value, after_id)
                ))
            };
        }
        $query = if $descending {
            $query.order(($column.desc(), $id_column.desc()))
        } else {
            $query.order(($column.asc(), $id_column.asc()))
        };
    }};
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
        assert_eq!(decode_cursor::<(String, uuid::Uuid)>(None), Ok(None));
    }
}
