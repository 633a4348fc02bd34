//! `/api/v1/policies` (read by every role, written by admins) and
//! `/api/v1/enterprises/{id}/eligible-policies`.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::Actor;
use crate::domain::enterprises::model::EnterpriseSize;
use crate::domain::enterprises::store as enterprises;
use crate::domain::error::AppResult;
use crate::domain::policies::model::{PolicyRule, SupportKind};
use crate::domain::policies::store::{self, Policy, PolicyFields};
use crate::web::body::{JsonBody, NoParams};
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::{Merge, present, set_if};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/policies`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 300)]
    pub title: Option<String>,
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 200, example = "江西省财政厅")]
    pub issuer: Option<String>,
    #[validate(required)]
    #[schema(required = true, value_type = NaiveDate)]
    pub issued_on: Option<NaiveDate>,
    #[schema(max_length = 100, example = "赣财企〔2025〕12号")]
    pub document_no: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    #[schema(max_length = 4000)]
    #[validate(length(max = 4000))]
    pub summary: Option<String>,
    pub benefit_kind: Option<SupportKind>,
    /// Department codes.
    #[schema(max_items = 20)]
    #[validate(length(max = 20))]
    pub responsible_departments: Option<Vec<String>>,
    /// Eligible category codes (empty: any).
    #[schema(max_items = 20)]
    #[validate(length(max = 20))]
    pub categories: Option<Vec<String>>,
    /// Eligible sizes (empty: any).
    #[schema(max_items = 4)]
    #[validate(length(max = 4))]
    pub sizes: Option<Vec<EnterpriseSize>>,
    /// Eligible region codes; a city includes its counties (empty: any).
    #[schema(max_items = 200)]
    #[validate(length(max = 200))]
    pub region_codes: Option<Vec<String>>,
    /// Whether enterprises claim benefits under it (default `true`); `false` for framework
    /// documents, which eligibility never offers.
    pub claimable: Option<bool>,
}

/// Body of `PATCH /api/v1/policies/{id}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 300)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 200)]
    pub issuer: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub issued_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub document_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    #[validate(length(max = 4000))]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SupportKind>)]
    pub benefit_kind: Option<Option<SupportKind>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 20)]
    #[validate(length(max = 20))]
    pub responsible_departments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 20)]
    #[validate(length(max = 20))]
    pub categories: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<EnterpriseSize>, max_items = 4)]
    #[validate(length(max = 4))]
    pub sizes: Option<Option<Vec<EnterpriseSize>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 200)]
    #[validate(length(max = 200))]
    pub region_codes: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub claimable: Option<Option<bool>>,
}

impl PolicyPatch {
    /// What the patch changes; every `null` given to a field that cannot be cleared is named
    /// in one 422.
    fn into_change(self) -> AppResult<impl FnOnce(&mut PolicyFields) + Send> {
        let mut m = Merge::default();
        let title = m.required("title", self.title);
        let issuer = m.required("issuer", self.issuer);
        let issued_on = m.required("issued_on", self.issued_on);
        let responsible_departments =
            m.required("responsible_departments", self.responsible_departments);
        let categories = m.required("categories", self.categories);
        let sizes = m.required("sizes", self.sizes);
        let region_codes = m.required("region_codes", self.region_codes);
        let claimable = m.required("claimable", self.claimable);
        let document_no = m.nullable("document_no", self.document_no);
        let effective_from = m.nullable("effective_from", self.effective_from);
        let effective_until = m.nullable("effective_until", self.effective_until);
        let summary = m.nullable("summary", self.summary);
        let benefit_kind = m.nullable("benefit_kind", self.benefit_kind);
        m.finish()?;
        Ok(move |f: &mut PolicyFields| {
            set_if(&mut f.title, title);
            set_if(&mut f.issuer, issuer);
            set_if(&mut f.issued_on, issued_on);
            set_if(&mut f.responsible_departments, responsible_departments);
            set_if(&mut f.categories, categories);
            set_if(&mut f.sizes, sizes);
            set_if(&mut f.region_codes, region_codes);
            set_if(&mut f.claimable, claimable);
            set_if(&mut f.document_no, document_no.map(trimmed));
            set_if(&mut f.effective_from, effective_from);
            set_if(&mut f.effective_until, effective_until);
            set_if(&mut f.summary, summary);
            set_if(&mut f.benefit_kind, benefit_kind);
        })
    }
}

