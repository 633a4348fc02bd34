//! `/api/v1/demands`: raised by liaison officers (and admins), moved by the assigned
//! department, followed up by the raising side and supervisors, read by every role. The
//! follow-up loop's actions (progress, extensions, urges, follow-ups) are in [`actions`].

mod actions;

pub use actions::{ExtensionOutcome, FollowUpOutcome};

use actix_web::{HttpResponse, web};
use actix_web::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use diesel_async::AsyncPgConnection;

use crate::db::keyset;
use crate::domain::actor::{Actor, Role};

use crate::domain::demands::list::{self, After, DemandFilter, Order, SortKey};
use crate::domain::demands::model::{Demand, DemandCategory, DemandEvent, DemandRow, Urgency};
use crate::domain::demands::moves::TransitionRequest;
use crate::domain::demands::store::{self, NewDemand};
use crate::domain::demands::{views, workflow};
use crate::domain::error::{AppError, AppResult};
use crate::web::body::JsonBody;
use crate::web::idempotency::IdempotencyKey;
use crate::web::pagination::{Listing, Page, PageParams, decode_cursor};
use crate::web::precondition::{created, current};
use crate::web::problem::{ActionErrors, CreateErrors, ListErrors, ReadErrors};
use crate::web::state::AppState;

/// Body of `POST /api/v1/demands`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDemandRequest {
    #[validate(required)]
    #[schema(required = true, value_type = Uuid)]
    pub enterprise_id: Option<Uuid>,
    #[validate(required)]
    #[schema(required = true, value_type = DemandCategory)]
    pub category: Option<DemandCategory>,
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 200, example = "申请技术改造贷款贴息")]
    pub title: Option<String>,
    /// Department code the demand is assigned to.
    #[validate(required, length(max = 32))]
    #[schema(required = true, value_type = String, example = "czt", max_length = 32)]
    pub assigned_department: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// May be in the past. Without it, the time limit of the category and urgency
    /// (`/api/v1/reference/demand-time-limits`) gives it, in working days from today.
    pub due_on: Option<NaiveDate>,
    /// A visit of the same enterprise.
    pub visit_id: Option<Uuid>,
    /// `normal` (the default) or `urgent`.
    pub urgency: Option<Urgency>,
    /// Departments working with the assigned one (协办), at most 10.
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub co_departments: Option<Vec<String>>,
}

/// Raises a demand. Admins and liaison officers.
#[utoipa::path(
    tag = "demands", request_body = NewDemandRequest,
    params(IdempotencyKey),
    responses(
        (status = 201, body = Demand, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ),
)]
#[post("/demands")]
pub async fn create_demand(
    actor: Actor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison])?;
    let b: NewDemandRequest = body.read().await?;
    let new = NewDemand {
        category: b.category.unwrap_or(DemandCategory::Other),
        title: b.title.unwrap_or_default(),
        description: b.description,
        assigned_department: b.assigned_department.unwrap_or_default(),
        due_on: b.due_on,
        urgency: b.urgency.unwrap_or(Urgency::Normal),
        co_departments: b.co_departments.unwrap_or_default(),
    };
    let mut conn = state.pool.get().await?;
    let row = store::create(
        &mut conn,
        &actor,
        b.enterprise_id.unwrap_or_default(),
        b.visit_id,
        new,
    )
    .await?;
    let demand = views::of_row(&mut conn, row, state.clock.today()).await?;
    Ok(created(
        format!("/api/v1/demands/{}", demand.id),
        demand.version,
        &demand,
    ))
}

/// Sort orders of the demand list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
pub enum DemandSort {
    #[default]
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    #[serde(rename = "due_on")]
    DueOn,
    #[serde(rename = "-due_on")]
    DueOnDesc,
}

impl DemandSort {
    fn key(self) -> (SortKey, bool) {
        match self {
            DemandSort::CreatedAtDesc => (SortKey::CreatedAt, true),
            DemandSort::CreatedAt => (SortKey::CreatedAt, false),
            DemandSort::UpdatedAt => (SortKey::UpdatedAt, false),
            DemandSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
            DemandSort::DueOn => (SortKey::DueOn, false),
            DemandSort::DueOnDesc => (SortKey::DueOn, true),
        }
    }
}

/// The `sort` parameter of the demand list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandSortParam {
    /// `-created_at` (default: newest first), `created_at`, `updated_at`, `due_on` (no due date
    /// last); `-` for descending.
    #[param(inline)]
    pub sort: Option<DemandSort>,
}

