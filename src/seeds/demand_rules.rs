//! The rules of the demand loop: the time limits and the State Council's holiday calendars
//! (`seeds/calendar.json`).

use diesel_async::AsyncPgConnection;
use serde::Deserialize;

const CALENDAR: &str = include_str!("../../seeds/calendar.json");

#[derive(Deserialize)]
struct CalendarSeed {
    year: i32,
    holidays: Vec<chrono::NaiveDate>,
    workdays: Vec<chrono::NaiveDate>,
}

/// The State Council's holiday calendars of the years in use and the demand time limits; a year
/// an admin already entered, and limits an admin set, stay as they are.
pub async fn load(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    use crate::domain::demands::time_limits;
    use crate::domain::reference::calendar::{self, CalendarYear};
    time_limits::seed(conn).await?;
    let years: Vec<CalendarSeed> = serde_json::from_str(CALENDAR)?;
    for y in years {
        let stored = calendar::year(conn, y.year).await?;
        if stored.holidays.is_empty() && stored.workdays.is_empty() {
            let year = CalendarYear {
                year: y.year,
                holidays: y.holidays,
                workdays: y.workdays,
            };
            calendar::replace_year(conn, None, year).await?;
        }
    }
    Ok(())
}
