//! Enterprise queries; every write with its audit event in one transaction, the department rule
//! checked against the row locked in that transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Enterprise, EnterpriseDraft, EnterpriseSize, EnterpriseStatus};
use crate::db::clock::today_in_china;
use crate::db::schema::{departments, enterprises, regions, subcategories, users};
use crate::domain::actor::{Actor, Role};
use crate::domain::audit::{self, AuditEntry};
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, FieldError};

/// Fields only admins change: status, designation and assignments.
pub const ADMIN_ONLY_FIELDS: [&str; 7] = [
    "status",
    "lead_department",
    "assigned_departments",
    "liaison_officers",
    "designated_on",
    "designation_batch",
    "credit_code_override_reason",
];

/// Whether the caller may edit this enterprise's profile and contacts: an admin, or a liaison
/// officer of one of its assigned departments.
pub fn may_edit(actor: &Actor, enterprise: &Enterprise) -> bool {
    actor.has(Role::Admin)
        || (actor.has(Role::Liaison) && enterprise.assigned_departments.contains(&actor.department))
}

/// One enterprise.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Enterprise> {
    enterprises::table
        .find(id)
        .select(Enterprise::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| AppError::NotFound("no such enterprise".into()))
}

/// The enterprise, locked for the rest of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Enterprise> {
    enterprises::table
        .find(id)
        .select(Enterprise::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| AppError::NotFound("no such enterprise".into()))
}

/// The records that drafts refer to (regions, subcategories, departments, officers), loaded
/// once for any number of drafts so that a whole import file is checked with four queries.
#[derive(Debug, Default)]
pub struct References {
    regions: HashSet<String>,
    subcategories: HashMap<String, Vec<Option<String>>>,
    departments: HashSet<String>,
    /// User id → (department, disabled).
    users: HashMap<Uuid, (String, bool)>,
}

impl References {
    /// Loads what `drafts` refer to.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        drafts: &[&EnterpriseDraft],
    ) -> QueryResult<References> {
        let region_codes: Vec<&String> = drafts.iter().map(|d| &d.region_code).collect();
        let category_codes: Vec<&String> = drafts.iter().map(|d| &d.category).collect();
        let department_codes: Vec<&String> = drafts
            .iter()
            .flat_map(|d| d.assigned_departments.iter().chain([&d.lead_department]))
            .collect();
        let user_ids: Vec<Uuid> = drafts
            .iter()
            .flat_map(|d| d.liaison_officers.iter().copied())
            .collect();
        let mut refs = References {
            regions: regions::table
                .filter(regions::code.eq_any(region_codes))
                .select(regions::code)
                .load::<String>(conn)
                .await?
                .into_iter()
                .collect(),
            departments: departments::table
                .filter(departments::code.eq_any(department_codes))
                .select(departments::code)
                .load::<String>(conn)
                .await?
                .into_iter()
                .collect(),
            ..References::default()
        };
        let subs: Vec<(String, String)> = subcategories::table
            .filter(subcategories::category_code.eq_any(category_codes))
            .select((subcategories::category_code, subcategories::code))
            .load(conn)
            .await?;
        for (category, code) in subs {
            refs.subcategories
                .entry(category)
                .or_default()
                .push(Some(code));
        }
        let officers: Vec<(Uuid, String, bool)> = users::table
            .filter(users::id.eq_any(user_ids))
            .select((users::id, users::department, users::disabled))
            .load(conn)
            .await?;
        refs.users = officers
            .into_iter()
            .map(|(id, dept, disabled)| (id, (dept, disabled)))
            .collect();
        Ok(refs)
    }

    /// Every reference problem of one draft: region, category and subcategory, departments,
    /// liaison officers (active users of an assigned department).
    pub fn check(&self, d: &EnterpriseDraft) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.regions.contains(&d.region_code) {
            errors.push(FieldError::new(
                "region_code",
                "unknown_region",
                "not a known region code",
            ));
        }
        match self.subcategories.get(&d.category) {
            None => errors.push(FieldError::new(
                "category",
                "unknown_category",
                "not a known category",
            )),
            Some(subs) if d.subcategory.is_some() && !subs.contains(&d.subcategory) => {
                errors.push(FieldError::new(
                    "subcategory",
                    "unknown_subcategory",
                    "not a subcategory of this category",
                ))
            }
            Some(_) => {}
        }
        if !self.departments.contains(&d.lead_department) {
            errors.push(FieldError::new(
                "lead_department",
                "unknown_department",
                "not a known department",
            ));
        }
        for (i, code) in d.assigned_departments.iter().enumerate() {
            if !self.departments.contains(code) && *code != d.lead_department {
                errors.push(FieldError::new(
                    format!("assigned_departments[{i}]"),
                    "unknown_department",
                    "not a known department",
                ));
            }
        }
        for (i, id) in d.liaison_officers.iter().enumerate() {
            let ok = self
                .users
                .get(id)
                .is_some_and(|(dept, disabled)| !disabled && d.assigned_departments.contains(dept));
            if !ok {
                errors.push(FieldError::new(
                    format!("liaison_officers[{i}]"),
                    "not_an_officer_of_assigned_department",
                    "must be an active user of an assigned department",
                ));
            }
        }
        errors
    }
}

