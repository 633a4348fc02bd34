//! Names that export rows show instead of ids, fetched once per page (never per row).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Cell;
use crate::db::schema::{enterprises, users};
use crate::domain::error::AppResult;

/// Name and credit code of the enterprises of one page.
pub struct EnterpriseNames(HashMap<Uuid, (String, String)>);

impl EnterpriseNames {
    /// The enterprise's name and credit code, as a row's first two cells.
    pub fn cells(&self, id: &Uuid) -> [Cell; 2] {
        let (name, code) = self.0.get(id).cloned().unwrap_or_default();
        [Cell::Text(name), Cell::Text(code)]
    }
}

/// Name and credit code of each enterprise in `ids`.
pub async fn enterprise_names(
    conn: &mut AsyncPgConnection,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<EnterpriseNames> {
    let ids = distinct(ids);
    let rows: Vec<(Uuid, String, String)> = enterprises::table
        .filter(enterprises::id.eq_any(ids))
        .select((enterprises::id, enterprises::name, enterprises::credit_code))
        .load(conn)
        .await?;
    Ok(EnterpriseNames(
        rows.into_iter()
            .map(|(id, name, code)| (id, (name, code)))
            .collect(),
    ))
}

/// The username of each user in `ids` (what the import's 联络员 column takes back).
pub async fn usernames(
    conn: &mut AsyncPgConnection,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let ids = distinct(ids);
    let rows: Vec<(Uuid, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Display name (or username) of each user in `ids`.
pub async fn user_names(
    conn: &mut AsyncPgConnection,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let ids = distinct(ids);
    let rows: Vec<(Uuid, String, Option<String>)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username, users::display_name))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, display)| (id, display.unwrap_or(username)))
        .collect())
}

/// Each id once, for an `= ANY(…)` of bounded size.
fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
