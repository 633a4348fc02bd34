//! Working days (工作日) by the State Council's holiday calendar: a working day is a Monday to
//! Friday that is not a public holiday, or a weekend day worked instead (调休上班).

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::calendar_days;
use crate::domain::actor::Actor;
use crate::domain::audit;
use crate::domain::error::{AppError, AppResult};

/// The days of a span that differ from the weekly rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
}

impl Calendar {
    /// A calendar from its exceptions.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Calendar {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.holidays.contains(&day)
    }

    /// The `n`-th working day after `day` (`day` itself does not count).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut current = day;
        let mut counted = 0;
        while counted < n {
            current = current + Days::new(1);
            if self.is_working_day(current) {
                counted += 1;
            }
        }
        current
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not later).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as i64
    }
}

/// A year of the calendar as the API shows it (and as an admin enters it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    #[schema(minimum = 1949, maximum = 2099)]
    #[validate(range(min = 1949, max = 2099))]
    pub year: i32,
    /// Public holidays (days off), e.g. 2026-10-01 … 2026-10-07.
    #[schema(max_items = 366)]
    #[validate(length(max = 366))]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days worked instead (调休上班), e.g. 2026-09-20.
    #[schema(max_items = 366)]
    #[validate(length(max = 366))]
    pub workdays: Vec<NaiveDate>,
}

/// The holidays and worked weekend days from `from` to `to`, both included, by day.
async fn exceptions(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<(Vec<NaiveDate>, Vec<NaiveDate>)> {
    let days: Vec<(NaiveDate, String)> = calendar_days::table
        .filter(calendar_days::day.between(from, to))
        .select((calendar_days::day, calendar_days::kind))
        .order(calendar_days::day)
        .load(conn)
        .await?;
    let (holidays, workdays): (Vec<_>, Vec<_>) =
        days.into_iter().partition(|(_, k)| k == "holiday");
    let days = |list: Vec<(NaiveDate, String)>| list.into_iter().map(|(d, _)| d).collect();
    Ok((days(holidays), days(workdays)))
}

/// The calendar from `from` to `to`, both included.
pub async fn load(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Calendar> {
    let (holidays, workdays) = exceptions(conn, from, to).await?;
    Ok(Calendar::new(holidays, workdays))
}

/// The `n`-th working day after `day`, by the stored calendar.
pub async fn due_after(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    n: u32,
) -> QueryResult<NaiveDate> {
    // Holidays add at most a few weeks to a span: read the exceptions of twice the span plus 60
    // days, which covers the Spring Festival and National Day weeks together.
    let to = day + Days::new(u64::from(n) * 2 + 60);
    Ok(load(conn, day, to).await?.add_working_days(day, n))
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    (first, last)
}

/// One year's exceptions.
pub async fn year(conn: &mut AsyncPgConnection, year: i32) -> QueryResult<CalendarYear> {
    let (first, last) = year_bounds(year);
    let (holidays, workdays) = exceptions(conn, first, last).await?;
    Ok(CalendarYear {
        year,
        holidays,
        workdays,
    })
}

/// Replaces one year's exceptions (an admin entering the State Council's notice), audited.
pub async fn replace_year(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    new: CalendarYear,
) -> AppResult<CalendarYear> {
    let (first, last) = year_bounds(new.year);
    let outside = new
        .holidays
        .iter()
        .chain(&new.workdays)
        .any(|d| *d < first || *d > last);
    let both = new.holidays.iter().any(|d| new.workdays.contains(d));
    if outside || both {
        return Err(AppError::invalid(
            "holidays",
            "invalid_calendar",
            "every day falls in the year, and no day is both a holiday and a workday",
        ));
    }
    conn.transaction(async move |conn| {
        let before = year(conn, new.year).await?;
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(first, last)))
            .execute(conn)
            .await?;
        let rows: Vec<_> = (new.holidays.iter().map(|d| (*d, "holiday")))
            .chain(new.workdays.iter().map(|d| (*d, "workday")))
            .map(|(d, k)| (calendar_days::day.eq(d), calendar_days::kind.eq(k)))
            .collect();
        diesel::insert_into(calendar_days::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        let after = year(conn, new.year).await?;
        audit::updated(conn, actor, "calendar", new.year, &before, &after).await?;
        Ok(after)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// 2026's National Day: 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    fn national_day_2026() -> Calendar {
        Calendar::new(
            (1..=7).map(|d| day(2026, 10, d)),
            [day(2026, 9, 20), day(2026, 10, 10)],
        )
    }

    #[test]
    fn a_deadline_runs_across_national_day_and_its_makeup_saturday() {
        let cal = national_day_2026();
        // Raised Monday 09-28: 09-29, 09-30, (holiday week), 10-08, 10-09, Saturday 10-10.
        assert_eq!(cal.add_working_days(day(2026, 9, 28), 5), day(2026, 10, 10));
        assert_eq!(cal.add_working_days(day(2026, 9, 28), 3), day(2026, 10, 8));
        assert_eq!(
            cal.working_days_between(day(2026, 9, 28), day(2026, 10, 10)),
            5
        );
    }

    #[test]
    fn weekends_are_off_unless_worked_and_holidays_are_off() {
        let cal = national_day_2026();
        assert!(
            cal.is_working_day(day(2026, 9, 20)),
            "a Sunday worked instead"
        );
        assert!(!cal.is_working_day(day(2026, 9, 19)), "a plain Saturday");
        assert!(
            !cal.is_working_day(day(2026, 10, 5)),
            "a Monday in the holiday"
        );
        assert!(cal.is_working_day(day(2026, 10, 9)));
        assert_eq!(cal.add_working_days(day(2026, 10, 9), 0), day(2026, 10, 9));
        assert_eq!(
            cal.working_days_between(day(2026, 10, 9), day(2026, 10, 1)),
            0
        );
    }
}
