//! `/api/v1/enterprises`: the registry of contact-point enterprises. Read by every role;
//! designated, withdrawn and reassigned by admins; profiles edited by admins and by liaison
//! officers of an assigned department.

use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{delete, get, patch, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::db::clock::today_in_china;
use crate::domain::actor::{Actor, Role};
use crate::domain::enterprises::model::{
    Enterprise, EnterpriseDraft, EnterpriseSize, EnterpriseStatus,
};
use crate::domain::enterprises::store::{self, After, EnterpriseFilter, SortKey};
use crate::domain::error::{AppError, AppResult, FieldError};
use crate::web::body::{NoParams, StrictQuery, read_json};
use crate::web::pagination::{Page, checked_limit, decode_cursor};
use crate::web::patch::present;
use crate::web::precondition::{etag, if_match_version};
use crate::web::problem::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/enterprises`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnterprise {
    /// 企业名称.
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 200, example = "江西赣安应急装备有限公司")]
    pub name: Option<String>,
    /// 统一社会信用代码: 18 characters, GB 32100-2015 check character (lower case accepted).
    #[validate(required)]
    #[schema(required = true, value_type = String, pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$", example = "91360100MA38T3KX5D")]
    pub credit_code: Option<String>,
    /// A known region code (city or county).
    #[validate(required)]
    #[schema(required = true, value_type = String, example = "360100")]
    pub region_code: Option<String>,
    /// Category code (see `/api/v1/reference/categories`).
    #[validate(required)]
    #[schema(required = true, value_type = String, example = "rescue_disposal")]
    pub category: Option<String>,
    #[validate(required)]
    #[schema(required = true, value_type = EnterpriseSize)]
    pub size: Option<EnterpriseSize>,
    /// Department code of the lead department.
    #[validate(required)]
    #[schema(required = true, value_type = String, example = "gxw")]
    pub lead_department: Option<String>,
    /// A subcategory of `category`.
    pub subcategory: Option<String>,
    #[schema(max_length = 200)]
    pub legal_representative: Option<String>,
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[schema(max_items = 50)]
    pub key_products: Option<Vec<String>>,
    /// Default: today (China Standard Time); not in the future.
    pub designated_on: Option<NaiveDate>,
    #[schema(max_length = 200)]
    pub designation_batch: Option<String>,
    /// Default `active`.
    pub status: Option<EnterpriseStatus>,
    /// Default `[lead_department]`; the lead is always included.
    pub assigned_departments: Option<Vec<String>>,
    /// User ids of active users of assigned departments.
    pub liaison_officers: Option<Vec<Uuid>>,
    #[schema(max_items = 50)]
    pub tags: Option<Vec<String>>,
    #[schema(minimum = 0)]
    pub employees: Option<i32>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Admins only: stores a code whose check character fails, with the reason.
    #[schema(max_length = 2000)]
    pub credit_code_override_reason: Option<String>,
}

/// Body of `PATCH /api/v1/enterprises/{id}` (JSON merge patch). Status, designation and
/// assignments (`status`, `lead_department`, `assigned_departments`, `liaison_officers`,
/// `designated_on`, `designation_batch`, `credit_code_override_reason`) are admin only.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterprisePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$")]
    pub credit_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub region_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub subcategory: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = EnterpriseSize)]
    pub size: Option<Option<EnterpriseSize>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub lead_department: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub legal_representative: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 50)]
    pub key_products: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub designated_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub designation_batch: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = EnterpriseStatus)]
    pub status: Option<Option<EnterpriseStatus>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>)]
    pub assigned_departments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>)]
    pub liaison_officers: Option<Option<Vec<Uuid>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 50)]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub employees: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub credit_code_override_reason: Option<Option<String>>,
}

/// Sort orders of the enterprise list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
pub enum EnterpriseSort {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "designated_on")]
    DesignatedOn,
    #[serde(rename = "-designated_on")]
    DesignatedOnDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

impl EnterpriseSort {
    fn key(self) -> (SortKey, bool) {
        match self {
            EnterpriseSort::Name => (SortKey::Name, false),
            EnterpriseSort::NameDesc => (SortKey::Name, true),
            EnterpriseSort::DesignatedOn => (SortKey::DesignatedOn, false),
            EnterpriseSort::DesignatedOnDesc => (SortKey::DesignatedOn, true),
            EnterpriseSort::UpdatedAt => (SortKey::UpdatedAt, false),
            EnterpriseSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        }
    }
}

/// Query of the enterprise list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// Substring of the name or credit code (Chinese included).
    pub q: Option<String>,
    /// A region; a city code matches its counties too.
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub status: Option<EnterpriseStatus>,
    /// Assigned department code.
    pub department: Option<String>,
    /// Liaison officer's user id.
    pub officer: Option<Uuid>,
    pub tag: Option<String>,
    /// Designated on or after.
    pub designated_from: Option<NaiveDate>,
    /// Designated on or before.
    pub designated_to: Option<NaiveDate>,
    /// `name` (default), `designated_on` or `updated_at`; `-` prefix for descending.
    #[param(inline)]
    pub sort: Option<EnterpriseSort>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn enterprise_response(
    mut builder: actix_web::HttpResponseBuilder,
    e: &Enterprise,
) -> HttpResponse {
    builder.insert_header(etag(e.version)).json(e)
}

/// A required field of a merge patch: null is refused.
fn not_null<T>(
    field: &'static str,
    value: Option<Option<T>>,
    errors: &mut Vec<FieldError>,
    touched: &mut Vec<&'static str>,
) -> Option<T> {
    match value {
        None => None,
        Some(None) => {
            errors.push(FieldError::new(field, "null", "may not be null"));
            None
        }
        Some(Some(v)) => {
            touched.push(field);
            Some(v)
        }
    }
}

/// A nullable field of a merge patch: `Some(None)` clears it.
fn nullable<T>(
    field: &'static str,
    value: Option<Option<T>>,
    touched: &mut Vec<&'static str>,
) -> Option<Option<T>> {
    if value.is_some() {
        touched.push(field);
    }
    value
}

/// Designates a contact-point enterprise. Admin only.
#[utoipa::path(
    tag = "enterprises", request_body = NewEnterprise,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (kept 24 h)")),
    responses(
        (status = 201, body = Enterprise, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/enterprises")]
pub async fn create_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let b: NewEnterprise = read_json(&req, payload).await?;
    let lead = b.lead_department.unwrap_or_default();
    let mut draft = EnterpriseDraft {
        name: b.name.unwrap_or_default(),
        credit_code: b.credit_code.unwrap_or_default(),
        credit_code_override_reason: b.credit_code_override_reason,
        region_code: b.region_code.unwrap_or_default(),
        category: b.category.unwrap_or_default(),
        subcategory: b.subcategory,
        // Present: `read_json` checked `required`.
        size: b.size.unwrap_or(EnterpriseSize::Medium),
        assigned_departments: b.assigned_departments.unwrap_or_else(|| vec![lead.clone()]),
        lead_department: lead,
        legal_representative: b.legal_representative,
        address: b.address,
        key_products: b.key_products.unwrap_or_default(),
        designated_on: b.designated_on.unwrap_or_else(today_in_china),
        designation_batch: b.designation_batch,
        status: b.status.unwrap_or(EnterpriseStatus::Active),
        liaison_officers: b.liaison_officers.unwrap_or_default(),
        tags: b.tags.unwrap_or_default(),
        employees: b.employees,
        description: b.description,
    };
    draft.normalize();
    let mut conn = state.pool.get().await?;
    let created = store::create(&mut conn, Some(&actor), draft).await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", format!("/api/v1/enterprises/{}", created.id)));
    Ok(enterprise_response(builder, &created))
}

/// Lists enterprises with filters, keyset-paginated. Any authenticated caller.
#[utoipa::path(
    tag = "enterprises", params(EnterpriseQuery),
    responses(
        (status = 200, body = Page<Enterprise>),
        ListErrors,
    ),
    security(("bearer" = []))
)]
#[get("/enterprises")]
pub async fn list_enterprises(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<EnterpriseQuery>,
) -> AppResult<HttpResponse> {
    let q = query.0;
    let limit = checked_limit(q.limit)?;
    let sort = q.sort.unwrap_or_default();
    let (key, descending) = sort.key();
    let after = decode_after(key, q.cursor.as_deref())?;
    let filter = EnterpriseFilter {
        q: q.q,
        region_code: q.region_code,
        category: q.category,
        size: q.size,
        status: q.status,
        department: q.department,
        officer: q.officer,
        tag: q.tag,
        designated_from: q.designated_from,
        designated_to: q.designated_to,
    };
    let mut conn = state.pool.get().await?;
    let rows = store::list(&mut conn, filter, key, descending, after, limit).await?;
    let page = Page::from_rows(rows, limit, |e: &Enterprise| match key {
        SortKey::Name => serde_json::json!(["name", e.name, e.id]),
        SortKey::DesignatedOn => serde_json::json!(["designated_on", e.designated_on, e.id]),
        SortKey::UpdatedAt => serde_json::json!(["updated_at", e.updated_at, e.id]),
    });
    Ok(HttpResponse::Ok().json(page))
}

/// Reads a cursor made for the same sort key.
fn decode_after(key: SortKey, cursor: Option<&str>) -> AppResult<Option<After>> {
    let Some((name, value, id)) = decode_cursor::<(String, serde_json::Value, Uuid)>(cursor)?
    else {
        return Ok(None);
    };
    let bad = || {
        AppError::BadRequest(
            "the cursor is not valid for this sort order; start again without it".into(),
        )
    };
    let after = match (key, name.as_str()) {
        (SortKey::Name, "name") => After::Name(
            serde_json::from_value::<String>(value).map_err(|_| bad())?,
            id,
        ),
        (SortKey::DesignatedOn, "designated_on") => After::DesignatedOn(
            serde_json::from_value::<NaiveDate>(value).map_err(|_| bad())?,
            id,
        ),
        (SortKey::UpdatedAt, "updated_at") => After::UpdatedAt(
            serde_json::from_value::<DateTime<Utc>>(value).map_err(|_| bad())?,
            id,
        ),
        _ => return Err(bad()),
    };
    Ok(Some(after))
}

/// Reads one enterprise (withdrawn ones too). Any authenticated caller.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id")),
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        ReadErrors,
    ),
    security(("bearer" = []))
)]
#[get("/enterprises/{id}")]
pub async fn get_enterprise(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let enterprise = store::get(&mut conn, *id).await?;
    Ok(enterprise_response(HttpResponse::Ok(), &enterprise))
}

/// Changes an enterprise (JSON merge patch); honours `If-Match`. Admins change everything;
/// liaison officers of an assigned department change the profile; others get 403.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body(content = EnterprisePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Enterprise, headers(("ETag" = String))),
        UpdateErrors,
    ),
    security(("bearer" = []))
)]
#[patch("/enterprises/{id}")]
pub async fn update_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let p: EnterprisePatch = read_json(&req, payload).await?;
    let (mut errors, mut touched) = (Vec::new(), Vec::new());
    let name = not_null("name", p.name, &mut errors, &mut touched);
    let credit_code = not_null("credit_code", p.credit_code, &mut errors, &mut touched);
    let region_code = not_null("region_code", p.region_code, &mut errors, &mut touched);
    let category = not_null("category", p.category, &mut errors, &mut touched);
    let size = not_null("size", p.size, &mut errors, &mut touched);
    let lead_department = not_null(
        "lead_department",
        p.lead_department,
        &mut errors,
        &mut touched,
    );
    let key_products = not_null("key_products", p.key_products, &mut errors, &mut touched);
    let designated_on = not_null("designated_on", p.designated_on, &mut errors, &mut touched);
    let status = not_null("status", p.status, &mut errors, &mut touched);
    let assigned = not_null(
        "assigned_departments",
        p.assigned_departments,
        &mut errors,
        &mut touched,
    );
    let officers = not_null(
        "liaison_officers",
        p.liaison_officers,
        &mut errors,
        &mut touched,
    );
    let tags = not_null("tags", p.tags, &mut errors, &mut touched);
    let subcategory = nullable("subcategory", p.subcategory, &mut touched);
    let subcategory_given = subcategory.is_some();
    let legal_representative =
        nullable("legal_representative", p.legal_representative, &mut touched);
    let address = nullable("address", p.address, &mut touched);
    let designation_batch = nullable("designation_batch", p.designation_batch, &mut touched);
    let employees = nullable("employees", p.employees, &mut touched);
    let description = nullable("description", p.description, &mut touched);
    let override_reason = nullable(
        "credit_code_override_reason",
        p.credit_code_override_reason,
        &mut touched,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let expected = if_match_version(&req)?;
    let mut conn = state.pool.get().await?;
    let updated = store::update(&mut conn, &actor, *id, expected, touched, move |d| {
        macro_rules! set {
            ($field:ident, $value:expr) => {
                if let Some(v) = $value {
                    d.$field = v;
                }
            };
        }
        set!(name, name);
        set!(credit_code, credit_code);
        set!(region_code, region_code);
        set!(size, size);
        set!(key_products, key_products);
        set!(designated_on, designated_on);
        set!(status, status);
        set!(liaison_officers, officers);
        set!(tags, tags);
        set!(subcategory, subcategory);
        set!(legal_representative, legal_representative);
        set!(address, address);
        set!(designation_batch, designation_batch);
        set!(employees, employees);
        set!(description, description);
        set!(credit_code_override_reason, override_reason);
        if let Some(category) = category {
            // Another category makes the old subcategory meaningless unless one is given.
            if category != d.category && !subcategory_given {
                d.subcategory = None;
            }
            d.category = category;
        }
        if let Some(lead) = lead_department {
            d.lead_department = lead;
        }
        set!(assigned_departments, assigned);
    })
    .await?;
    Ok(enterprise_response(HttpResponse::Ok(), &updated))
}

/// Withdraws an enterprise: it stays readable with status `withdrawn`. Admin only.
#[utoipa::path(
    tag = "enterprises",
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being withdrawn"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        DeleteErrors,
    ),
    security(("bearer" = []))
)]
#[delete("/enterprises/{id}")]
pub async fn withdraw_enterprise(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    _q: StrictQuery<NoParams>,
) -> AppResult<HttpResponse> {
    actor.require_admin()?;
    let expected = if_match_version(&req)?;
    let mut conn = state.pool.get().await?;
    store::withdraw(&mut conn, &actor, *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_enterprise)
        .service(list_enterprises)
        .service(get_enterprise)
        .service(update_enterprise)
        .service(withdraw_enterprise);
}
