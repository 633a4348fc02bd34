//! Applying a change field by field: `None` leaves a field as it is.

/// Sets `field` when the change gives a value for it.
pub fn set_if<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}
