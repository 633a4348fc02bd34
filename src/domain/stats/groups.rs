//! What the leaders' figures are grouped by, over which period, and the groups' Chinese names.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::clock::china_midnight;
use crate::db::schema::{categories, departments, regions, users};
use crate::domain::demands::model::DemandCategory;
use crate::domain::error::{AppError, AppResult};

/// How demands or enterprises are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// By department: a demand's assigned department; an enterprise's assigned departments
    /// (an enterprise assigned to two counts in both).
    #[default]
    Department,
    /// By prefecture-level city (设区市) of the enterprise.
    City,
    /// By category: a demand's category; an enterprise's industry category.
    Category,
    /// By liaison officer: a demand's raising officer; an enterprise's liaison officers.
    Officer,
}

impl Grouping {
    /// A demand's group as SQL over `d` (and `e`, see [`Grouping::demand_join_sql`]): a fixed
    /// expression, never caller text.
    pub fn demand_key_sql(self) -> &'static str {
        match self {
            Grouping::Department => "d.assigned_department",
            Grouping::City => "left(e.region_code, 4) || '00'",
            Grouping::Category => "d.category",
            Grouping::Officer => "COALESCE(d.raised_by::text, '')",
        }
    }

    /// The join a demand's group needs.
    pub fn demand_join_sql(self) -> &'static str {
        match self {
            Grouping::City => "JOIN enterprises e ON e.id = d.enterprise_id",
            _ => "",
        }
    }

    /// An enterprise's groups as SQL over `e` (a set for departments and officers).
    pub fn enterprise_key_sql(self) -> &'static str {
        match self {
            Grouping::Department => "unnest(e.assigned_departments)",
            Grouping::City => "left(e.region_code, 4) || '00'",
            Grouping::Category => "e.category",
            Grouping::Officer => "unnest(e.liaison_officers)::text",
        }
    }
}

/// The longest period the figures cover: ten years.
pub const MAX_PERIOD_DAYS: u64 = 3660;

/// A period of whole days in China time, and the day its open items are counted at.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `to`, or today when the period is not over yet.
    pub as_of: NaiveDate,
}

impl Period {
    /// `from` to `to` (both included), checked: `from` not after `to`, at most
    /// [`MAX_PERIOD_DAYS`].
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> AppResult<Period> {
        if from > to {
            return Err(AppError::invalid(
                "from",
                "after_to",
                "from is not after to",
            ));
        }
        if from
            .checked_add_days(Days::new(MAX_PERIOD_DAYS))
            .is_some_and(|end| to >= end)
        {
            return Err(AppError::invalid(
                "to",
                "range",
                "a period is at most 3660 days",
            ));
        }
        Ok(Period {
            from,
            to,
            as_of: to.min(today),
        })
    }

    /// The instant the period starts.
    pub fn starts(&self) -> DateTime<Utc> {
        china_midnight(self.from)
    }

    /// The instant after the period.
    pub fn ends(&self) -> DateTime<Utc> {
        china_midnight(self.to + Days::new(1))
    }

    /// The instant after `as_of`.
    pub fn as_of_ends(&self) -> DateTime<Utc> {
        china_midnight(self.as_of + Days::new(1))
    }
}

/// Whose names a category key is: a demand's category or an enterprise's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryOf {
    Demands,
    Enterprises,
}

/// The Chinese names of the groups `keys`: departments, cities, categories, officers (their
/// display names, else usernames).
pub async fn names_of(
    conn: &mut AsyncPgConnection,
    grouping: Grouping,
    keys: Vec<String>,
    category_of: CategoryOf,
) -> QueryResult<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = match (grouping, category_of) {
        (Grouping::Department, _) => {
            departments::table
                .filter(departments::code.eq_any(&keys))
                .select((departments::code, departments::name))
                .load(conn)
                .await?
        }
        (Grouping::City, _) => region_names(conn, &keys).await?,
        (Grouping::Category, CategoryOf::Enterprises) => category_names(conn, &keys).await?,
        (Grouping::Category, CategoryOf::Demands) => keys
            .iter()
            .filter_map(|k| Some((k.clone(), DemandCategory::parse(k)?.label().to_owned())))
            .collect(),
        (Grouping::Officer, _) => officer_names(conn, &keys).await?,
    };
    Ok(pairs.into_iter().collect())
}

/// The names of the regions `keys` (cities, counties).
pub async fn region_names(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> QueryResult<Vec<(String, String)>> {
    regions::table
        .filter(regions::code.eq_any(keys))
        .select((regions::code, regions::name))
        .load(conn)
        .await
}

/// The names of the industry categories `keys`.
pub async fn category_names(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> QueryResult<Vec<(String, String)>> {
    categories::table
        .filter(categories::code.eq_any(keys))
        .select((categories::code, categories::name))
        .load(conn)
        .await
}

async fn officer_names(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> QueryResult<Vec<(String, String)>> {
    let ids: Vec<Uuid> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    let rows: Vec<(Uuid, String, Option<String>)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username, users::display_name))
        .load(conn)
        .await?;
    let mut names: Vec<(String, String)> = rows
        .into_iter()
        .map(|(id, username, display)| (id.to_string(), display.unwrap_or(username)))
        .collect();
    names.push((String::new(), "（未记录）".into()));
    Ok(names)
}
