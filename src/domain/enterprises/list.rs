//! The enterprise list: filters, the caller's sort, keyset pages.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Enterprise, EnterpriseSize, EnterpriseStatus};
use crate::db::schema::{enterprises, regions};
use crate::domain::error::{AppError, AppResult};
use crate::domain::validation::like_pattern;

/// Sort orders of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    DesignatedOn,
    UpdatedAt,
}

/// Where the previous page ended.
#[derive(Debug, Clone)]
pub enum After {
    Name(String, Uuid),
    DesignatedOn(NaiveDate, Uuid),
    UpdatedAt(DateTime<Utc>, Uuid),
}

/// Filters of the enterprise list (its query parameters, and the export's).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilter {
    /// Substring of the name or credit code (Chinese included).
    pub q: Option<String>,
    /// A region; a city code matches its counties too.
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub status: Option<EnterpriseStatus>,
    /// Assigned department code.
    pub department: Option<String>,
    /// Liaison officer's user id.
    pub officer: Option<Uuid>,
    pub tag: Option<String>,
    /// Designated on or after.
    pub designated_from: Option<NaiveDate>,
    /// Designated on or before.
    pub designated_to: Option<NaiveDate>,
}

// The two-character pieces of a name (migration 000009), indexed by GIN.
diesel::define_sql_function!(fn name_bigrams(name: diesel::sql_types::Text) -> diesel::sql_types::Array<diesel::sql_types::Text>);

/// One page (plus one row) of enterprises. Each sort is served by its `(column, id)` index;
/// `q` by the trigram indexes on name and credit code; the array filters by GIN indexes.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: EnterpriseFilter,
    sort: SortKey,
    descending: bool,
    after: Option<After>,
    limit: i64,
) -> AppResult<Vec<Enterprise>> {
    let mut query = enterprises::table
        .select(Enterprise::as_select())
        .into_boxed();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = search(query, q);
    }
    query = filtered(query, f);
    query = sorted(query, sort, descending, after)?;
    Ok(query.limit(limit + 1).load(conn).await?)
}

/// The list's query before its filters.
type ListQuery = enterprises::BoxedQuery<
    'static,
    diesel::pg::Pg,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<Enterprise, diesel::pg::Pg>>,
>;

/// The search `q`: a credit code is 18 ASCII letters and digits, so other text (Chinese)
/// searches names only, and text without Latin letters needs no case folding. Two characters
/// (a Chinese brand) yield no trigram: the index of two-character pieces serves them.
fn search(query: ListQuery, q: &str) -> ListQuery {
    let pattern = like_pattern(q);
    if q.chars().all(|c| c.is_ascii_alphanumeric()) {
        query.filter(
            enterprises::name
                .ilike(pattern.clone())
                .or(enterprises::credit_code.like(pattern.to_uppercase())),
        )
    } else if q.chars().any(|c| c.is_ascii_alphabetic()) {
        query.filter(enterprises::name.ilike(pattern))
    } else if q.chars().count() == 2 {
        query.filter(name_bigrams(enterprises::name).contains(vec![q.to_owned()]))
    } else {
        query.filter(enterprises::name.like(pattern))
    }
}

/// The list's filters other than `q`.
fn filtered(mut query: ListQuery, f: EnterpriseFilter) -> ListQuery {
    if let Some(region) = f.region_code {
        let in_region = regions::table
            .filter(
                regions::code
                    .eq(region.clone())
                    .or(regions::parent_code.eq(region)),
            )
            .select(regions::code);
        query = query.filter(enterprises::region_code.eq_any(in_region));
    }
    crate::filter_present!(query,
        f.category => |category| enterprises::category.eq(category),
        f.size => |size| enterprises::size.eq(size),
        f.status => |status| enterprises::status.eq(status),
        f.department => |department| enterprises::assigned_departments.contains(vec![department]),
        f.officer => |officer| enterprises::liaison_officers.contains(vec![officer]),
        f.tag => |tag| enterprises::tags.contains(vec![tag]),
        f.designated_from => |from| enterprises::designated_on.ge(from),
        f.designated_to => |to| enterprises::designated_on.le(to),
    );
    query
}

/// The caller's sort, after the cursor's position; a cursor of another sort is a 400.
fn sorted(
    mut query: ListQuery,
    sort: SortKey,
    descending: bool,
    after: Option<After>,
) -> AppResult<ListQuery> {
    use enterprises::{designated_on as on, id, name, updated_at as updated};
    let desc = descending;
    match (sort, after) {
        (SortKey::Name, Some(After::Name(v, last))) => {
            crate::keyset_sorted!(query, name, id, Some((v, last)), desc)
        }
        (SortKey::Name, None) => {
            crate::keyset_sorted!(query, name, id, None::<(String, Uuid)>, desc)
        }
        (SortKey::DesignatedOn, Some(After::DesignatedOn(v, last))) => {
            crate::keyset_sorted!(query, on, id, Some((v, last)), desc)
        }
        (SortKey::DesignatedOn, None) => {
            crate::keyset_sorted!(query, on, id, None::<(NaiveDate, Uuid)>, desc)
        }
        (SortKey::UpdatedAt, Some(After::UpdatedAt(v, last))) => {
            crate::keyset_sorted!(query, updated, id, Some((v, last)), desc)
        }
        (SortKey::UpdatedAt, None) => {
            crate::keyset_sorted!(query, updated, id, None::<(DateTime<Utc>, Uuid)>, desc)
        }
        _ => return Err(bad_cursor()),
    }
    Ok(query)
}

fn bad_cursor() -> AppError {
    AppError::BadRequest("the cursor belongs to another sort order; start again without it".into())
}