/// Checks what one draft refers to. Every problem at once.
pub async fn check_references(
    conn: &mut AsyncPgConnection,
    d: &EnterpriseDraft,
) -> QueryResult<Vec<FieldError>> {
    Ok(References::load(conn, &[d]).await?.check(d))
}

fn credit_code_conflict(e: diesel::result::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict("an enterprise with this credit code is already registered".into())
        }
        other => other,
    }
}

/// Designates a new enterprise (`actor` is `None` for the command line).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    draft: EnterpriseDraft,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        let mut errors = draft.check(today_in_china());
        errors.extend(check_references(conn, &draft).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        insert(conn, actor, draft).await
    })
    .await
}

/// Inserts a checked draft with its audit event (inside the caller's transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    draft: EnterpriseDraft,
) -> AppResult<Enterprise> {
    let d = draft;
    let created: Enterprise = diesel::insert_into(enterprises::table)
        .values((
            enterprises::id.eq(Uuid::new_v4()),
            enterprises::name.eq(d.name),
            enterprises::credit_code.eq(d.credit_code),
            enterprises::credit_code_override_reason.eq(d.credit_code_override_reason),
            enterprises::region_code.eq(d.region_code),
            enterprises::category.eq(d.category),
            enterprises::subcategory.eq(d.subcategory),
            enterprises::size.eq(d.size),
            enterprises::lead_department.eq(d.lead_department),
            enterprises::legal_representative.eq(d.legal_representative),
            enterprises::address.eq(d.address),
            enterprises::key_products.eq(d.key_products),
            enterprises::designated_on.eq(d.designated_on),
            enterprises::designation_batch.eq(d.designation_batch),
            enterprises::status.eq(d.status),
            enterprises::assigned_departments.eq(d.assigned_departments),
            enterprises::liaison_officers.eq(d.liaison_officers),
            enterprises::tags.eq(d.tags),
            enterprises::employees.eq(d.employees),
            enterprises::description.eq(d.description),
            enterprises::created_by.eq(actor.map(|a| a.id)),
        ))
        .returning(Enterprise::as_returning())
        .get_result(conn)
        .await
        .map_err(credit_code_conflict)?;
    let after = serde_json::to_value(&created).ok();
    audit::record(
        conn,
        actor,
        AuditEntry {
            action: "create",
            entity: "enterprise",
            entity_id: created.id.to_string(),
            changes: audit::changes(None, after.as_ref()),
        },
    )
    .await?;
    Ok(created)
}

