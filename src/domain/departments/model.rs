//! A department: a provincial body (省工业和信息化厅), a city's bureau (南昌市工业和信息化局) or a
//! county unit, with the names it was known by before.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::departments;
use crate::domain::error::FieldError;
use crate::domain::validation::dedup_keep_order;

crate::text_enum! {
    /// Where a unit sits: 省级, 设区市, 县(市、区).
    pub enum DepartmentLevel { Province = "province", City = "city", County = "county" }
}

/// A department.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = departments, check_for_backend(diesel::pg::Pg))]
pub struct Department {
    /// Short code, e.g. `gxw`.
    pub code: String,
    /// Current name, e.g. 江西省工业和信息化厅.
    pub name: String,
    pub level: DepartmentLevel,
    /// The city or county of a local unit; null for a provincial body.
    pub region_code: Option<String>,
    /// Former names, e.g. 省工信委 (the names older documents and spreadsheets use).
    pub aliases: Vec<String>,
    /// An inactive department keeps its users and history but receives no new demands.
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What creates a department.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = departments)]
pub struct DepartmentDraft {
    pub code: String,
    pub name: String,
    pub level: DepartmentLevel,
    pub region_code: Option<String>,
    pub aliases: Vec<String>,
}

/// What an edit changes (`None` leaves a column alone).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = departments)]
pub struct DepartmentChange {
    pub name: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub active: Option<bool>,
}

impl DepartmentChange {
    /// Whether the change sets anything.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.aliases.is_none() && self.active.is_none()
    }
}

/// A provincial body has no region; a city or county unit has one.
pub fn region_problem(level: DepartmentLevel, region_code: Option<&str>) -> Option<FieldError> {
    match (level, region_code) {
        (DepartmentLevel::Province, Some(_)) => Some(FieldError::new(
            "region_code",
            "not_allowed",
            "a provincial department has no region",
        )),
        (DepartmentLevel::City | DepartmentLevel::County, None) => Some(FieldError::new(
            "region_code",
            "required",
            "a city or county unit names its region",
        )),
        _ => None,
    }
}

/// Names trimmed, blanks and repeats dropped, in the order given.
pub fn clean_aliases(aliases: Vec<String>) -> Vec<String> {
    let mut cleaned: Vec<String> = (aliases.iter().map(|a| a.trim().to_owned()))
        .filter(|a| !a.is_empty())
        .collect();
    dedup_keep_order(&mut cleaned);
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_units_have_a_region() {
        use DepartmentLevel::*;
        assert!(region_problem(Province, None).is_none());
        assert!(region_problem(City, Some("360100")).is_none());
        assert!(region_problem(County, Some("360121")).is_none());
        assert_eq!(
            region_problem(Province, Some("360100")).map(|e| e.code),
            Some("not_allowed".to_owned())
        );
        assert_eq!(
            region_problem(County, None).map(|e| e.code),
            Some("required".to_owned())
        );
    }

    #[test]
    fn aliases_are_trimmed_and_kept_once() {
        let raw = vec![
            " 省工信委".into(),
            "".into(),
            "省工信委".into(),
            "省经信委".into(),
        ];
        assert_eq!(clean_aliases(raw), ["省工信委", "省经信委"]);
    }
}
