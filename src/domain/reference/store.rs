//! Reference data queries.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{categories, regions, subcategories};

crate::text_enum! {
    /// A prefecture-level city (设区市) or a county-level division (县、市、区).
    pub enum RegionLevel {
        City = "city",
        County = "county",
    }
}

/// An administrative division.
#[derive(Debug, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = regions, check_for_backend(diesel::pg::Pg))]
pub struct Region {
    /// Six-digit code, e.g. `360100`.
    pub code: String,
    /// e.g. 南昌市.
    pub name: String,
    pub level: RegionLevel,
    /// The city of a county; null for a city.
    pub parent_code: Option<String>,
}

/// A subcategory of the emergency industry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Subcategory {
    pub code: String,
    pub name: String,
}

/// A category of the emergency industry with its subcategories.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub subcategories: Vec<Subcategory>,
}

/// Every region, cities first, by code.
pub async fn regions(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Region>> {
    regions::table
        .select(Region::as_select())
        .order(regions::code)
        .load(conn)
        .await
}

/// Every category with its subcategories (two queries, not one per category).
pub async fn categories(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Category>> {
    let cats: Vec<(String, String)> = categories::table
        .select((categories::code, categories::name))
        .order(categories::sort_order)
        .load(conn)
        .await?;
    let subs: Vec<(String, String, String)> = subcategories::table
        .select((
            subcategories::category_code,
            subcategories::code,
            subcategories::name,
        ))
        .order((subcategories::category_code, subcategories::sort_order))
        .load(conn)
        .await?;
    Ok(cats
        .into_iter()
        .map(|(code, name)| {
            let subcategories = subs
                .iter()
                .filter(|(cat, _, _)| *cat == code)
                .map(|(_, c, n)| Subcategory {
                    code: c.clone(),
                    name: n.clone(),
                })
                .collect();
            Category {
                code,
                name,
                subcategories,
            }
        })
        .collect())
}