/// A policy the enterprise qualifies for, and which of its rules matched.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EligiblePolicy {
    pub policy: Policy,
    /// The non-empty rules that matched.
    pub matched: Vec<PolicyRule>,
}

/// The eligible policies of an enterprise.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EligiblePolicies {
    pub items: Vec<EligiblePolicy>,
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Adds a policy. Admin only.
#[utoipa::path(
    tag = "policies", request_body = NewPolicy,
    params(IdempotencyKey),
    responses(
        (status = 201, body = Policy, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/policies")]
pub async fn create_policy(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewPolicy = body.read().await?;
    let fields = PolicyFields {
        title: b.title.unwrap_or_default(),
        issuer: b.issuer.unwrap_or_default(),
        issued_on: b.issued_on.unwrap_or_default(),
        document_no: trimmed(b.document_no),
        effective_from: b.effective_from,
        effective_until: b.effective_until,
        summary: b.summary,
        benefit_kind: b.benefit_kind,
        responsible_departments: b.responsible_departments.unwrap_or_default(),
        categories: b.categories.unwrap_or_default(),
        sizes: b.sizes.unwrap_or_default(),
        region_codes: b.region_codes.unwrap_or_default(),
        claimable: b.claimable.unwrap_or(true),
    };
    let mut conn = state.pool.get().await?;
    let policy = store::create(&mut conn, &actor, fields).await?;
    Ok(created(
        format!("/api/v1/policies/{}", policy.id),
        policy.version,
        &policy,
    ))
}

/// Lists policies, newest issue first. Any authenticated caller.
#[utoipa::path(
    tag = "policies", params(PageParams),
    responses(
        (status = 200, body = Page<Policy>),
        ListErrors,
    ),
)]
#[get("/policies")]
pub async fn list_policies(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<Policy>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads one policy. Any authenticated caller.
#[utoipa::path(
    tag = "policies",
    params(("id" = Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, body = Policy, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/policies/{id}")]
pub async fn get_policy(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let found = store::get(&mut conn, *id).await?;
    Ok(current(found.version, &found))
}

/// Changes a policy; honours `If-Match`. Admin only.
#[utoipa::path(
    tag = "policies",
    params(
        ("id" = Uuid, Path, description = "Policy id"),
        IfMatch,
    ),
    request_body(content = PolicyPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Policy, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/policies/{id}")]
pub async fn update_policy(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let p: PolicyPatch = body.read().await?;
    let change = p.into_change()?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let policy = store::update(&mut conn, &actor, *id, expected, change).await?;
    Ok(current(policy.version, &policy))
}

/// The policies in force today whose rules match the enterprise. Any authenticated caller.
#[utoipa::path(
    tag = "policies",
    params(("id" = Uuid, Path, description = "Enterprise id")),
    responses(
        (status = 200, body = EligiblePolicies),
        ReadErrors,
    ),
)]
#[get("/enterprises/{id}/eligible-policies")]
pub async fn eligible_policies(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let enterprise = enterprises::get(&mut conn, *id).await?;
    let found = store::eligible(&mut conn, &enterprise, state.clock.today()).await?;
    let items = found
        .into_iter()
        .map(|(policy, matched)| EligiblePolicy { policy, matched })
        .collect();
    Ok(HttpResponse::Ok().json(EligiblePolicies { items }))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_policy)
        .service(list_policies)
        .service(get_policy)
        .service(update_policy)
        .service(eligible_policies);
}
