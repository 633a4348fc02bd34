//! `/api/v1/support-measures`: recorded by the granting department (finance for every kind,
//! liaison officers for non-monetary kinds), read by every role.

use actix_web::{HttpResponse, web};
use actix_web::{get, patch, post};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::db::money::Money;
use crate::domain::actor::{Actor, Role};
use crate::domain::error::{AppError, AppResult};
use crate::domain::support::model::{Disbursement, MeasureStatus, SupportKind, SupportMeasure};
use crate::domain::support::payments::{self, NewDisbursement};
use crate::domain::support::reversals;
use crate::domain::support::store::{self, MeasureFields, MeasureFilter};
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::patch::{Merge, present, set_if};
use crate::web::precondition::{IfMatch, created, current};
use crate::web::problem::{ActionErrors, CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/support-measures`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasure {
    #[validate(required)]
    #[schema(required = true, value_type = Uuid)]
    pub enterprise_id: Option<Uuid>,
    #[validate(required)]
    #[schema(required = true, value_type = SupportKind)]
    pub kind: Option<SupportKind>,
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 200, example = "2025年省级应急产业发展专项资金")]
    pub title: Option<String>,
    #[validate(required)]
    #[schema(required = true, value_type = i32, minimum = 2000, maximum = 2100, example = 2025)]
    pub fiscal_year: Option<i32>,
    /// Required for monetary kinds: a decimal string, at most two fraction digits.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "1250000.00")]
    pub amount: Option<Money>,
    pub policy_id: Option<Uuid>,
    /// 文号, e.g. 赣财企〔2025〕12号.
    #[schema(max_length = 100)]
    pub document_no: Option<String>,
    /// `planned` (default) or `approved` (with `approved_on`).
    pub status: Option<MeasureStatus>,
    pub approved_on: Option<NaiveDate>,
}

/// Body of `PATCH /api/v1/support-measures/{id}` (merge patch). `status` moves
/// `planned → approved` (with `approved_on`) or to `cancelled` (409 once anything was paid).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 200)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32, minimum = 2000, maximum = 2100)]
    pub fiscal_year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$")]
    pub amount: Option<Option<Money>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub policy_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub document_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = MeasureStatus)]
    pub status: Option<Option<MeasureStatus>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub approved_on: Option<Option<NaiveDate>>,
}

impl MeasurePatch {
    /// What the patch changes; every `null` given to a field that cannot be cleared is named
    /// in one 422.
    fn into_change(self) -> AppResult<impl FnOnce(&mut MeasureFields) + Send> {
        let mut m = Merge::default();
        let title = m.required("title", self.title);
        let fiscal_year = m.required("fiscal_year", self.fiscal_year);
        let status = m.required("status", self.status);
        let amount = m.nullable("amount", self.amount);
        let policy_id = m.nullable("policy_id", self.policy_id);
        let document_no = m.nullable("document_no", self.document_no);
        let approved_on = m.nullable("approved_on", self.approved_on);
        m.finish()?;
        Ok(move |f: &mut MeasureFields| {
            set_if(&mut f.title, title);
            set_if(&mut f.fiscal_year, fiscal_year);
            set_if(&mut f.status, status);
            set_if(&mut f.amount, amount);
            set_if(&mut f.policy_id, policy_id);
            set_if(&mut f.document_no, document_no);
            set_if(&mut f.approved_on, approved_on);
        })
    }
}

/// Body of `POST /api/v1/support-measures/{id}/disbursements`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisbursementRequest {
    #[validate(required)]
    #[schema(required = true, value_type = String, pattern = r"^[0-9]{1,12}(\.[0-9]{1,2})?$", example = "500000.00")]
    pub amount: Option<Money>,
    #[validate(required)]
    #[schema(required = true, value_type = NaiveDate)]
    pub paid_on: Option<NaiveDate>,
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 100, example = "记-2025-11-0032")]
    pub voucher_no: Option<String>,
}

/// Body of `POST /api/v1/support-measures/{id}/disbursements/{disbursement_id}/reversal`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReversalRequest {
    /// Why the payment was entered in error (冲销原因).
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 500, example = "凭证号录入错误，已按正确凭证重新录入")]
    pub reason: Option<String>,
}

/// Records a support measure of the caller's department. Finance staff (any kind); liaison
/// officers and admins (non-monetary kinds).
#[utoipa::path(
    tag = "support", request_body = NewMeasure,
    params(IdempotencyKey),
    responses(
        (status = 201, body = SupportMeasure, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/support-measures")]
pub async fn create_measure(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Finance, Role::Liaison, Role::Admin])?;
    let b: NewMeasure = body.read().await?;
    let kind = b.kind.unwrap_or(SupportKind::Other);
    if !kind.may_record(&actor) {
        return Err(AppError::Forbidden(
            "monetary support is recorded by finance staff".into(),
        ));
    }
    let status = b.status.unwrap_or(MeasureStatus::Planned);
    if !matches!(status, MeasureStatus::Planned | MeasureStatus::Approved) {
        return Err(AppError::invalid(
            "status",
            "invalid",
            "a new measure is planned or approved",
        ));
    }
    let fields = MeasureFields {
        kind,
        title: b.title.unwrap_or_default(),
        fiscal_year: b.fiscal_year.unwrap_or_default(),
        amount: b.amount,
        policy_id: b.policy_id,
        document_no: b.document_no,
        status,
        approved_on: b.approved_on,
    };
    let mut conn = state.pool.get().await?;
    let measure = store::create(
        &mut conn,
        &actor,
        b.enterprise_id.unwrap_or_default(),
        fields,
    )
    .await?;
    Ok(created(
        format!("/api/v1/support-measures/{}", measure.id),
        measure.version,
        &measure,
    ))
}

/// Lists measures, newest first. Any authenticated caller.
#[utoipa::path(
    tag = "support", params(MeasureFilter, PageParams),
    responses(
        (status = 200, body = Page<SupportMeasure>),
        ListErrors,
    ),
)]
#[get("/support-measures")]
pub async fn list_measures(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<MeasureFilter>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let after = query.after::<SupportMeasure>()?;
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, query.filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::of(rows, limit)))
}

/// Reads one measure. Any authenticated caller.
#[utoipa::path(
    tag = "support",
    params(("id" = Uuid, Path, description = "Support measure id")),
    responses(
        (status = 200, body = SupportMeasure, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/support-measures/{id}")]
pub async fn get_measure(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let found = store::get(&mut conn, *id).await?;
    Ok(current(found.version, &found))
}

/// Changes a measure; honours `If-Match`. Staff of the granting department who may record
/// its kind.
#[utoipa::path(
    tag = "support",
    params(
        ("id" = Uuid, Path, description = "Support measure id"),
        IfMatch,
    ),
    request_body(content = MeasurePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = SupportMeasure, headers(("ETag" = String))),
        UpdateErrors,
    ),
)]
#[patch("/support-measures/{id}")]
pub async fn update_measure(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Finance, Role::Liaison, Role::Admin])?;
    let p: MeasurePatch = body.read().await?;
    if matches!(p.status, Some(Some(MeasureStatus::Disbursed))) {
        return Err(AppError::invalid(
            "status",
            "server_owned",
            "`disbursed` is set when the measure is fully paid",
        ));
    }
    let change = p.into_change()?;
    let expected = if_match.version;
    let mut conn = state.pool.get().await?;
    let measure = store::update(&mut conn, &actor, *id, expected, change).await?;
    Ok(current(measure.version, &measure))
}

/// Records a payment tranche. Finance staff of the granting department; the measure must be
/// approved; payments never add up to more than the amount (422, also under concurrency).
#[utoipa::path(
    tag = "support",
    params(
        ("id" = Uuid, Path, description = "Support measure id"),
        IdempotencyKey,
    ),
    request_body = NewDisbursementRequest,
    responses(
        (status = 201, body = Disbursement, headers(("Location" = String))),
        ActionErrors,
    ),
)]
#[post("/support-measures/{id}/disbursements")]
pub async fn create_disbursement(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Finance])?;
    let b: NewDisbursementRequest = body.read().await?;
    let new = NewDisbursement {
        amount: b.amount.unwrap_or_default(),
        paid_on: b.paid_on.unwrap_or_default(),
        voucher_no: b.voucher_no.unwrap_or_default(),
    };
    let mut conn = state.pool.get().await?;
    let payment = payments::disburse(&mut conn, &actor, *id, new).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/support-measures/{}/disbursements",
                payment.measure_id
            ),
        ))
        .json(payment))
}

/// Reverses a payment entered in error (红字冲销): a negative entry naming it, with the reason;
/// the measure's paid total and status follow. Payments are never deleted. Finance staff of the
/// granting department; a payment is reversed once, a reversal never (409).
#[utoipa::path(
    tag = "support",
    params(
        ("id" = Uuid, Path, description = "Support measure id"),
        ("disbursement_id" = Uuid, Path, description = "The payment to reverse"),
        IdempotencyKey,
    ),
    request_body = ReversalRequest,
    responses(
        (status = 201, body = Disbursement, headers(("Location" = String))),
        ActionErrors,
    ),
)]
#[post("/support-measures/{id}/disbursements/{disbursement_id}/reversal")]
pub async fn reverse_disbursement(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Finance])?;
    let b: ReversalRequest = body.read().await?;
    let (measure_id, payment_id) = path.into_inner();
    let reason = b.reason.unwrap_or_default();
    let mut conn = state.pool.get().await?;
    let entry = reversals::reverse(&mut conn, &actor, measure_id, payment_id, reason).await?;
    let location = format!("/api/v1/support-measures/{measure_id}/disbursements");
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(entry))
}

/// The measure's payments and reversals, oldest first. Any authenticated caller.
#[utoipa::path(
    tag = "support",
    params(("id" = Uuid, Path, description = "Support measure id")),
    responses(
        (status = 200, body = Page<Disbursement>),
        ReadErrors,
    ),
)]
#[get("/support-measures/{id}/disbursements")]
pub async fn list_disbursements(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    store::get(&mut conn, *id).await?;
    Ok(HttpResponse::Ok().json(Page::all(payments::disbursements_of(&mut conn, *id).await?)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_measure)
        .service(list_measures)
        .service(get_measure)
        .service(update_measure)
        .service(create_disbursement)
        .service(reverse_disbursement)
        .service(list_disbursements);
}