/// Applies `change` to the current draft of an enterprise, honouring `If-Match` and the rule
/// that only admins touch [`ADMIN_ONLY_FIELDS`]; `touched` names the fields the request sets.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    touched: Vec<&'static str>,
    change: impl FnOnce(&mut EnterpriseDraft) + Send,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        if !may_edit(actor, &before) {
            return Err(AppError::Forbidden(
                "only admins and liaison officers of an assigned department edit this enterprise"
                    .into(),
            ));
        }
        if !actor.has(Role::Admin) && touched.iter().any(|f| ADMIN_ONLY_FIELDS.contains(f)) {
            return Err(AppError::Forbidden(
                "only admins change status, designation and assignments".into(),
            ));
        }
        let original = EnterpriseDraft::from(&before);
        let mut draft = original.clone();
        change(&mut draft);
        draft.normalize();
        // A stored override keeps its code valid only while the code stays the same.
        if draft.credit_code != original.credit_code
            && !touched.contains(&"credit_code_override_reason")
        {
            draft.credit_code_override_reason = None;
        }
        let mut errors = draft.check(today_in_china());
        errors.extend(check_references(conn, &draft).await?);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_version(expected_version, before.version)?;
        if draft == original {
            return Ok(before);
        }
        write_update(conn, actor, before, draft).await
    })
    .await
}

