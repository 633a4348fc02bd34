//! Policy queries; writes with their audit event in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::schema::{
    categories, departments, policies, policy_benefits, regions, support_measures,
};
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::enterprises::model::{Enterprise, EnterpriseSize};
use crate::domain::error::check_version;
use crate::domain::error::{AppError, AppResult, Expected, FieldError, OrNotFound};
use crate::domain::policies::model::{PolicyRule, SupportKind};

/// A policy.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = policies, check_for_backend(diesel::pg::Pg))]
pub struct Policy {
    pub id: Uuid,
    pub title: String,
    /// Issuing authority, e.g. 国务院办公厅.
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// 文号, e.g. 国办发〔2014〕63号.
    pub document_no: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub summary: Option<String>,
    /// The kind of support it grants.
    pub benefit_kind: Option<SupportKind>,
    /// Department codes.
    pub responsible_departments: Vec<String>,
    /// Eligible categories (empty: any).
    pub categories: Vec<String>,
    /// Eligible sizes (empty: any).
    pub sizes: Vec<EnterpriseSize>,
    /// Eligible regions; a city includes its counties (empty: any).
    pub region_codes: Vec<String>,
    /// Whether enterprises claim benefits under it; framework documents (such as
    /// 国办发〔2014〕63号 and the provincial plan) set direction and are never offered.
    pub claimable: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for Policy {
    type Key = (NaiveDate, Uuid);

    fn key(&self) -> Self::Key {
        (self.issued_on, self.id)
    }
}

/// The writable fields of a policy: inserted with a new policy, set by an edit.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = policies, treat_none_as_null = true)]
pub struct PolicyFields {
    pub title: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub document_no: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub summary: Option<String>,
    pub benefit_kind: Option<SupportKind>,
    pub responsible_departments: Vec<String>,
    pub categories: Vec<String>,
    pub sizes: Vec<EnterpriseSize>,
    pub region_codes: Vec<String>,
    pub claimable: bool,
}

impl PolicyFields {
    /// The fields as stored: title and issuer without surrounding blanks.
    fn trimmed(self) -> Self {
        let title = self.title.trim().to_owned();
        let issuer = self.issuer.trim().to_owned();
        PolicyFields {
            title,
            issuer,
            ..self
        }
    }
}

impl From<&Policy> for PolicyFields {
    fn from(p: &Policy) -> Self {
        PolicyFields {
            title: p.title.clone(),
            issuer: p.issuer.clone(),
            issued_on: p.issued_on,
            document_no: p.document_no.clone(),
            effective_from: p.effective_from,
            effective_until: p.effective_until,
            summary: p.summary.clone(),
            benefit_kind: p.benefit_kind,
            responsible_departments: p.responsible_departments.clone(),
            categories: p.categories.clone(),
            sizes: p.sizes.clone(),
            region_codes: p.region_codes.clone(),
            claimable: p.claimable,
        }
    }
}

impl PolicyFields {
    /// Every rule of the fields themselves (no database).
    fn check_own(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (field, text, max) in [("title", &self.title, 300), ("issuer", &self.issuer, 200)] {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, "blank", "may not be empty or blank"));
            } else if text.chars().count() > max {
                errors.push(FieldError::new(field, "too_long", "too long"));
            }
        }
        // Blank is allowed here (it is stored as none); the limit is the one the OpenAPI file
        // states.
        if self
            .document_no
            .as_ref()
            .is_some_and(|d| d.chars().count() > 100)
        {
            errors.push(FieldError::new("document_no", "too_long", "too long"));
        }
        if let (Some(from), Some(until)) = (self.effective_from, self.effective_until)
            && until < from
        {
            errors.push(FieldError::new(
                "effective_until",
                "before_start",
                "may not be before effective_from",
            ));
        }
        errors
    }
}

/// Every rule of a policy's fields, the references included.
async fn check(conn: &mut AsyncPgConnection, f: &PolicyFields) -> QueryResult<Vec<FieldError>> {
    let mut errors = f.check_own();
    let known_departments: Vec<String> = departments::table
        .filter(departments::code.eq_any(&f.responsible_departments))
        .select(departments::code)
        .load(conn)
        .await?;
    let known_categories: Vec<String> = categories::table
        .filter(categories::code.eq_any(&f.categories))
        .select(categories::code)
        .load(conn)
        .await?;
    let known_regions: Vec<String> = regions::table
        .filter(regions::code.eq_any(&f.region_codes))
        .select(regions::code)
        .load(conn)
        .await?;
    let lists = [
        (
            "responsible_departments",
            &f.responsible_departments,
            &known_departments,
        ),
        ("categories", &f.categories, &known_categories),
        ("region_codes", &f.region_codes, &known_regions),
    ];
    for (field, values, known) in lists {
        for (i, v) in values.iter().enumerate() {
            if !known.contains(v) {
                errors.push(FieldError::new(
                    format!("{field}[{i}]"),
                    "unknown",
                    "not a known code",
                ));
            }
        }
    }
    Ok(errors)
}

