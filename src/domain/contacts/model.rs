//! A contact as callers see it, and the rules of its fields, without a database.

use chrono::{DateTime, Utc};
use diesel::{AsChangeset, Insertable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::ValidateEmail;

use super::store::ContactRow;
use crate::domain::error::FieldError;
use crate::domain::masking::{mask_email, mask_phone};

/// A contact person of an enterprise.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub name: String,
    /// 职务, e.g. 总经理.
    pub title: Option<String>,
    /// Masked (`138****5678`) unless the caller may edit the enterprise.
    pub phone: Option<String>,
    /// Masked (`z***@example.com`) unless the caller may edit the enterprise.
    pub email: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::db::keyset::Keyed for Contact {
    type Key = (DateTime<Utc>, Uuid);

    fn key(&self) -> Self::Key {
        (self.created_at, self.id)
    }
}

/// Turns a stored contact into what this caller may see.
pub fn contact_view(row: ContactRow, unmasked: bool) -> Contact {
    let (phone, email) = if unmasked {
        (row.phone, row.email)
    } else {
        (
            row.phone.as_deref().map(mask_phone),
            row.email.as_deref().map(mask_email),
        )
    };
    Contact {
        id: row.id,
        enterprise_id: row.enterprise_id,
        name: row.name,
        title: row.title,
        phone,
        email,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The writable fields of a contact: inserted with a new contact, set by an edit.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = crate::db::schema::enterprise_contacts, treat_none_as_null = true)]
pub struct ContactFields {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Every rule of a contact's fields, all at once.
pub fn check(fields: &ContactFields) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if fields.name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            "blank",
            "may not be empty or blank",
        ));
    } else if fields.name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "too_long",
            "at most 100 characters",
        ));
    }
    if fields
        .title
        .as_ref()
        .is_some_and(|t| t.chars().count() > 100)
    {
        errors.push(FieldError::new(
            "title",
            "too_long",
            "at most 100 characters",
        ));
    }
    if let Some(phone) = &fields.phone {
        let ok = (3..=32).contains(&phone.chars().count())
            && phone.chars().any(|c| c.is_ascii_digit())
            && phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+-() ".contains(c));
        if !ok {
            errors.push(FieldError::new(
                "phone",
                "invalid_phone",
                "3 to 32 digits, spaces, '+', '-', '(' or ')'",
            ));
        }
    }
    if let Some(email) = &fields.email
        && (email.chars().count() > 254 || !email.validate_email())
    {
        errors.push(FieldError::new(
            "email",
            "invalid_email",
            "not an e-mail address",
        ));
    }
    errors
}

/// Trimmed text; `None` when nothing is left.
pub fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let fields = ContactFields {
            name: " ".into(),
            title: None,
            phone: Some("call me".into()),
            email: Some("not-an-address".into()),
        };
        let names: Vec<String> = check(&fields).into_iter().map(|e| e.field).collect();
        assert_eq!(names, vec!["name", "phone", "email"]);
        let ok = ContactFields {
            name: "张伟".into(),
            title: Some("总经理".into()),
            phone: Some("0791-86123456".into()),
            email: Some("zhang.wei@example.com".into()),
        };
        assert!(check(&ok).is_empty());
    }
}
