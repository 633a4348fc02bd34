//! Enterprise rows, enums and the rules that need no database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::credit_code;
use crate::db::schema::enterprises;
use crate::domain::change::set_if;
use crate::domain::error::FieldError;
use crate::domain::validation::dedup_keep_order;

crate::text_enum! {
    /// Enterprise size (企业规模).
    pub enum EnterpriseSize {
        Large = "large",
        Medium = "medium",
        Small = "small",
        Micro = "micro",
    }
}

crate::text_enum! {
    /// Whether the enterprise is a contact point now.
    pub enum EnterpriseStatus {
        Active = "active",
        Suspended = "suspended",
        Withdrawn = "withdrawn",
        /// In a designation batch not designated yet: not a contact point (no visit cadence,
        /// not in coverage).
        Candidate = "candidate",
    }
}

/// An enterprise as stored and as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = enterprises, check_for_backend(diesel::pg::Pg))]
pub struct Enterprise {
    pub id: Uuid,
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码, 18 characters, upper case.
    pub credit_code: String,
    /// Why a code failing the GB 32100-2015 check is stored (set by admins only).
    pub credit_code_override_reason: Option<String>,
    /// Six-digit region code (city or county).
    pub region_code: String,
    /// Emergency-industry category code.
    pub category: String,
    pub subcategory: Option<String>,
    pub size: EnterpriseSize,
    /// Department code of the lead department.
    pub lead_department: String,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub key_products: Vec<String>,
    pub designated_on: NaiveDate,
    pub designation_batch: Option<String>,
    pub status: EnterpriseStatus,
    /// Department codes; always includes the lead.
    pub assigned_departments: Vec<String>,
    /// User ids of liaison officers of assigned departments.
    pub liaison_officers: Vec<Uuid>,
    pub tags: Vec<String>,
    pub employees: Option<i32>,
    pub description: Option<String>,
    /// Visit at least every this many days (null: the system's window,
    /// `LIAISON_ALERT_UNVISITED_DAYS`).
    pub visit_cadence_days: Option<i32>,
    /// The designation batch (认定批次) the enterprise was designated in.
    pub designation_batch_id: Option<Uuid>,
    /// Why the designation was withdrawn (null while designated).
    pub withdrawal_reason: Option<String>,
    /// The day it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// 文号 of the withdrawal.
    pub withdrawal_document_no: Option<String>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The writable state of an enterprise: what a create sets and a patch changes.
#[derive(Debug, Clone, PartialEq, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = enterprises, treat_none_as_null = true)]
pub struct EnterpriseDraft {
    pub name: String,
    pub credit_code: String,
    pub credit_code_override_reason: Option<String>,
    pub region_code: String,
    pub category: String,
    pub subcategory: Option<String>,
    pub size: EnterpriseSize,
    pub lead_department: String,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub key_products: Vec<String>,
    pub designated_on: NaiveDate,
    pub designation_batch: Option<String>,
    pub status: EnterpriseStatus,
    pub assigned_departments: Vec<String>,
    pub liaison_officers: Vec<Uuid>,
    pub tags: Vec<String>,
    pub employees: Option<i32>,
    pub description: Option<String>,
    pub visit_cadence_days: Option<i32>,
}

impl From<&Enterprise> for EnterpriseDraft {
    fn from(e: &Enterprise) -> Self {
        EnterpriseDraft {
            name: e.name.clone(),
            credit_code: e.credit_code.clone(),
            credit_code_override_reason: e.credit_code_override_reason.clone(),
            region_code: e.region_code.clone(),
            category: e.category.clone(),
            subcategory: e.subcategory.clone(),
            size: e.size,
            lead_department: e.lead_department.clone(),
            legal_representative: e.legal_representative.clone(),
            address: e.address.clone(),
            key_products: e.key_products.clone(),
            designated_on: e.designated_on,
            designation_batch: e.designation_batch.clone(),
            status: e.status,
            assigned_departments: e.assigned_departments.clone(),
            liaison_officers: e.liaison_officers.clone(),
            tags: e.tags.clone(),
            employees: e.employees,
            visit_cadence_days: e.visit_cadence_days,
            description: e.description.clone(),
        }
    }
}

/// A change to an enterprise's draft: `None` leaves a field alone; for the fields that can be
/// cleared, `Some(None)` clears them.
#[derive(Debug, Default)]
pub struct DraftChange {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub lead_department: Option<String>,
    pub key_products: Option<Vec<String>>,
    pub designated_on: Option<NaiveDate>,
    pub status: Option<EnterpriseStatus>,
    pub assigned_departments: Option<Vec<String>>,
    pub liaison_officers: Option<Vec<Uuid>>,
    pub tags: Option<Vec<String>>,
    pub subcategory: Option<Option<String>>,
    pub legal_representative: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub designation_batch: Option<Option<String>>,
    pub employees: Option<Option<i32>>,
    pub visit_cadence_days: Option<Option<i32>>,
    pub description: Option<Option<String>>,
    pub credit_code_override_reason: Option<Option<String>>,
}

impl DraftChange {
    /// Applies the change to `d`.
    pub fn apply(self, d: &mut EnterpriseDraft) {
        // Another category makes the old subcategory meaningless unless one is given.
        if self.category.as_ref().is_some_and(|c| *c != d.category) && self.subcategory.is_none() {
            d.subcategory = None;
        }
        set_if(&mut d.name, self.name);
        set_if(&mut d.credit_code, self.credit_code);
        set_if(&mut d.region_code, self.region_code);
        set_if(&mut d.category, self.category);
        set_if(&mut d.size, self.size);
        set_if(&mut d.lead_department, self.lead_department);
        set_if(&mut d.key_products, self.key_products);
        set_if(&mut d.designated_on, self.designated_on);
        set_if(&mut d.status, self.status);
        set_if(&mut d.assigned_departments, self.assigned_departments);
        set_if(&mut d.liaison_officers, self.liaison_officers);
        set_if(&mut d.tags, self.tags);
        set_if(&mut d.subcategory, self.subcategory);
        set_if(&mut d.legal_representative, self.legal_representative);
        set_if(&mut d.address, self.address);
        set_if(&mut d.designation_batch, self.designation_batch);
        set_if(&mut d.employees, self.employees);
        set_if(&mut d.visit_cadence_days, self.visit_cadence_days);
        set_if(&mut d.description, self.description);
        set_if(
            &mut d.credit_code_override_reason,
            self.credit_code_override_reason,
        );
    }
}

/// Longest free text, in characters.
const MAX_TEXT: usize = 2000;
/// Longest short text (names, titles, batches).
const MAX_SHORT: usize = 200;
/// Most entries of a list field.
const MAX_ITEMS: usize = 50;
/// Most assigned departments, and most liaison officers.
const MAX_ASSIGNED: usize = 20;

impl EnterpriseDraft {
    /// Normalizes what people type: trims text, upper-cases the credit code, puts the lead
    /// department into the assigned ones, drops duplicates.
    pub fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        self.credit_code = credit_code::normalize(&self.credit_code);
        self.credit_code_override_reason = trimmed(self.credit_code_override_reason.take());
        if !self.assigned_departments.contains(&self.lead_department) {
            self.assigned_departments
                .insert(0, self.lead_department.clone());
        }
        dedup_keep_order(&mut self.assigned_departments);
        dedup_keep_order(&mut self.liaison_officers);
        for list in [&mut self.key_products, &mut self.tags] {
            for item in list.iter_mut() {
                *item = item.trim().to_owned();
            }
            dedup_keep_order(list);
        }
    }

