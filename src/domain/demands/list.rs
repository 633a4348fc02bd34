//! The demand list: newest first, keyset-paginated, each filter served by an index.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use super::model::{DemandCategory, DemandRow, DemandStatus};
use crate::db::clock::china_midnight;
use crate::db::schema::demands;
use crate::domain::validation::like_pattern;

/// One status or several, comma-separated: `status=open,accepted`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statuses(pub Vec<DemandStatus>);

impl<'de> Deserialize<'de> for Statuses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parsed: Option<Vec<DemandStatus>> = text.split(',').map(DemandStatus::parse).collect();
        match parsed {
            Some(statuses) if !statuses.is_empty() && statuses.len() <= 6 => Ok(Statuses(statuses)),
            _ => Err(serde::de::Error::custom(
                "one or more of open, accepted, resolved, closed, rejected, returned, comma-separated",
            )),
        }
    }
}

/// Filters of the demand list (its query parameters); they combine.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DemandFilter {
    pub enterprise_id: Option<Uuid>,
    pub assigned_department: Option<String>,
    /// One status or several, comma-separated, e.g. `open,accepted`.
    #[param(
        value_type = Option<String>,
        example = "open,accepted",
        max_length = 64,
        pattern = r"^(open|accepted|resolved|closed|rejected|returned)(,(open|accepted|resolved|closed|rejected|returned)){0,5}$"
    )]
    pub status: Option<Statuses>,
    pub category: Option<DemandCategory>,
    /// `true`: only overdue demands.
    pub overdue: Option<bool>,
    /// `true`: only escalated demands (督办升级) still open or accepted.
    pub escalated: Option<bool>,
    /// Raised by this user.
    pub raised_by: Option<Uuid>,
    /// With this co-handling department (协办).
    pub co_department: Option<String>,
    /// Due before this day.
    pub due_before: Option<NaiveDate>,
    /// Raised on or after this day (China time).
    pub created_from: Option<NaiveDate>,
    /// Raised on or before this day.
    pub created_to: Option<NaiveDate>,
    /// Resolved (办结) on or after this day.
    pub resolved_from: Option<NaiveDate>,
    /// Resolved on or before this day.
    pub resolved_to: Option<NaiveDate>,
    /// Changed at or after this moment (RFC 3339), for a frontend that refreshes.
    pub updated_since: Option<DateTime<Utc>>,
    /// Words of the title, e.g. 用地 (at most 100 characters).
    #[param(max_length = 100)]
    #[serde(default, deserialize_with = "short_text")]
    pub q: Option<String>,
}

/// A search text of at most 100 characters (a longer one is refused, not cut).
fn short_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    if text.chars().count() > 100 {
        return Err(serde::de::Error::custom("q is at most 100 characters"));
    }
    Ok(Some(text))
}

type ListQuery<'a> = demands::BoxedQuery<
    'a,
    diesel::pg::Pg,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<DemandRow, diesel::pg::Pg>>,
>;

/// What a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    /// A demand without a due date sorts as due on 9999-12-31.
    DueOn,
}

/// Where the previous page ended, in the sort's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    At(DateTime<Utc>, Uuid),
    Day(NaiveDate, Uuid),
}

/// The order of a page: the key, its direction, and where the previous page ended.
#[derive(Debug, Clone)]
pub struct Order {
    pub key: SortKey,
    pub descending: bool,
    pub after: Option<After>,
}

impl Order {
    /// Newest first, from the start or after a `(created_at, id)`.
    pub fn newest(after: Option<(DateTime<Utc>, Uuid)>) -> Order {
        Order {
            key: SortKey::CreatedAt,
            descending: true,
            after: after.map(|(at, id)| After::At(at, id)),
        }
    }
}

/// The sort key of a demand row, for the next cursor.
pub fn position(key: SortKey, row: &DemandRow) -> After {
    match key {
        SortKey::CreatedAt => After::At(row.created_at, row.id),
        SortKey::UpdatedAt => After::At(row.updated_at, row.id),
        SortKey::DueOn => After::Day(row.due_on.unwrap_or(no_due_date()), row.id),
    }
}

fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

/// The due date as sorted, the expression of `demands_due_sort_idx`.
fn due_key() -> diesel::expression::SqlLiteral<diesel::sql_types::Date> {
    diesel::dsl::sql("COALESCE(demands.due_on, DATE '9999-12-31')")
}

