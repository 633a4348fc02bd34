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

/// Reads the fields of a merge patch one by one: which fields it touches, and every `null`
/// given to a field that cannot be cleared (all named at once by [`Merge::finish`]).
#[derive(Debug, Default)]
pub struct Merge {
    touched: Vec<&'static str>,
    nulls: Vec<crate::domain::error::FieldError>,
}

impl Merge {
    /// A field that cannot be cleared: its new value, if the patch sets one.
    pub fn required<T>(&mut self, field: &'static str, value: Option<Option<T>>) -> Option<T> {
        match value {
            None => None,
            Some(None) => {
                let null = crate::domain::error::FieldError::new(field, "null", "may not be null");
                self.nulls.push(null);
                None
            }
            Some(Some(v)) => {
                self.touched.push(field);
                Some(v)
            }
        }
    }

    /// A field that can be cleared: `Some(None)` clears it.
    pub fn nullable<T>(
        &mut self,
        field: &'static str,
        value: Option<Option<T>>,
    ) -> Option<Option<T>> {
        if value.is_some() {
            self.touched.push(field);
        }
        value
    }

    /// The fields the patch touches, or a 422 naming every refused `null`.
    pub fn finish(self) -> crate::domain::error::AppResult<Vec<&'static str>> {
        if self.nulls.is_empty() {
            Ok(self.touched)
        } else {
            Err(crate::domain::error::AppError::Validation(self.nulls))
        }
    }
}

pub use crate::domain::change::set_if;
