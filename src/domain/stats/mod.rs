//! Statistics (动态) for leaders and analysts, computed in SQL: the overview, indicator sums with
//! year-on-year growth, and the enterprises that need attention.

pub mod alerts;
pub mod completeness;
pub mod coverage;
pub mod demands;
pub mod groups;
pub mod indicators;
pub mod officers;
pub mod overview;
pub mod rollups;
pub mod workbench;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::domain::error::{AppError, AppResult};

/// Longest window a statistic looks back over: ten years.
pub const MAX_WINDOW_DAYS: i64 = 3650;

/// `days` as a window of `field`: 1 to [`MAX_WINDOW_DAYS`] (422 otherwise).
pub fn window_days(field: &str, days: i64) -> AppResult<i64> {
    if (1..=MAX_WINDOW_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(AppError::invalid(
            field,
            "range",
            "the window is from 1 to 3650 days",
        ))
    }
}

/// A share or growth rate as a JSON number: exact decimal arithmetic, rounded to six places,
/// converted only at the end.
pub fn ratio(part: Decimal, whole: Decimal) -> Option<f64> {
    if whole.is_zero() {
        return None;
    }
    part.checked_div(whole)
        .map(|r| r.round_dp(6))
        .and_then(|r| r.to_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_rounded_and_never_divide_by_zero() {
        assert_eq!(ratio(Decimal::from(1), Decimal::from(10)), Some(0.1));
        assert_eq!(ratio(Decimal::from(2), Decimal::from(3)), Some(0.666667));
        assert_eq!(ratio(Decimal::from(-5), Decimal::from(100)), Some(-0.05));
        assert_eq!(ratio(Decimal::from(1), Decimal::ZERO), None);
    }
}
