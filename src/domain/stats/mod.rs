//! Statistics (动态) for leaders and analysts, computed in SQL: the overview, indicator sums with
//! year-on-year growth, and the enterprises that need attention.

pub mod alerts;
pub mod indicators;
pub mod officers;
pub mod overview;
pub mod rollups;
pub mod workbench;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

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