    /// Every rule that needs no database, all at once.
    pub fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        text_rule(&mut errors, "name", Some(&self.name), true, MAX_SHORT);
        let override_given = self.credit_code_override_reason.is_some();
        let code_check = if override_given {
            credit_code::validate_shape(&self.credit_code)
        } else {
            credit_code::validate(&self.credit_code)
        };
        if let Err(e) = code_check {
            errors.push(FieldError::new("credit_code", e.code(), e.message()));
        }
        let optional_texts = [
            (
                "credit_code_override_reason",
                &self.credit_code_override_reason,
                MAX_TEXT,
            ),
            (
                "legal_representative",
                &self.legal_representative,
                MAX_SHORT,
            ),
            ("address", &self.address, MAX_SHORT),
            ("designation_batch", &self.designation_batch, MAX_SHORT),
            ("description", &self.description, MAX_TEXT),
        ];
        for (field, value, max) in optional_texts {
            text_rule(&mut errors, field, value.as_deref(), false, max);
        }
        self.check_lists(&mut errors);
        if self.employees.is_some_and(|n| n < 0) {
            errors.push(FieldError::new("employees", "range", "may not be negative"));
        }
        if self
            .visit_cadence_days
            .is_some_and(|n| !(1..=3650).contains(&n))
        {
            errors.push(FieldError::new(
                "visit_cadence_days",
                "range",
                "1 to 3650 days",
            ));
        }
        if self.designated_on > today {
            errors.push(FieldError::new(
                "designated_on",
                "in_future",
                "may not be in the future",
            ));
        }
        errors
    }

    /// The lists' lengths and entries. Assignments are counted after [`Self::normalize`] (the
    /// lead department among them), whatever path they came by: a form, a patch or an import.
    fn check_lists(&self, errors: &mut Vec<FieldError>) {
        for (field, list) in [("key_products", &self.key_products), ("tags", &self.tags)] {
            if list.len() > MAX_ITEMS {
                errors.push(FieldError::new(field, "too_many", "at most 50 entries"));
            }
            for (i, item) in list.iter().enumerate() {
                text_rule(errors, &format!("{field}[{i}]"), Some(item), true, 100);
            }
        }
        if self.assigned_departments.len() > MAX_ASSIGNED {
            errors.push(FieldError::new(
                "assigned_departments",
                "too_many",
                "at most 20 departments, the lead included",
            ));
        }
        if self.liaison_officers.len() > MAX_ASSIGNED {
            errors.push(FieldError::new(
                "liaison_officers",
                "too_many",
                "at most 20 entries",
            ));
        }
    }
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Required text may not be blank; no text may be longer than `max` characters.
fn text_rule(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    required: bool,
    max: usize,
) {
    match value {
        Some(text) if required && text.trim().is_empty() => {
            errors.push(FieldError::new(field, "blank", "may not be empty or blank"))
        }
        Some(text) if text.chars().count() > max => errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
