//! JSON merge patch (RFC 7396) fields: absent, null, or a value.

use serde::{Deserialize, Deserializer};

/// Deserializes a present field (null included) as `Some(..)`; with `#[serde(default)]` an
/// absent field stays `None`. So `None` = leave alone, `Some(None)` = null, `Some(Some(v))` = set.
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Refuses `null` for fields that cannot be cleared: `fields` pairs each name with whether the
/// patch set it to null. Every such field is named at once (422).
pub fn reject_nulls(fields: &[(&str, bool)]) -> crate::domain::error::AppResult<()> {
    let nulls: Vec<crate::domain::error::FieldError> = fields
        .iter()
        .filter(|(_, is_null)| *is_null)
        .map(|(field, _)| crate::domain::error::FieldError::new(*field, "null", "may not be null"))
        .collect();
    if nulls.is_empty() {
        Ok(())
    } else {
        Err(crate::domain::error::AppError::Validation(nulls))
    }
}