/// Writes a checked draft over `before` (locked by the caller) with its audit event.
pub async fn write_update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    before: Enterprise,
    draft: EnterpriseDraft,
) -> AppResult<Enterprise> {
    let d = draft;
    let after: Enterprise = diesel::update(enterprises::table.find(before.id))
        .set((
            enterprises::name.eq(d.name),
            enterprises::credit_code.eq(d.credit_code),
            enterprises::credit_code_override_reason.eq(d.credit_code_override_reason),
            enterprises::region_code.eq(d.region_code),
            enterprises::category.eq(d.category),
            enterprises::subcategory.eq(d.subcategory),
            enterprises::size.eq(d.size),
            enterprises::lead_department.eq(d.lead_department),
            enterprises::legal_representative.eq(d.legal_representative),
            enterprises::address.eq(d.address),
            enterprises::key_products.eq(d.key_products),
            enterprises::designated_on.eq(d.designated_on),
            enterprises::designation_batch.eq(d.designation_batch),
            enterprises::status.eq(d.status),
            enterprises::assigned_departments.eq(d.assigned_departments),
            enterprises::liaison_officers.eq(d.liaison_officers),
            enterprises::tags.eq(d.tags),
            enterprises::employees.eq(d.employees),
            enterprises::description.eq(d.description),
            enterprises::version.eq(enterprises::version + 1),
            enterprises::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Enterprise::as_returning())
        .get_result(conn)
        .await
        .map_err(credit_code_conflict)?;
    let (b, a) = (
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    );
    audit::record(
        conn,
        Some(actor),
        AuditEntry {
            action: "update",
            entity: "enterprise",
            entity_id: before.id.to_string(),
            changes: audit::changes(b.as_ref(), a.as_ref()),
        },
    )
    .await?;
    Ok(after)
}

/// Withdraws an enterprise (soft delete: the record and its history stay). Admins only.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<Enterprise> {
    conn.transaction(async move |conn| {
        let before = lock(conn, id).await?;
        check_version(expected_version, before.version)?;
        if before.status == EnterpriseStatus::Withdrawn {
            return Ok(before);
        }
        let after: Enterprise = diesel::update(enterprises::table.find(id))
            .set((
                enterprises::status.eq("withdrawn"),
                enterprises::version.eq(enterprises::version + 1),
                enterprises::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Enterprise::as_returning())
            .get_result(conn)
            .await?;
        let (b, a) = (
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        );
        audit::record(
            conn,
            Some(actor),
            AuditEntry {
                action: "delete",
                entity: "enterprise",
                entity_id: id.to_string(),
                changes: audit::changes(b.as_ref(), a.as_ref()),
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

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

/// Filters of the enterprise list.
#[derive(Debug, Default, Clone)]
pub struct EnterpriseFilter {
    pub q: Option<String>,
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub status: Option<EnterpriseStatus>,
    pub department: Option<String>,
    pub officer: Option<Uuid>,
    pub tag: Option<String>,
    pub designated_from: Option<NaiveDate>,
    pub designated_to: Option<NaiveDate>,
}

// The two-character pieces of a name (migration 000009), indexed by GIN.
diesel::define_sql_function!(fn name_bigrams(name: diesel::sql_types::Text) -> diesel::sql_types::Array<diesel::sql_types::Text>);

/// `%` and `_` in a search are literal characters, not wildcards.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Keyset condition and order for one column: `(col, id) > (v, id)` ascending, `<` descending,
/// written `col >= v AND (col > v OR id > last_id)` so that `col >= v` bounds the index scan
/// (the plain `col > v OR (col = v AND …)` makes PostgreSQL walk the index from its start).
macro_rules! keyset {
    ($query:ident, $column:expr, $after:expr, $descending:expr) => {{
        if let Some((value, id)) = $after {
            $query = if $descending {
                $query.filter(
                    $column
                        .le(value.clone())
                        .and($column.lt(value).or(enterprises::id.lt(id))),
                )
            } else {
                $query.filter(
                    $column
                        .ge(value.clone())
                        .and($column.gt(value).or(enterprises::id.gt(id))),
                )
            };
        }
        $query = if $descending {
            $query.order(($column.desc(), enterprises::id.desc()))
        } else {
            $query.order(($column.asc(), enterprises::id.asc()))
        };
    }};
}

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
    if let Some(q) = f.q.filter(|q| !q.trim().is_empty()) {
        let q = q.trim();
        let pattern = like_pattern(q);
        // A credit code is 18 ASCII letters and digits: other text (Chinese) searches names
        // only, and text without Latin letters needs no case folding. Two characters (a
        // Chinese brand) yield no trigram: the index of two-character pieces serves them.
        query = if q.chars().all(|c| c.is_ascii_alphanumeric()) {
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
        };
    }
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
    if let Some(category) = f.category {
        query = query.filter(enterprises::category.eq(category));
    }
    if let Some(size) = f.size {
        query = query.filter(enterprises::size.eq(size));
    }
    if let Some(status) = f.status {
        query = query.filter(enterprises::status.eq(status));
    }
    if let Some(department) = f.department {
        query = query.filter(enterprises::assigned_departments.contains(vec![department]));
    }
    if let Some(officer) = f.officer {
        query = query.filter(enterprises::liaison_officers.contains(vec![officer]));
    }
    if let Some(tag) = f.tag {
        query = query.filter(enterprises::tags.contains(vec![tag]));
    }
    if let Some(from) = f.designated_from {
        query = query.filter(enterprises::designated_on.ge(from));
    }
    if let Some(to) = f.designated_to {
        query = query.filter(enterprises::designated_on.le(to));
    }
    match sort {
        SortKey::Name => {
            let after = match after {
                Some(After::Name(v, id)) => Some((v, id)),
                None => None,
                Some(_) => return Err(bad_cursor()),
            };
            keyset!(query, enterprises::name, after, descending);
        }
        SortKey::DesignatedOn => {
            let after = match after {
                Some(After::DesignatedOn(v, id)) => Some((v, id)),
                None => None,
                Some(_) => return Err(bad_cursor()),
            };
            keyset!(query, enterprises::designated_on, after, descending);
        }
        SortKey::UpdatedAt => {
            let after = match after {
                Some(After::UpdatedAt(v, id)) => Some((v, id)),
                None => None,
                Some(_) => return Err(bad_cursor()),
            };
            keyset!(query, enterprises::updated_at, after, descending);
        }
    }
    Ok(query.limit(limit + 1).load(conn).await?)
}

fn bad_cursor() -> AppError {
    AppError::BadRequest("the cursor belongs to another sort order; start again without it".into())
}
