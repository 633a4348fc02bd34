//! Fictional quarterly indicators for the demo enterprises: eight quarters up to the last
//! complete one, reported by the demo statistics-bureau officer through the same rules as the
//! API. A few enterprises lose revenue in the latest quarter, so that alerts have something to
//! show. Skipped when any indicator exists already.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::money::actor;
use crate::db::clock::today_in_china;
use crate::db::money::Money;
use crate::db::quarter::Quarter;
use crate::db::schema::{enterprises, indicators};
use crate::domain::error::Expected;
use crate::domain::indicators::model::Figures;
use crate::domain::indicators::store;

/// Quarters of history per enterprise.
const QUARTERS: usize = 8;

/// Yuan, rounded to whole hundreds.
fn yuan(value: i64) -> Money {
    Money(Decimal::new(value / 100 * 100, 0))
}

/// The figures of enterprise `i` in the `k`-th quarter (0 the oldest): steady growth of a few per
/// cent a quarter, one enterprise in seven falling by a third in the latest quarter.
fn figures(i: usize, k: usize, employees: Option<i32>) -> Figures {
    let base = 2_000_000 + (i as i64 % 13) * 1_700_000;
    let growth = 100 + (k as i64) * (2 + i as i64 % 4);
    let mut revenue = base * growth / 100;
    if i % 7 == 3 && k == QUARTERS - 1 {
        revenue = revenue * 2 / 3;
    }
    let profit = if i % 11 == 5 {
        -revenue / 40
    } else {
        revenue * 8 / 100
    };
    Figures {
        revenue: Some(yuan(revenue)),
        emergency_revenue: Some(yuan(revenue * (50 + i as i64 % 40) / 100)),
        output_value: Some(yuan(revenue * 110 / 100)),
        profit: Some(yuan(profit)),
        rd_expense: Some(yuan(revenue * (3 + i as i64 % 5) / 100)),
        export_value: i.is_multiple_of(3).then(|| yuan(revenue / 10)),
        employees,
    }
}

/// Adds the demo indicators; returns how many quarters were reported.
pub async fn load(conn: &mut AsyncPgConnection, credit_codes: &[String]) -> anyhow::Result<usize> {
    let any: bool = diesel::select(diesel::dsl::exists(
        indicators::table.select(indicators::quarter),
    ))
    .get_result(conn)
    .await?;
    let Some(reporter) = actor(conn, "tjj.sunli").await? else {
        return Ok(0);
    };
    if any {
        return Ok(0);
    }
    let targets: Vec<(Uuid, Option<i32>)> = enterprises::table
        .filter(enterprises::credit_code.eq_any(credit_codes))
        .select((enterprises::id, enterprises::employees))
        .order(enterprises::credit_code)
        .load(conn)
        .await?;
    let latest = Quarter::of(today_in_china()).previous();
    let mut quarters = vec![latest];
    while quarters.len() < QUARTERS {
        let earlier = quarters[quarters.len() - 1].previous();
        quarters.push(earlier);
    }
    quarters.reverse();
    let mut reported = 0;
    for (i, (enterprise_id, employees)) in targets.iter().enumerate() {
        for (k, quarter) in quarters.iter().enumerate() {
            let report = store::Report {
                quarter: *quarter,
                figures: figures(i, k, *employees),
                confirm: false,
            };
            store::put(conn, &reporter, *enterprise_id, report, Expected::Any)
                .await
                .map_err(|e| anyhow::anyhow!("demo indicators: {e:?}"))?;
            reported += 1;
        }
    }
    Ok(reported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_figures_grow_and_some_fall() {
        let first = figures(0, 0, None).revenue.unwrap_or_default();
        let later = figures(0, 4, None).revenue.unwrap_or_default();
        assert!(later > first);
        let before = figures(3, QUARTERS - 5, None).revenue.unwrap_or_default();
        let fallen = figures(3, QUARTERS - 1, None).revenue.unwrap_or_default();
        assert!(
            fallen.0 < before.0 * Decimal::new(8, 1),
            "a fall of more than 20 %"
        );
        assert!(figures(5, 0, None).profit.unwrap_or_default().is_negative());
    }
}
