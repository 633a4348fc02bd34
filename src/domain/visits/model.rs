//! Visit rows and the rules that need no database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::visits;
use crate::domain::error::FieldError;

crate::text_enum! {
    /// How the visit took place.
    pub enum VisitKind {
        OnSite = "on_site",
        Phone = "phone",
        Video = "video",
        Meeting = "meeting",
    }
}

/// A visit as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = visits, check_for_backend(diesel::pg::Pg))]
pub struct Visit {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    /// The visiting department (the creator's).
    pub department: String,
    pub visited_on: NaiveDate,
    pub kind: VisitKind,
    /// User ids of the officials who visited: of the visiting department, and of others on a
    /// joint visit (联合走访).
    pub officers: Vec<Uuid>,
    pub summary: String,
    /// The enterprise's people who took part.
    pub participants: Option<String>,
    pub purpose: Option<String>,
    pub findings: Option<String>,
    /// When the next visit is planned; it is the enterprise's next due date.
    pub next_visit_on: Option<NaiveDate>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Contact persons of the enterprise met (ids of its contacts).
    pub contacts_met: Vec<Uuid>,
    /// What was confirmed on the visit, item by item (e.g. 安全生产情况, 订单情况).
    pub checklist: Vec<String>,
}

impl crate::db::keyset::Keyed for Visit {
    type Key = (NaiveDate, Uuid);

    fn key(&self) -> Self::Key {
        (self.visited_on, self.id)
    }
}

/// The writable fields of a visit: inserted with a new visit, set by an edit.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = visits, treat_none_as_null = true)]
pub struct VisitFields {
    pub visited_on: NaiveDate,
    pub kind: VisitKind,
    pub officers: Vec<Uuid>,
    pub summary: String,
    pub participants: Option<String>,
    pub purpose: Option<String>,
    pub findings: Option<String>,
    pub next_visit_on: Option<NaiveDate>,
    pub contacts_met: Vec<Uuid>,
    pub checklist: Vec<String>,
}

impl From<&Visit> for VisitFields {
    fn from(v: &Visit) -> Self {
        VisitFields {
            visited_on: v.visited_on,
            kind: v.kind,
            officers: v.officers.clone(),
            summary: v.summary.clone(),
            participants: v.participants.clone(),
            purpose: v.purpose.clone(),
            findings: v.findings.clone(),
            next_visit_on: v.next_visit_on,
            contacts_met: v.contacts_met.clone(),
            checklist: v.checklist.clone(),
        }
    }
}

impl VisitFields {
    /// The fields as stored: the summary without surrounding blanks, checklist items trimmed
    /// and blank ones dropped.
    pub fn trimmed(self) -> Self {
        let summary = self.summary.trim().to_owned();
        let checklist = (self.checklist.iter().map(|i| i.trim().to_owned()))
            .filter(|i| !i.is_empty())
            .collect();
        VisitFields {
            summary,
            checklist,
            ..self
        }
    }

    /// Every rule that needs no database.
    pub fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.visited_on > today {
            errors.push(FieldError::new(
                "visited_on",
                "in_future",
                "may not be in the future",
            ));
        }
        if self.officers.is_empty() {
            errors.push(FieldError::new(
                "officers",
                "required",
                "at least one officer",
            ));
        }
        if self.summary.trim().is_empty() {
            errors.push(FieldError::new(
                "summary",
                "blank",
                "may not be empty or blank",
            ));
        }
        for (i, item) in self.checklist.iter().enumerate() {
            if item.chars().count() > 200 {
                let field = format!("checklist[{i}]");
                errors.push(FieldError::new(field, "too_long", "at most 200 characters"));
            }
        }
        for (field, text) in [
            ("summary", Some(&self.summary)),
            ("participants", self.participants.as_ref()),
            ("purpose", self.purpose.as_ref()),
            ("findings", self.findings.as_ref()),
        ] {
            if text.is_some_and(|t| t.chars().count() > 4000) {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    "at most 4000 characters",
                ));
            }
        }
        if self
            .next_visit_on
            .is_some_and(|next| next < self.visited_on)
        {
            errors.push(FieldError::new(
                "next_visit_on",
                "before_visit",
                "may not be before the visit",
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        let ok = VisitFields {
            visited_on: today,
            kind: VisitKind::OnSite,
            officers: vec![Uuid::nil()],
            summary: "了解企业生产经营情况".into(),
            participants: None,
            purpose: None,
            findings: None,
            next_visit_on: None,
            contacts_met: vec![],
            checklist: vec![" 安全生产 ".into(), " ".into()],
        };
        assert!(ok.check(today).is_empty());
        assert_eq!(
            ok.clone().trimmed().checklist,
            ["安全生产"],
            "trimmed, blanks dropped"
        );
        let bad = VisitFields {
            visited_on: today + chrono::Days::new(1),
            officers: vec![],
            summary: " ".into(),
            next_visit_on: Some(today),
            checklist: vec!["长".repeat(201)],
            ..ok
        };
        let fields: Vec<String> = bad.check(today).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "visited_on",
                "officers",
                "summary",
                "checklist[0]",
                "next_visit_on"
            ]
        );
    }
}