/// A page (plus one row) of demands in `order`; overdue means open or accepted and due before
/// `today`. `None` when the cursor belongs to another sort.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: DemandFilter,
    today: NaiveDate,
    order: Order,
    limit: i64,
) -> QueryResult<Option<Vec<DemandRow>>> {
    let query = filtered(
        demands::table.select(DemandRow::as_select()).into_boxed(),
        f,
        today,
    );
    let Some(query) = sorted(query, order) else {
        return Ok(None);
    };
    query.limit(limit + 1).load(conn).await.map(Some)
}

/// The query in `order`, after its cursor's position; `None` for a cursor of another sort.
fn sorted(mut query: ListQuery<'static>, order: Order) -> Option<ListQuery<'static>> {
    use SortKey::*;
    let desc = order.descending;
    match (order.key, order.after) {
        (CreatedAt, None) => crate::keyset_sorted!(
            query,
            demands::created_at,
            demands::id,
            None::<(DateTime<Utc>, Uuid)>,
            desc
        ),
        (CreatedAt, Some(After::At(v, id))) => {
            crate::keyset_sorted!(query, demands::created_at, demands::id, Some((v, id)), desc)
        }
        (UpdatedAt, None) => crate::keyset_sorted!(
            query,
            demands::updated_at,
            demands::id,
            None::<(DateTime<Utc>, Uuid)>,
            desc
        ),
        (UpdatedAt, Some(After::At(v, id))) => {
            crate::keyset_sorted!(query, demands::updated_at, demands::id, Some((v, id)), desc)
        }
        (DueOn, None) => crate::keyset_sorted!(
            query,
            due_key(),
            demands::id,
            None::<(NaiveDate, Uuid)>,
            desc
        ),
        (DueOn, Some(After::Day(v, id))) => {
            crate::keyset_sorted!(query, due_key(), demands::id, Some((v, id)), desc)
        }
        (_, Some(_)) => return None,
    }
    Some(query)
}

fn filtered(
    mut query: ListQuery<'static>,
    f: DemandFilter,
    today: NaiveDate,
) -> ListQuery<'static> {
    crate::filter_present!(query,
        f.enterprise_id => |id| demands::enterprise_id.eq(id),
        f.assigned_department => |dept| demands::assigned_department.eq(dept),
    );
    // One status as `=`: PostgreSQL 15 reads demands_department_idx in its order only for an
    // equality; `= ANY(…)` of one status made it walk the newest demands of every department.
    query = match f.status {
        Some(Statuses(one)) if one.len() == 1 => query.filter(demands::status.eq(one[0])),
        Some(Statuses(several)) => query.filter(demands::status.eq_any(several)),
        None => query,
    };
    if let Some(category) = f.category {
        query = query.filter(demands::category.eq(category));
    }
    if f.overdue == Some(true) {
        query = query
            .filter(demands::status.eq_any([DemandStatus::Open, DemandStatus::Accepted]))
            .filter(demands::due_on.lt(today));
    }
    if f.escalated == Some(true) {
        // Served by the partial index demands_escalated_idx.
        query = query
            .filter(demands::status.eq_any([DemandStatus::Open, DemandStatus::Accepted]))
            .filter(demands::escalation_level.is_not_null());
    }
    crate::filter_present!(query,
        f.raised_by => |user| demands::raised_by.eq(user),
        f.co_department => |dept| demands::co_departments.contains(vec![dept]),
        f.due_before => |day| demands::due_on.lt(day),
    );
    // Whole days in China time; served by the created_at and resolved_at indexes.
    let day_ends = |d: NaiveDate| china_midnight(d + chrono::Days::new(1));
    crate::filter_present!(query,
        f.created_from => |day| demands::created_at.ge(china_midnight(day)),
        f.created_to => |day| demands::created_at.lt(day_ends(day)),
        f.resolved_from => |day| demands::resolved_at.ge(china_midnight(day)),
        f.resolved_to => |day| demands::resolved_at.lt(day_ends(day)),
        f.updated_since => |at| demands::updated_at.ge(at),
    );
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(demands::title.ilike(like_pattern(q)));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL of a department's list by status.
    fn sql(statuses: Vec<DemandStatus>) -> String {
        let filter = DemandFilter {
            assigned_department: Some("gxw".into()),
            status: Some(Statuses(statuses)),
            ..DemandFilter::default()
        };
        let query = demands::table.select(DemandRow::as_select()).into_boxed();
        let query = filtered(query, filter, NaiveDate::MIN);
        diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string()
    }

    #[test]
    fn one_status_is_an_equality_the_department_index_serves_in_order() {
        assert!(sql(vec![DemandStatus::Accepted]).contains(r#""demands"."status" = $2"#));
        let several = sql(vec![DemandStatus::Open, DemandStatus::Accepted]);
        assert!(
            several.contains(r#""demands"."status" = ANY($2)"#),
            "{several}"
        );
    }
}
