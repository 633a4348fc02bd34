//! Department queries; every write with its audit event in one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::departments;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult};

/// A department.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = departments, check_for_backend(diesel::pg::Pg))]
pub struct Department {
    /// Short code, e.g. `gxw`.
    pub code: String,
    /// Full name, e.g. 省工信委.
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every department, by code.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Department>> {
    departments::table
        .select(Department::as_select())
        .order(departments::code)
        .load(conn)
        .await
}

/// One department.
pub async fn get(conn: &mut AsyncPgConnection, code: &str) -> AppResult<Department> {
    departments::table
        .find(code)
        .select(Department::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("no department `{code}`")))
}

/// Whether a department exists.
pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(departments::table.find(code)))
        .get_result(conn)
        .await
}

/// Creates a department (409 when the code is taken).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    code: &str,
    name: &str,
) -> AppResult<Department> {
    conn.transaction(async move |conn| {
        let created: Department = diesel::insert_into(departments::table)
            .values((
                departments::code.eq(code),
                departments::name.eq(name.trim()),
            ))
            .returning(Department::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::Conflict(format!("department `{code}` exists")),
                other => other,
            })?;
        audit::created(conn, actor, "department", code, &created).await?;
        Ok(created)
    })
    .await
}

/// Renames a department, honouring `If-Match`.
pub async fn rename(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &str,
    name: &str,
    expected_version: Option<i32>,
) -> AppResult<Department> {
    conn.transaction(async move |conn| {
        let before: Department = departments::table
            .find(code)
            .select(Department::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| AppError::NotFound(format!("no department `{code}`")))?;
        check_version(expected_version, before.version)?;
        let after: Department = diesel::update(departments::table.find(code))
            .set((
                departments::name.eq(name.trim()),
                departments::version.eq(departments::version + 1),
                departments::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Department::as_returning())
            .get_result(conn)
            .await?;
        audit::updated(conn, Some(actor), "department", code, &before, &after).await?;
        Ok(after)
    })
    .await
}