/// Creates a policy.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    f: PolicyFields,
) -> AppResult<Policy> {
    conn.transaction(async move |conn| {
        let errors = check(conn, &f).await?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let policy: Policy = diesel::insert_into(policies::table)
            .values((
                f.trimmed(),
                policies::id.eq(Uuid::new_v4()),
                policies::created_by.eq(actor.id),
            ))
            .returning(Policy::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => {
                    AppError::Conflict("a policy with this document number exists".into())
                }
                other => other,
            })?;
        audit::created(conn, Some(actor), "policy", policy.id, &policy).await?;
        Ok(policy)
    })
    .await
}

/// One policy.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<Policy> {
    policies::table
        .find(id)
        .select(Policy::as_select())
        .first(conn)
        .await
        .or_not_found("no such policy")
}

/// Changes a policy, honouring `If-Match`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    expected: Expected,
    change: impl FnOnce(&mut PolicyFields) + Send,
) -> AppResult<Policy> {
    conn.transaction(async move |conn| {
        let before: Policy = policies::table
            .find(id)
            .select(Policy::as_select())
            .for_update()
            .first(conn)
            .await
            .or_not_found("no such policy")?;
        let mut f = PolicyFields::from(&before);
        change(&mut f);
        let errors = check(conn, &f).await?;
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        check_version(&expected, before.version)?;
        let after: Policy = diesel::update(policies::table.find(id))
            .set((
                f.trimmed(),
                policies::version.eq(policies::version + 1),
                policies::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Policy::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => {
                    AppError::Conflict("a policy with this document number exists".into())
                }
                other => other,
            })?;
        audit::updated(conn, Some(actor), "policy", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

/// A page (plus one row) of policies, newest issue first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Policy>> {
    let query = policies::table.select(Policy::as_select()).into_boxed();
    crate::keyset_page!(query by policies::issued_on, policies::id, desc; after, limit)
        .load(conn)
        .await
}

/// Benefits that keep a policy off an enterprise's eligible list: open, or received. (Texts:
/// benefits build on policies, not the other way round.)
const OPEN_OR_RECEIVED: [&str; 4] = ["identified", "applied", "approved", "realized"];

/// Claimable policies in force on `today` whose rules match the enterprise, each with the names
/// of the non-empty rules that matched. Left out: policies the enterprise already has an open or
/// realized benefit for, and those it has been paid under (a support measure naming the policy
/// with money paid).
pub async fn eligible(
    conn: &mut AsyncPgConnection,
    e: &Enterprise,
    today: NaiveDate,
) -> QueryResult<Vec<(Policy, Vec<PolicyRule>)>> {
    let places = places_of(conn, &e.region_code).await?;
    let found: Vec<Policy> = policies::table
        .filter(policies::claimable)
        .filter(
            policies::effective_from
                .is_null()
                .or(policies::effective_from.le(today)),
        )
        .filter(
            policies::effective_until
                .is_null()
                .or(policies::effective_until.ge(today)),
        )
        .filter(rules_match(e, places))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            policy_benefits::table
                .filter(policy_benefits::policy_id.eq(policies::id))
                .filter(policy_benefits::enterprise_id.eq(e.id))
                .filter(policy_benefits::status.eq_any(OPEN_OR_RECEIVED)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            support_measures::table
                .filter(support_measures::enterprise_id.eq(e.id))
                .filter(support_measures::policy_id.eq(policies::id.nullable()))
                .filter(support_measures::disbursed_amount.gt(Money::ZERO)),
        )))
        .select(Policy::as_select())
        .order((policies::issued_on.desc(), policies::id.desc()))
        .load(conn)
        .await?;
    Ok(found
        .into_iter()
        .map(|p| {
            let matched = matched_rules(&p);
            (p, matched)
        })
        .collect())
}

/// The policy's rules (category, size, region) admit the enterprise; `places` are its region
/// and the region that contains it. An empty rule admits any.
fn rules_match(
    e: &Enterprise,
    places: Vec<String>,
) -> Box<dyn BoxableExpression<policies::table, diesel::pg::Pg, SqlType = Bool>> {
    let rules = diesel::dsl::sql::<Bool>("(cardinality(categories) = 0 OR categories @> ARRAY[")
        .bind::<Text, _>(e.category.clone())
        .sql("]) AND (cardinality(sizes) = 0 OR sizes @> ARRAY[")
        .bind::<Text, _>(e.size)
        .sql("]) AND (cardinality(region_codes) = 0 OR region_codes && ")
        .bind::<Array<Text>, _>(places)
        .sql(")");
    Box::new(rules)
}

/// A region and the region it belongs to (a county's city): a policy for either reaches it.
async fn places_of(conn: &mut AsyncPgConnection, region: &str) -> QueryResult<Vec<String>> {
    let parent: Option<String> = regions::table
        .find(region)
        .select(regions::parent_code)
        .first(conn)
        .await
        .optional()?
        .flatten();
    let mut places = vec![region.to_owned()];
    places.extend(parent);
    Ok(places)
}

/// The rules a policy sets (and an eligible enterprise therefore meets).
fn matched_rules(p: &Policy) -> Vec<PolicyRule> {
    [
        (PolicyRule::Category, p.categories.is_empty()),
        (PolicyRule::Size, p.sizes.is_empty()),
        (PolicyRule::Region, p.region_codes.is_empty()),
    ]
    .into_iter()
    .filter(|(_, any)| !any)
    .map(|(rule, _)| rule)
    .collect()
}
