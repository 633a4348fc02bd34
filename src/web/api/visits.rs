//! `/api/v1/visits`: logged by liaison officers (and admins) for their own department, read by
//! every role.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{delete, get, patch, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::domain::actor::{Actor, Role};
use crate::domain::demands::model::{Demand, DemandCategory, Urgency};
use crate::domain::demands::store::NewDemand;
use crate::domain::demands::views;
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::domain::visits::model::{Visit, VisitFields, VisitKind};
use crate::domain::visits::store::{self, VisitFilter};
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::{Merge, present, set_if};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// A demand raised during a visit (the visit's enterprise is implied).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitDemand {
    #[schema(required = true, value_type = DemandCategory)]
    pub category: Option<DemandCategory>,
    #[schema(required = true, value_type = String, max_length = 200)]
    pub title: Option<String>,
    #[schema(required = true, value_type = String)]
    pub assigned_department: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// Without it, the time limit of the category and urgency gives it.
    pub due_on: Option<NaiveDate>,
    /// `normal` (the default) or `urgent`.
    pub urgency: Option<Urgency>,
}

/// Body of `POST /api/v1/visits`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// An active enterprise.
    #[validate(required)]
    #[schema(required = true, value_type = Uuid)]
    pub enterprise_id: Option<Uuid>,
    /// Not in the future (China Standard Time).
    #[validate(required)]
    #[schema(required = true, value_type = NaiveDate)]
    pub visited_on: Option<NaiveDate>,
    #[validate(required)]
    #[schema(required = true, value_type = VisitKind)]
    pub kind: Option<VisitKind>,
    /// Active users, at least one of the caller's department; officers of other departments
    /// make it a joint visit (联合走访).
    #[validate(required, length(max = 20))]
    #[schema(required = true, value_type = Vec<Uuid>, min_items = 1, max_items = 20)]
    pub officers: Option<Vec<Uuid>>,
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 4000, example = "走访企业，了解一季度生产经营和订单情况")]
    pub summary: Option<String>,
    #[schema(max_length = 4000)]
    pub participants: Option<String>,
    #[schema(max_length = 4000)]
    pub purpose: Option<String>,
    #[schema(max_length = 4000)]
    pub findings: Option<String>,
    /// The next visit planned: the enterprise's next due date.
    pub next_visit_on: Option<NaiveDate>,
    /// Contact persons of the enterprise met (their ids).
    #[schema(max_items = 20)]
    #[validate(length(max = 20))]
    pub contacts_met: Option<Vec<Uuid>>,
    /// What was confirmed, item by item (each at most 200 characters).
    #[schema(max_items = 30)]
    #[validate(length(max = 30))]
    pub checklist: Option<Vec<String>>,
    /// Demands raised in the visit, created with it in one transaction.
    #[schema(max_items = 50)]
    #[validate(length(max = 50))]
    pub demands: Option<Vec<VisitDemand>>,
}

/// Body of `PATCH /api/v1/visits/{id}` (merge patch).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub visited_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = VisitKind)]
    pub kind: Option<Option<VisitKind>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>, min_items = 1, max_items = 20)]
    #[validate(length(max = 20))]
    pub officers: Option<Option<Vec<Uuid>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 4000)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub participants: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub purpose: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub findings: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub next_visit_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>, max_items = 20)]
    #[validate(length(max = 20))]
    pub contacts_met: Option<Option<Vec<Uuid>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 30)]
    #[validate(length(max = 30))]
    pub checklist: Option<Option<Vec<String>>>,
}

impl VisitPatch {
    /// What the patch changes; every `null` given to a field that cannot be cleared is named
    /// in one 422.
    fn into_change(self) -> AppResult<impl FnOnce(&mut VisitFields) + Send> {
        let mut m = Merge::default();
        let visited_on = m.required("visited_on", self.visited_on);
        let kind = m.required("kind", self.kind);
        let officers = m.required("officers", self.officers);
        let summary = m.required("summary", self.summary);
        let participants = m.nullable("participants", self.participants);
        let purpose = m.nullable("purpose", self.purpose);
        let findings = m.nullable("findings", self.findings);
        let next_visit_on = m.nullable("next_visit_on", self.next_visit_on);
        let contacts_met = m.required("contacts_met", self.contacts_met);
        let checklist = m.required("checklist", self.checklist);
        m.finish()?;
        Ok(move |f: &mut VisitFields| {
            set_if(&mut f.visited_on, visited_on);
            set_if(&mut f.kind, kind);
            set_if(&mut f.officers, officers);
            set_if(&mut f.summary, summary);
            set_if(&mut f.participants, participants);
            set_if(&mut f.purpose, purpose);
            set_if(&mut f.findings, findings);
            set_if(&mut f.next_visit_on, next_visit_on);
            set_if(&mut f.contacts_met, contacts_met);
            set_if(&mut f.checklist, checklist);
        })
    }
}

