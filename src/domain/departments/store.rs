//! Department queries; every write with its audit event in one transaction.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{
    Department, DepartmentChange, DepartmentDraft, DepartmentLevel, clean_aliases, region_problem,
};
use crate::db::schema::{departments, regions};
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound};

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
        .or_not_found(format!("no department `{code}`"))
}

/// Whether a department exists (active or not: users and clients may belong to either).
pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(departments::table.find(code)))
        .get_result(conn)
        .await
}

/// 422 on `field` unless `code` names an active department, the only kind that takes demands.
pub async fn check_assignable(
    conn: &mut AsyncPgConnection,
    field: String,
    code: &str,
) -> QueryResult<Option<FieldError>> {
    let active: Option<bool> = departments::table
        .find(code)
        .select(departments::active)
        .first(conn)
        .await
        .optional()?;
    Ok(match active {
        Some(true) => None,
        Some(false) => Some(FieldError::new(
            field,
            "inactive_department",
            "this department no longer takes demands",
        )),
        None => Some(FieldError::new(
            field,
            "unknown_department",
            "not a known department",
        )),
    })
}

/// What is wrong with a new unit's region: required by its level, and of the level's kind.
async fn check_region(
    conn: &mut AsyncPgConnection,
    draft: &DepartmentDraft,
) -> QueryResult<Option<FieldError>> {
    if let Some(problem) = region_problem(draft.level, draft.region_code.as_deref()) {
        return Ok(Some(problem));
    }
    let Some(code) = draft.region_code.as_deref() else {
        return Ok(None);
    };
    let level: Option<String> = regions::table
        .find(code)
        .select(regions::level)
        .first(conn)
        .await
        .optional()?;
    let wanted = match draft.level {
        DepartmentLevel::City => "city",
        _ => "county",
    };
    Ok((level.as_deref() != Some(wanted)).then(|| {
        FieldError::new(
            "region_code",
            "invalid_region",
            format!("not a {wanted} of Jiangxi"),
        )
    }))
}

/// Creates a department (409 when the code is taken).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    mut draft: DepartmentDraft,
) -> AppResult<Department> {
    draft.name = draft.name.trim().to_owned();
    draft.aliases = clean_aliases(draft.aliases);
    conn.transaction(async move |conn| {
        if let Some(problem) = check_region(conn, &draft).await? {
            return Err(AppError::Validation(vec![problem]));
        }
        let code = draft.code.clone();
        let created: Department = diesel::insert_into(departments::table)
            .values(draft)
            .returning(Department::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::Conflict(format!("department `{code}` exists")),
                other => other,
            })?;
        audit::created(conn, actor, "department", &code, &created).await?;
        Ok(created)
    })
    .await
}

/// Renames, re-aliases, activates or deactivates a department, honouring `If-Match`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &str,
    mut change: DepartmentChange,
    expected_version: Expected,
) -> AppResult<Department> {
    change.name = change.name.map(|n| n.trim().to_owned());
    change.aliases = change.aliases.map(clean_aliases);
    conn.transaction(async move |conn| {
        let before: Department = departments::table
            .find(code)
            .select(Department::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found(format!("no department `{code}`"))?;
        check_version(&expected_version, before.version)?;
        if change.is_empty() {
            return Ok(before);
        }
        let after: Department = diesel::update(departments::table.find(code))
            .set((
                &change,
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
