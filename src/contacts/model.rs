//! The rules of a contact's fields, without a database.

use validator::ValidateEmail;

use crate::error::FieldError;

/// The writable fields of a contact.
#[derive(Debug, Clone, PartialEq)]
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
