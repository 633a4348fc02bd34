//! `GET /api/v1/stats/indicators/completeness`: who was expected to report a quarter's
//! indicators and who has not. Expected: the active enterprises designated by the quarter's last
//! day (of one department or region, when asked); reported: those with figures for the quarter.
//! The missing ones are listed by name, a keyset page at a time.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::quarter::Quarter;
use crate::db::schema::{enterprises, indicators, regions};
use crate::domain::error::AppResult;

/// Whose reports are counted.
#[derive(Debug, Clone)]
pub struct Scope {
    pub quarter: Quarter,
    /// Enterprises assigned to this department.
    pub department: Option<String>,
    /// A city (its counties included) or a county.
    pub region_code: Option<String>,
}

/// An enterprise that has not reported.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct MissingReport {
    pub enterprise_id: Uuid,
    pub name: String,
    pub region_code: String,
    pub lead_department: String,
}

impl crate::db::keyset::Keyed for MissingReport {
    type Key = (String, Uuid);

    fn key(&self) -> Self::Key {
        (self.name.clone(), self.enterprise_id)
    }
}

type Expected = diesel::helper_types::IntoBoxed<'static, enterprises::table, diesel::pg::Pg>;

/// The enterprises expected to report for the scope's quarter.
fn expected(scope: &Scope) -> Expected {
    let mut query = enterprises::table
        .filter(enterprises::status.eq("active"))
        .filter(enterprises::designated_on.le(scope.quarter.last_day()))
        .into_boxed();
    if let Some(department) = &scope.department {
        query = query.filter(enterprises::assigned_departments.contains(vec![department.clone()]));
    }
    if let Some(region) = &scope.region_code {
        let counties = regions::table
            .filter(regions::parent_code.eq(region.clone()))
            .select(regions::code);
        query = query.filter(
            enterprises::region_code
                .eq(region.clone())
                .or(enterprises::region_code.eq_any(counties)),
        );
    }
    query
}

/// How many were expected to report, and how many did.
pub async fn counts(conn: &mut AsyncPgConnection, scope: &Scope) -> AppResult<(i64, i64)> {
    // One pass over the expected enterprises for both counts.
    let reported = diesel::dsl::sql::<BigInt>(
        "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM indicators i \
         WHERE i.enterprise_id = enterprises.id AND i.quarter = ",
    )
    .bind::<Text, _>(scope.quarter.to_string())
    .sql("))");
    Ok(expected(scope)
        .select((diesel::dsl::count_star(), reported))
        .get_result(conn)
        .await?)
}

/// A page (plus one row) of those that have not reported, by name.
pub async fn missing(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> AppResult<Vec<MissingReport>> {
    let quarter = scope.quarter.to_string();
    let mut query = expected(scope).filter(not(exists(
        indicators::table
            .filter(indicators::enterprise_id.eq(enterprises::id))
            .filter(indicators::quarter.eq(quarter)),
    )));
    if let Some((name, id)) = after {
        query = query.filter(crate::keyset_after!(
            asc,
            enterprises::name,
            enterprises::id,
            (name, id)
        ));
    }
    Ok(query
        .select((
            enterprises::id,
            enterprises::name,
            enterprises::region_code,
            enterprises::lead_department,
        ))
        .order((enterprises::name, enterprises::id))
        .limit(limit + 1)
        .load(conn)
        .await?)
}
