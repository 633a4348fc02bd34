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
