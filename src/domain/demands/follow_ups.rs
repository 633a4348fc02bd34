//! Follow-ups (回访): the raising side, a supervisor or an admin asks the enterprise whether its
//! demand was really solved. Every one is kept; the demand's `satisfaction` is the latest.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{DemandEventKind, DemandRow, DemandStatus, Satisfaction};
use super::moves::{after_follow_up, may_follow_up};
use super::store::{Happening, lock, record_event};
use super::workflow::{record_transition, refused};
use crate::db::schema::{demand_follow_ups, demands, enterprise_contacts};
use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::domain::events::EventType;

crate::text_enum! {
    /// How the enterprise was reached: 电话, 上门, 线上.
    pub enum FollowUpMethod { Phone = "phone", Visit = "visit", Online = "online" }
}

/// A follow-up as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = demand_follow_ups, check_for_backend(diesel::pg::Pg))]
pub struct FollowUp {
    pub id: Uuid,
    pub demand_id: Uuid,
    /// Who called or visited.
    pub by_user: Uuid,
    /// That person's department.
    pub department: String,
    pub at: DateTime<Utc>,
    pub method: FollowUpMethod,
    /// The enterprise's contact person who answered, when known.
    pub contact_id: Option<Uuid>,
    pub rating: Satisfaction,
    pub comment: Option<String>,
}

/// What a follow-up records.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub method: FollowUpMethod,
    pub contact_id: Option<Uuid>,
    pub rating: Satisfaction,
    pub comment: Option<String>,
}

/// Records a follow-up on a resolved or rejected demand and moves it as the rating says; returns
/// the demand after it and the follow-up.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    demand_id: Uuid,
    new: NewFollowUp,
) -> AppResult<(DemandRow, FollowUp)> {
    conn.transaction(async move |conn| {
        let before = lock(conn, demand_id).await?;
        if !may_follow_up(actor, &before) {
            return Err(AppError::Forbidden(
                "a follow-up is made by the raising side, a supervisor or an admin, not by the \
                 department that handled the demand"
                    .into(),
            ));
        }
        check_contact(conn, &before, new.contact_id).await?;
        let to = after_follow_up(before.status, new.rating).map_err(refused)?;
        let comment = new
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let follow_up = insert(conn, actor, &before, &new, comment).await?;
        let after = write_outcome(conn, &before, to, new.rating).await?;
        let what = Happening {
            kind: DemandEventKind::FollowUp,
            note: comment,
            satisfaction: Some(new.rating),
        };
        record_event(conn, Some(actor.id), &after, Some(before.status), what).await?;
        let moved = (&before, &after);
        record_transition(conn, actor, moved, comment, EventType::DemandFollowedUp).await?;
        Ok((after, follow_up))
    })
    .await
}

/// 422 unless the contact, when named, is one of the demand's enterprise.
async fn check_contact(
    conn: &mut AsyncPgConnection,
    demand: &DemandRow,
    contact_id: Option<Uuid>,
) -> AppResult<()> {
    let Some(id) = contact_id else {
        return Ok(());
    };
    let enterprise: Option<Uuid> = enterprise_contacts::table
        .find(id)
        .select(enterprise_contacts::enterprise_id)
        .first(conn)
        .await
        .optional()?;
    if enterprise != Some(demand.enterprise_id) {
        return Err(AppError::invalid(
            "contact_id",
            "unknown_contact",
            "not a contact of this demand's enterprise",
        ));
    }
    Ok(())
}

async fn insert(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    demand: &DemandRow,
    new: &NewFollowUp,
    comment: Option<&str>,
) -> QueryResult<FollowUp> {
    diesel::insert_into(demand_follow_ups::table)
        .values((
            demand_follow_ups::id.eq(Uuid::new_v4()),
            demand_follow_ups::demand_id.eq(demand.id),
            demand_follow_ups::enterprise_id.eq(demand.enterprise_id),
            demand_follow_ups::by_user.eq(actor.id),
            demand_follow_ups::department.eq(&actor.department),
            demand_follow_ups::method.eq(new.method),
            demand_follow_ups::contact_id.eq(new.contact_id),
            demand_follow_ups::rating.eq(new.rating),
            demand_follow_ups::comment.eq(comment),
        ))
        .returning(FollowUp::as_returning())
        .get_result(conn)
        .await
}

/// The demand after a rating: its status, the latest satisfaction, one more follow-up, and
/// `closed_at` when it closed.
async fn write_outcome(
    conn: &mut AsyncPgConnection,
    before: &DemandRow,
    to: DemandStatus,
    rating: Satisfaction,
) -> QueryResult<DemandRow> {
    let closed_at = (to == DemandStatus::Closed).then(Utc::now);
    diesel::update(demands::table.find(before.id))
        .set((
            demands::status.eq(to),
            demands::satisfaction.eq(rating),
            demands::follow_ups.eq(demands::follow_ups + 1),
            demands::closed_at.eq(closed_at.or(before.closed_at)),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DemandRow::as_returning())
        .get_result(conn)
        .await
}

/// Every follow-up of a demand, oldest first.
pub async fn list(conn: &mut AsyncPgConnection, demand_id: Uuid) -> QueryResult<Vec<FollowUp>> {
    demand_follow_ups::table
        .filter(demand_follow_ups::demand_id.eq(demand_id))
        .select(FollowUp::as_select())
        .order((demand_follow_ups::at, demand_follow_ups::id))
        .load(conn)
        .await
}
