//! `GET /api/v1/enterprises/{id}/timeline`: read by every role.

use actix_web::get;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Ref, Schema, Type};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::db::money::Money;
use crate::domain::actor::Actor;
use crate::domain::demands::model::Satisfaction;
use crate::domain::enterprises::history::DesignationKind;
use crate::domain::enterprises::store as enterprises;
use crate::domain::error::AppResult;
use crate::domain::timeline::store::{self, TimelineRow};
use crate::web::body::NoParams;
use crate::web::pagination::{Listing, Page, PageParams};
use crate::web::problem::{ReadErrors, Unprocessable};
use crate::web::state::AppState;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineType {
    Visit,
    DemandEvent,
    SupportMeasure,
    Disbursement,
    BenefitEvent,
    /// A designation (认定, `kind` `designated`) or its withdrawal (撤销认定, `withdrawn`, with
    /// the reason as `note`).
    Designation,
}

/// One thing that happened to the enterprise.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineItem {
    /// When it happened (a visit: its day at 00:00+08:00).
    pub at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub item_type: TimelineType,
    /// The visit's or the event's own id.
    pub id: Uuid,
    /// The visit's summary (shortened) or the demand's title.
    pub title: String,
    /// For demand events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_id: Option<Uuid>,
    /// For visits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visited_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = kind_schema)]
    pub kind: Option<String>,
    /// The visiting or the assigned department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// For demand and benefit events: the status before (null for a creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = status_schema)]
    pub from: Option<String>,
    /// For demand and benefit events: the status after; for measures: their status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = status_schema)]
    pub to: Option<String>,
    /// The event's note, the visit's purpose, the measure's 文号 or the payment's voucher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who did it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Uuid>,
    /// For a follow-up (回访): the enterprise's rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    /// For support measures and disbursements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_measure_id: Option<Uuid>,
    /// For support measures and disbursements: a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// For benefit events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benefit_id: Option<Uuid>,
}

/// `kind` is a value of one closed set, which `type` names: a visit's kind (`on_site`, …), a
/// demand event's kind (`created`, `transition`, …), a support kind (`subsidy`, …, for measures
/// and payments), or a designation's (`designated`, `withdrawn`).
fn kind_schema() -> Schema {
    let designation = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(DesignationKind::ALL.iter().map(|k| k.as_str())));
    closed_sets(
        &["VisitKind", "DemandEventKind", "SupportKind"],
        Some(designation.into()),
        "What kind of thing happened, from the closed set of its `type`.",
    )
}

/// `from` and `to` are statuses of the item's record: a demand's, a measure's or a benefit's.
fn status_schema() -> Schema {
    closed_sets(
        &["DemandStatus", "MeasureStatus", "BenefitStatus"],
        None,
        "A status of the item's record (a demand's, a measure's or a benefit's).",
    )
}

/// Any of the named enums (and `extra`), or null.
fn closed_sets(names: &[&str], extra: Option<Schema>, description: &str) -> Schema {
    let mut any = AnyOfBuilder::new().description(Some(description));
    for name in names {
        any = any.item(Ref::from_schema_name(*name));
    }
    if let Some(extra) = extra {
        any = any.item(extra);
    }
    Schema::AnyOf(
        any.item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

impl crate::db::keyset::Keyed for TimelineItem {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.at, self.id)
    }
}

impl From<TimelineRow> for TimelineItem {
    fn from(r: TimelineRow) -> Self {
        TimelineItem {
            at: r.at,
            item_type: match r.item_type.as_str() {
                "visit" => TimelineType::Visit,
                "support_measure" => TimelineType::SupportMeasure,
                "disbursement" => TimelineType::Disbursement,
                "benefit_event" => TimelineType::BenefitEvent,
                "designation" => TimelineType::Designation,
                _ => TimelineType::DemandEvent,
            },
            id: r.id,
            title: r.title,
            demand_id: r.demand_id,
            visited_on: r.visited_on,
            kind: r.visit_kind,
            department: r.department,
            from: r.from_status,
            to: r.to_status,
            note: r.note,
            actor: r.actor,
            satisfaction: r.satisfaction,
            support_measure_id: r.support_measure_id,
            amount: r.amount,
            benefit_id: r.benefit_id,
        }
    }
}

/// Everything that happened to the enterprise, newest first. Any authenticated caller.
#[utoipa::path(
    tag = "enterprises",
    params(("id" = Uuid, Path, description = "Enterprise id"), PageParams),
    responses(
        (status = 200, body = Page<TimelineItem>),
        ReadErrors,
        (status = 422, response = Unprocessable),
    ),
)]
#[get("/enterprises/{id}/timeline")]
pub async fn enterprise_timeline(
    _actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Listing<NoParams>,
) -> AppResult<HttpResponse> {
    let limit = query.limit()?;
    let before = query.after::<TimelineItem>()?;
    let mut conn = state.pool.get().await?;
    enterprises::get(&mut conn, *id).await?;
    let rows = store::page(&mut conn, *id, before, limit).await?;
    let items = rows.into_iter().map(TimelineItem::from).collect();
    Ok(HttpResponse::Ok().json(Page::of(items, limit)))
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(enterprise_timeline);
}
