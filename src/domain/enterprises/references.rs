//! What enterprise drafts refer to (regions, categories, departments, officers), loaded once
//! for any number of drafts: a whole import file is checked with four queries.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::EnterpriseDraft;
use crate::db::schema::{departments, regions, subcategories, users};
use crate::domain::error::FieldError;

/// The records that drafts refer to (regions, subcategories, departments, officers), loaded
/// once for any number of drafts so that a whole import file is checked with four queries.
#[derive(Debug, Default)]
pub struct References {
    regions: HashSet<String>,
    subcategories: HashMap<String, Vec<Option<String>>>,
    departments: HashSet<String>,
    /// User id → (department, disabled).
    users: HashMap<Uuid, (String, bool)>,
}

impl References {
    /// Loads what `drafts` refer to.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        drafts: &[&EnterpriseDraft],
    ) -> QueryResult<References> {
        let region_codes: Vec<&String> = drafts.iter().map(|d| &d.region_code).collect();
        let category_codes: Vec<&String> = drafts.iter().map(|d| &d.category).collect();
        let department_codes: Vec<&String> = drafts
            .iter()
            .flat_map(|d| d.assigned_departments.iter().chain([&d.lead_department]))
            .collect();
        let user_ids: Vec<Uuid> = drafts
            .iter()
            .flat_map(|d| d.liaison_officers.iter().copied())
            .collect();
        let mut refs = References {
            regions: regions::table
                .filter(regions::code.eq_any(region_codes))
                .select(regions::code)
                .load::<String>(conn)
                .await?
                .into_iter()
                .collect(),
            departments: departments::table
                .filter(departments::code.eq_any(department_codes))
                .select(departments::code)
                .load::<String>(conn)
                .await?
                .into_iter()
                .collect(),
            ..References::default()
        };
        let subs: Vec<(String, String)> = subcategories::table
            .filter(subcategories::category_code.eq_any(category_codes))
            .select((subcategories::category_code, subcategories::code))
            .load(conn)
            .await?;
        for (category, code) in subs {
            refs.subcategories
                .entry(category)
                .or_default()
                .push(Some(code));
        }
        let officers: Vec<(Uuid, String, bool)> = users::table
            .filter(users::id.eq_any(user_ids))
            .select((users::id, users::department, users::disabled))
            .load(conn)
            .await?;
        refs.users = officers
            .into_iter()
            .map(|(id, dept, disabled)| (id, (dept, disabled)))
            .collect();
        Ok(refs)
    }

    /// Every reference problem of one draft: region, category and subcategory, departments,
    /// liaison officers (active users of an assigned department).
    pub fn check(&self, d: &EnterpriseDraft) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.regions.contains(&d.region_code) {
            errors.push(FieldError::new(
                "region_code",
                "unknown_region",
                "not a known region code",
            ));
        }
        match self.subcategories.get(&d.category) {
            None => errors.push(FieldError::new(
                "category",
                "unknown_category",
                "not a known category",
            )),
            Some(subs) if d.subcategory.is_some() && !subs.contains(&d.subcategory) => {
                errors.push(FieldError::new(
                    "subcategory",
                    "unknown_subcategory",
                    "not a subcategory of this category",
                ))
            }
            Some(_) => {}
        }
        if !self.departments.contains(&d.lead_department) {
            errors.push(FieldError::new(
                "lead_department",
                "unknown_department",
                "not a known department",
            ));
        }
        for (i, code) in d.assigned_departments.iter().enumerate() {
            if !self.departments.contains(code) && *code != d.lead_department {
                errors.push(FieldError::new(
                    format!("assigned_departments[{i}]"),
                    "unknown_department",
                    "not a known department",
                ));
            }
        }
        for (i, id) in d.liaison_officers.iter().enumerate() {
            let ok = self
                .users
                .get(id)
                .is_some_and(|(dept, disabled)| !disabled && d.assigned_departments.contains(dept));
            if !ok {
                errors.push(FieldError::new(
                    format!("liaison_officers[{i}]"),
                    "not_an_officer_of_assigned_department",
                    "must be an active user of an assigned department",
                ));
            }
        }
        errors
    }
}

/// Checks what one draft refers to. Every problem at once.
pub async fn check_references(
    conn: &mut AsyncPgConnection,
    d: &EnterpriseDraft,
) -> QueryResult<Vec<FieldError>> {
    Ok(References::load(conn, &[d]).await?.check(d))
}
