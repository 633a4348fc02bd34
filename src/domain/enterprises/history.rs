//! The history of an enterprise's designations (认定) and withdrawals (撤销认定), which the
//! timeline lists.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::enterprise_designations;
use crate::domain::actor::Actor;

crate::text_enum! {
    /// A designation (认定) or its withdrawal (撤销认定).
    pub enum DesignationKind {
        Designated = "designated",
        Withdrawn = "withdrawn",
    }
}

/// A designation (认定) or withdrawal (撤销认定) as the timeline lists it.
pub struct DesignationRecord<'a> {
    pub enterprise_id: Uuid,
    pub kind: DesignationKind,
    pub on_date: chrono::NaiveDate,
    pub document_no: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// Keeps a designation or withdrawal in `enterprise_designations`.
pub async fn record_designation(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    r: DesignationRecord<'_>,
) -> QueryResult<()> {
    diesel::insert_into(enterprise_designations::table)
        .values((
            enterprise_designations::id.eq(Uuid::new_v4()),
            enterprise_designations::enterprise_id.eq(r.enterprise_id),
            enterprise_designations::kind.eq(r.kind),
            enterprise_designations::on_date.eq(r.on_date),
            enterprise_designations::document_no.eq(r.document_no),
            enterprise_designations::reason.eq(r.reason),
            enterprise_designations::actor.eq(actor.map(|a| a.id)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
