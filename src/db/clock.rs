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

/// 00:00 of `day` in China Standard Time, as an instant.
pub fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

/// The server's clock for time-dependent work (supervision, webhook retries): the real time,
/// moved by an offset that tests set to see what a later day brings.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, as this clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.offset_secs.load(std::sync::atomic::Ordering::Relaxed);
        Utc::now() + chrono::Duration::seconds(offset)
    }

    /// Today in China Standard Time, as this clock tells it.
    pub fn today(&self) -> NaiveDate {
        china_day(self.now())
    }

    /// Moves the clock forward by `by` (tests).
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::Relaxed);
    }
}
