//! A calendar quarter, `YYYY-Qn` in JSON, paths and the database (text that sorts in time order).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One calendar quarter, e.g. `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    /// Earliest year accepted: the liaison system reaches back to the plan's start.
    pub const FIRST_YEAR: i32 = 2000;

    /// The quarter a day falls in.
    pub fn of(day: NaiveDate) -> Quarter {
        Quarter {
            year: day.year(),
            number: (day.month0() / 3 + 1) as u8,
        }
    }

    /// The same quarter one year earlier: the base of year-on-year growth.
    pub fn year_before(self) -> Quarter {
        Quarter {
            year: self.year - 1,
            number: self.number,
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    /// The last day of the quarter.
    pub fn last_day(self) -> NaiveDate {
        let (year, month) = match self.number {
            4 => (self.year + 1, 1),
            n => (self.year, u32::from(n) * 3 + 1),
        };
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first day of the quarter.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.number) * 3 - 2, 1)
            .unwrap_or(NaiveDate::MIN)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.number)
    }
}

/// The text is not `YYYY-Qn` (with a year from 2000 to 9999).
#[derive(Debug, PartialEq, Eq)]
pub struct QuarterError;

impl fmt::Display for QuarterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quarter is written YYYY-Qn, e.g. 2026-Q3 (n from 1 to 4, year from 2000)")
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (year, number) = text.split_once("-Q").ok_or(QuarterError)?;
        if year.len() != 4 || number.len() != 1 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuarterError);
        }
        let year: i32 = year.parse().map_err(|_| QuarterError)?;
        let number: u8 = number.parse().map_err(|_| QuarterError)?;
        if !(1..=4).contains(&number) || year < Self::FIRST_YEAR {
            return Err(QuarterError);
        }
        Ok(Quarter { year, number })
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_the_canonical_form() {
        let q: Quarter = "2026-Q3".parse().unwrap();
        assert_eq!((q.year, q.number), (2026, 3));
        assert_eq!(q.to_string(), "2026-Q3");
        for bad in [
            "2026-Q0", "2026-Q5", "2026Q3", "2026-q3", "26-Q3", "2026-Q33", "1999-Q4", "", "x-Q1",
        ] {
            assert_eq!(bad.parse::<Quarter>(), Err(QuarterError), "{bad}");
        }
    }

    #[test]
    fn knows_its_days_and_the_year_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let q = Quarter::of(day);
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(q.year_before().to_string(), "2025-Q4");
        assert_eq!(q.previous().to_string(), "2026-Q3");
        assert_eq!(
            q.year_before().previous().previous().previous().to_string(),
            "2025-Q1"
        );
        let first: Quarter = "2026-Q1".parse().unwrap();
        assert_eq!(first.previous().to_string(), "2025-Q4");
        assert!(q.year_before() < q);
    }
}
