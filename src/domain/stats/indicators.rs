//! `GET /api/v1/stats/indicators`: sums of one quarter's indicators by category, city or size,
//! with year-on-year growth against the same quarter a year earlier.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Numeric, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ratio;
use crate::db::money::Money;
use crate::db::quarter::Quarter;
use crate::domain::error::AppResult;

/// How enterprises are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    #[default]
    Category,
    /// By prefecture-level city.
    Region,
    Size,
}

impl GroupBy {
    /// The grouping key as SQL: a fixed expression, never caller text.
    fn key_sql(self) -> &'static str {
        match self {
            GroupBy::Category => "e.category",
            GroupBy::Region => "left(e.region_code, 4) || '00'",
            GroupBy::Size => "e.size",
        }
    }
}

/// One group's sums and growth. A sum is null when no enterprise of the group reported that
/// figure for the quarter; a growth is null when the year-earlier sum is missing or zero.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorGroup {
    /// Category code, city code or size.
    pub key: String,
    /// Enterprises of the group that reported for the quarter.
    pub enterprises: i64,
    #[schema(value_type = Option<String>, example = "1250000.00")]
    pub revenue: Option<Money>,
    /// (this sum − the sum a year earlier) / the sum a year earlier; 0.1 is +10 %.
    pub revenue_yoy: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub emergency_revenue: Option<Money>,
    pub emergency_revenue_yoy: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub output_value: Option<Money>,
    pub output_value_yoy: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub profit: Option<Money>,
    pub profit_yoy: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub rd_expense: Option<Money>,
    pub rd_expense_yoy: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub export_value: Option<Money>,
    pub export_value_yoy: Option<f64>,
}

/// The answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorStats {
    #[schema(value_type = String, example = "2026-Q3")]
    pub quarter: Quarter,
    pub group_by: GroupBy,
    pub items: Vec<IndicatorGroup>,
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    enterprises: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    revenue: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    revenue_base: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    emergency_revenue: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    emergency_revenue_base: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    output_value: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    output_value_base: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    profit: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    profit_base: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    rd_expense: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    rd_expense_base: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    export_value: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    export_value_base: Option<Money>,
}

/// Year-on-year growth of a sum: null without a non-zero base (or without a current sum).
pub fn growth(current: Option<Money>, base: Option<Money>) -> Option<f64> {
    let (current, base) = (current?, base?);
    ratio(current.0 - base.0, base.0)
}

/// Sums for `quarter` and the same quarter a year earlier, in one pass over the quarter index.
/// Groups that reported in either quarter appear, ordered by key.
pub async fn compute(
    conn: &mut AsyncPgConnection,
    quarter: Quarter,
    group_by: GroupBy,
) -> AppResult<IndicatorStats> {
    let sums: String = crate::domain::indicators::model::MONEY_INDICATORS
        .iter()
        .map(|f| {
            format!(
                "SUM(i.{f}) FILTER (WHERE i.quarter = $1) AS {f}, \
                 SUM(i.{f}) FILTER (WHERE i.quarter = $2) AS {f}_base"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {key} AS key, COUNT(*) FILTER (WHERE i.quarter = $1) AS enterprises, {sums} \
         FROM indicators i JOIN enterprises e ON e.id = i.enterprise_id \
         WHERE i.quarter IN ($1, $2) GROUP BY 1 ORDER BY 1",
        key = group_by.key_sql()
    );
    let rows: Vec<GroupRow> = diesel::sql_query(sql)
        .bind::<Text, _>(quarter.to_string())
        .bind::<Text, _>(quarter.year_before().to_string())
        .load(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(|r| IndicatorGroup {
            key: r.key,
            enterprises: r.enterprises,
            revenue_yoy: growth(r.revenue, r.revenue_base),
            revenue: r.revenue,
            emergency_revenue_yoy: growth(r.emergency_revenue, r.emergency_revenue_base),
            emergency_revenue: r.emergency_revenue,
            output_value_yoy: growth(r.output_value, r.output_value_base),
            output_value: r.output_value,
            profit_yoy: growth(r.profit, r.profit_base),
            profit: r.profit,
            rd_expense_yoy: growth(r.rd_expense, r.rd_expense_base),
            rd_expense: r.rd_expense,
            export_value_yoy: growth(r.export_value, r.export_value_base),
            export_value: r.export_value,
        })
        .collect();
    Ok(IndicatorStats {
        quarter,
        group_by,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(text: &str) -> Option<Money> {
        Money::from_str(text).ok()
    }

    #[test]
    fn growth_against_the_year_before() {
        assert_eq!(growth(m("110.00"), m("100.00")), Some(0.1));
        assert_eq!(growth(m("75.00"), m("100.00")), Some(-0.25));
        assert_eq!(growth(m("10.00"), m("0.00")), None);
        assert_eq!(growth(m("10.00"), None), None);
        assert_eq!(growth(None, m("10.00")), None);
        // The contract's formula as written, also for a negative base (a loss halved).
        assert_eq!(growth(m("-50.00"), m("-100.00")), Some(-0.5));
    }
}