/// The cursor of a page: the sort's value and the id of the page's last demand.
type Cursor = (String, serde_json::Value, Uuid);

fn cursor_of(key: SortKey, row: &DemandRow) -> Cursor {
    match list::position(key, row) {
        After::At(at, id) => (format!("{key:?}"), serde_json::json!(at), id),
        After::Day(day, id) => (format!("{key:?}"), serde_json::json!(day), id),
    }
}

/// Where a cursor made for `key` says the previous page ended.
fn after_cursor(key: SortKey, cursor: Option<&str>) -> AppResult<Option<After>> {
    let Some((name, value, id)) = decode_cursor::<Cursor>(cursor)? else {
        return Ok(None);
    };
    let bad = || {
        AppError::BadRequest(
            "the cursor belongs to another sort order; start again without it".into(),
        )
    };
    if name != format!("{key:?}") {
        return Err(bad());
    }
    Ok(Some(match key {
        SortKey::DueOn => After::Day(serde_json::from_value(value).map_err(|_| bad())?, id),
        _ => After::At(serde_json::from_value(value).map_err(|_| bad())?, id),
    }))
}

/// Lists demands, newest first or in the `sort` asked for. Any authenticated caller.
#[utoipa::path(
    tag = "demands", params(DemandFilter, DemandSortParam, PageParams),
    responses(
        (status = 200, body = Page<Demand>),
        ListErrors,
    ),
)]
#[get("/demands")]
pub async fn list_demands(
    _actor: Actor,
    state: web::Data<AppState>,
    query: Listing<DemandFilter, DemandSort>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let (key, descending) = query.sort.unwrap_or_default().key();
    let after = after_cursor(key, query.cursor())?;
    let order = Order {
        key,
        descending,
        after,
    };
    let today = state.clock.today();
    let mut conn = state.pool.get().await?;
    let rows = list::list(&mut conn, query.filter, today, order, limit)
        .await?
        .ok_or_else(|| AppError::BadRequest("the cursor belongs to another sort order".into()))?;
    let (rows, next_cursor) = keyset::page(rows, limit, |r| cursor_of(key, r));
    let items = views::of_rows(&mut conn, rows, today).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one demand. Any authenticated caller.
#[utoipa::path(
    tag = "demands",
    params(("id" = Uuid, Path, description = "Demand id")),
    responses(
        (status = 200, body = Demand, headers(("ETag" = String))),
        ReadErrors,
    ),
)]
#[get("/demands/{id}")]
pub async fn get_demand(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = store::get(&mut conn, *id).await?;
    shown(&mut conn, row, state.clock.today()).await
}

/// Moves a demand through its status machine (a move it does not allow is 409): 签收, 办结,
/// 转办 and 退回 with a reason, rejection with a reason. A liaison officer of the assigned
/// department (of the raising one for a returned demand), or an admin. `to: closed` with
/// `satisfaction` is a follow-up by phone, under the follow-up's rule.
#[utoipa::path(
    tag = "demands",
    params(
        IdempotencyKey,
        ("id" = Uuid, Path, description = "Demand id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = Demand, headers(("ETag" = String))),
        ActionErrors,
    ),
)]
#[post("/demands/{id}/transitions")]
pub async fn transition_demand(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    actor.require_any(&[Role::Admin, Role::Liaison, Role::Supervisor])?;
    let request: TransitionRequest = body.read().await?;
    let mut conn = state.pool.get().await?;
    let row = workflow::transition(&mut conn, &actor, *id, request).await?;
    shown(&mut conn, row, state.clock.today()).await
}

/// The demand's events, oldest first; the first is its creation. Any authenticated caller.
#[utoipa::path(
    tag = "demands",
    params(("id" = Uuid, Path, description = "Demand id")),
    responses(
        (status = 200, body = Page<DemandEvent>),
        ReadErrors,
    ),
)]
#[get("/demands/{id}/events")]
pub async fn list_demand_events(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    store::get(&mut conn, *id).await?;
    Ok(HttpResponse::Ok().json(Page::all(store::events(&mut conn, *id).await?)))
}

/// The demand as the API shows it, with its version as the `ETag`.
async fn shown(
    conn: &mut AsyncPgConnection,
    row: DemandRow,
    today: chrono::NaiveDate,
) -> AppResult<HttpResponse> {
    let demand = views::of_row(conn, row, today).await?;
    Ok(current(demand.version, &demand))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_demand)
        .service(list_demands)
        .service(get_demand)
        .service(transition_demand)
        .service(list_demand_events)
        .configure(actions::routes);
}
