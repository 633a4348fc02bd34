//! Demands as the API shows them: with `overdue` and `handling_days` for today, their
//! extensions and their enterprise's name — three queries for a whole page, not one per demand.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Demand, DemandRow};
use super::supervision::extensions_of;
use crate::db::clock::china_day;
use crate::db::schema::enterprises;
use crate::domain::reference::calendar;

/// The views of `rows`, in their order.
pub async fn of_rows(
    conn: &mut AsyncPgConnection,
    rows: Vec<DemandRow>,
    today: NaiveDate,
) -> QueryResult<Vec<Demand>> {
    let Some(earliest) = rows.iter().map(|r| china_day(r.created_at)).min() else {
        return Ok(Vec::new());
    };
    let calendar = calendar::load(conn, earliest, today.max(earliest)).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut extensions = HashMap::<Uuid, Vec<_>>::new();
    for e in extensions_of(conn, &ids).await? {
        extensions.entry(e.demand_id).or_default().push(e);
    }
    let enterprise_ids: Vec<Uuid> = rows.iter().map(|r| r.enterprise_id).collect();
    let names: HashMap<Uuid, String> = enterprises::table
        .filter(enterprises::id.eq_any(&enterprise_ids))
        .select((enterprises::id, enterprises::name))
        .load::<(Uuid, String)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut demand = Demand::from_row(row, today, &calendar);
            demand.extensions = extensions.remove(&demand.id).unwrap_or_default();
            demand.enterprise_name = names.get(&demand.enterprise_id).cloned();
            demand
        })
        .collect())
}

/// The view of one row.
pub async fn of_row(
    conn: &mut AsyncPgConnection,
    row: DemandRow,
    today: NaiveDate,
) -> QueryResult<Demand> {
    let mut views = of_rows(conn, vec![row], today).await?;
    Ok(views.remove(0))
}