/// A new visit with the demands created with it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedVisit {
    #[serde(flatten)]
    pub visit: Visit,
    pub demands: Vec<Demand>,
}

/// Turns the raised demands into checked values; a missing field is named `demands[i].field`.
fn raised_demands(bodies: Vec<VisitDemand>) -> Result<Vec<NewDemand>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, d) in bodies.into_iter().enumerate() {
        let missing = |field: &str| {
            FieldError::new(
                format!("demands[{i}].{field}"),
                "required",
                "this field is required",
            )
        };
        if d.category.is_none() {
            errors.push(missing("category"));
        }
        if d.title.is_none() {
            errors.push(missing("title"));
        }
        if d.assigned_department.is_none() {
            errors.push(missing("assigned_department"));
        }
        if let (Some(category), Some(title), Some(assigned_department)) =
            (d.category, d.title, d.assigned_department)
        {
            out.push(NewDemand {
                category,
                title,
                description: d.description,
                assigned_department,
                due_on: d.due_on,
                urgency: d.urgency.unwrap_or(Urgency::Normal),
                co_departments: Vec::new(),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Logs a visit of the caller's department, with the demands raised in it (all or nothing).
/// Admins and liaison officers.
#[utoipa::path(
    tag = "visits", request_body = NewVisit,
    params(IdempotencyKey),
    responses(
        (status = 201, body = CreatedVisit, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/visits")]
pub async fn create_visit(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let b: NewVisit = body.read().await?;
    let raised = raised_demands(b.demands.unwrap_or_default()).map_err(AppError::Validation)?;
    let fields = VisitFields {
        visited_on: b.visited_on.unwrap_or_default(),
        // Present: `read_json` checked `required`.
        kind: b.kind.unwrap_or(VisitKind::OnSite),
        officers: b.officers.unwrap_or_default(),
        summary: b.summary.unwrap_or_default(),
        participants: b.participants,
        purpose: b.purpose,
        findings: b.findings,
        next_visit_on: b.next_visit_on,
        contacts_met: b.contacts_met.unwrap_or_default(),
        checklist: b.checklist.unwrap_or_default(),
    };
    let mut conn = state.pool.get().await?;
    let (visit, demands) = store::create(
        &mut conn,
        &actor,
        b.enterprise_id.unwrap_or_default(),
        fields,
        raised,
    )
    .await?;
    let demands = views::of_rows(&mut conn, demands, state.clock.today()).await?;
    let visit_with_demands = CreatedVisit { demands, visit };
    let location = format!("/api/v1/visits/{}", visit_with_demands.visit.id);
    Ok(created(
        location,
        visit_with_demands.visit.version,
        &visit_with_demands,
    ))
}

/// Lists visits, newest first. Any authenticated caller.
#[utoipa::path(
    tag = "visits", params(VisitFilter, PageParams),
    responses(
        (status = 200, body = Page<Visit>),
        ListErrors,
    ),
)]
#[get("/visits")]
pub async fn list_visits(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<VisitFilter>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<Visit>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, query.filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads one visit. Any authenticated caller.
#[utoipa::path(
    tag = "visits",
    params(("id" = Uuid, Path, description = "Visit id")),
    responses(
        (status = 200, body = Visit, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/visits/{id}")]
pub async fn get_visit(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let found = store::get(&mut conn, *id).await?;
    Ok(current(found.version, &found))
}

/// Changes a visit (merge patch); honours `If-Match`. A liaison officer of the visit's
/// department, or an admin.
#[utoipa::path(
    tag = "visits",
    params(
        ("id" = Uuid, Path, description = "Visit id"),
        IfMatch,
    ),
    request_body(content = VisitPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Visit, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/visits/{id}")]
pub async fn update_visit(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let p: VisitPatch = body.read().await?;
    let change = p.into_change()?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let visit = store::update(&mut conn, &actor, *id, expected, change).await?;
    Ok(current(visit.version, &visit))
}

/// Deletes a visit; the demands raised in it stay. A liaison officer of the visit's
/// department, or an admin.
#[utoipa::path(
    tag = "visits",
    params(
        ("id" = Uuid, Path, description = "Visit id"),
        IfMatch,
    ),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors,
    ),
)]
#[delete("/visits/{id}")]
pub async fn delete_visit(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _req: HttpRequest,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    store::delete(&mut conn, &actor, *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_visit)
        .service(list_visits)
        .service(get_visit)
        .service(update_visit)
        .service(delete_visit);
}
