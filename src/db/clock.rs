//! The calendar of the contract's date rules: China Standard Time (UTC+08:00, no daylight
//! saving).

use chrono::{DateTime, NaiveDate, Utc};

/// Today in China Standard Time.
pub fn today_in_china() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The day an instant falls on in China Standard Time.
pub fn china_day(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}
