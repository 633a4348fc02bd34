//! `GET /api/v1/stats/indicators`: sums of one quarter's indicators by category, city or size,
//! with year-on-year growth against the same quarter a year earlier.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Numeric, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use std::collections::HashMap;

use super::groups::{category_names, region_names};
use super::ratio;
use crate::db::money::Money;
use crate::db::quarter::Quarter;
use crate::domain::enterprises::model::EnterpriseSize;
use crate::domain::error::AppResult;
use crate::domain::indicators::model::MONEY_INDICATORS;

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

    /// The Chinese names of the groups `keys`.
    async fn names(
        self,
        conn: &mut AsyncPgConnection,
        keys: Vec<String>,
    ) -> QueryResult<HashMap<String, String>> {
        let pairs = match self {
            GroupBy::Category => category_names(conn, &keys).await?,
            GroupBy::Region => region_names(conn, &keys).await?,
            GroupBy::Size => keys
                .into_iter()
                .filter_map(|k| Some((k.clone(), EnterpriseSize::parse(&k)?.label().to_owned())))
                .collect(),
        };
        Ok(pairs.into_iter().collect())
    }
}

/// One group's sums and growth. A sum is every figure reported for the period by the group's
/// enterprises (null when none reported it); a growth compares like with like (同口径): only the
/// enterprises that reported the figure for every quarter of both periods, and is null when
/// their earlier sum is missing or zero.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorGroup {
    /// Category code, city code or size.
    pub key: String,
    /// The group's Chinese name (处置救援, 南昌市, 中型…).
    pub name: String,
    /// Enterprises that reported for every quarter of both periods: the comparable scope.
    pub enterprises: i64,
    /// Enterprises that reported for the period (any of its quarters).
    pub enterprises_current: i64,
    /// Enterprises that reported for the period a year earlier.
    pub enterprises_previous: i64,
    #[schema(value_type = Option<String>, example = "1250000.00")]
    pub revenue: Option<Money>,
    /// (this sum − the sum a year earlier) / the sum a year earlier, over the comparable
    /// enterprises; 0.1 is +10 %.
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
    /// Year to date (累计): the year's quarters up to `quarter`.
    pub ytd: bool,
    pub group_by: GroupBy,
    pub items: Vec<IndicatorGroup>,
}

/// What to sum: the quarter (or the year to it), and which enterprises.
#[derive(Debug, Clone)]
pub struct IndicatorQuery {
    pub quarter: Quarter,
    pub ytd: bool,
    pub group_by: GroupBy,
    /// A city (its counties included) or a county.
    pub region_code: Option<String>,
    pub category: Option<String>,
}

impl IndicatorQuery {
    /// The quarters summed now and a year earlier.
    fn spans(&self) -> (Vec<String>, Vec<String>) {
        let mut current = vec![self.quarter];
        while self.ytd && current[current.len() - 1].number > 1 {
            let earlier = current[current.len() - 1].previous();
            current.push(earlier);
        }
        let previous = current
            .iter()
            .map(|q| q.year_before().to_string())
            .collect();
        (current.iter().map(ToString::to_string).collect(), previous)
    }
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    enterprises: i64,
    #[diesel(sql_type = BigInt)]
    enterprises_current: i64,
    #[diesel(sql_type = BigInt)]
    enterprises_previous: i64,
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    sums: Vec<Option<Money>>,
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    comparable: Vec<Option<Money>>,
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    bases: Vec<Option<Money>>,
}

/// Year-on-year growth of a sum: null without a non-zero base (or without a current sum).
pub fn growth(current: Option<Money>, base: Option<Money>) -> Option<f64> {
    let (current, base) = (current?, base?);
    ratio(current.0 - base.0, base.0)
}

/// The SQL: per enterprise, each figure's sum and number of quarters reported in each period
/// (`$1` the quarters now, `$2` a year earlier, `$3` how many); then per group, the sums of all
/// reporters and of the comparable ones. `$4` region, `$5` category.
fn sums_sql(group_by: GroupBy) -> String {
    let per: String = MONEY_INDICATORS
        .iter()
        .map(|f| {
            format!(
                ", SUM(i.{f}) FILTER (WHERE i.quarter = ANY($1)) AS {f}, \
                 COUNT(i.{f}) FILTER (WHERE i.quarter = ANY($1)) AS {f}_n, \
                 SUM(i.{f}) FILTER (WHERE i.quarter = ANY($2)) AS {f}_base, \
                 COUNT(i.{f}) FILTER (WHERE i.quarter = ANY($2)) AS {f}_base_n"
            )
        })
        .collect();
    let array = |each: &dyn Fn(&str) -> String| {
        let parts: Vec<String> = MONEY_INDICATORS.iter().map(|f| each(f)).collect();
        format!("ARRAY[{}]", parts.join(", "))
    };
    let both = |f: &str| format!("p.{f}_n = $3 AND p.{f}_base_n = $3");
    format!(
        "WITH p AS (SELECT i.enterprise_id, \
                    COUNT(*) FILTER (WHERE i.quarter = ANY($1)) AS n, \
                    COUNT(*) FILTER (WHERE i.quarter = ANY($2)) AS n_base{per} \
                  FROM indicators i WHERE i.quarter = ANY($1 || $2) GROUP BY 1) \
         SELECT {key} AS key, \
           COUNT(*) FILTER (WHERE p.n = $3 AND p.n_base = $3) AS enterprises, \
           COUNT(*) FILTER (WHERE p.n > 0) AS enterprises_current, \
           COUNT(*) FILTER (WHERE p.n_base > 0) AS enterprises_previous, \
           {sums} AS sums, {comparable} AS comparable, {bases} AS bases \
         FROM p JOIN enterprises e ON e.id = p.enterprise_id \
         WHERE ($4::text IS NULL OR e.region_code = $4 \
                OR e.region_code IN (SELECT code FROM regions WHERE parent_code = $4)) \
           AND ($5::text IS NULL OR e.category = $5) \
         GROUP BY 1 ORDER BY 1",
        key = group_by.key_sql(),
        sums = array(&|f| format!("SUM(p.{f})")),
        comparable = array(&|f| format!("SUM(p.{f}) FILTER (WHERE {})", both(f))),
        bases = array(&|f| format!("SUM(p.{f}_base) FILTER (WHERE {})", both(f))),
    )
}

/// Sums by group for the query's period, with growth on comparable enterprises; groups that
/// reported in either period appear, ordered by key. One pass over the quarter index.
pub async fn compute(conn: &mut AsyncPgConnection, q: IndicatorQuery) -> AppResult<IndicatorStats> {
    let (current, previous) = q.spans();
    let quarters = current.len() as i64;
    let rows: Vec<GroupRow> = diesel::sql_query(sums_sql(q.group_by))
        .bind::<Array<Text>, _>(current)
        .bind::<Array<Text>, _>(previous)
        .bind::<BigInt, _>(quarters)
        .bind::<Nullable<Text>, _>(q.region_code.clone())
        .bind::<Nullable<Text>, _>(q.category.clone())
        .load(conn)
        .await?;
    let keys = rows.iter().map(|r| r.key.clone()).collect();
    let names = q.group_by.names(conn, keys).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let name = names.get(&r.key).cloned().unwrap_or_else(|| r.key.clone());
            group_of(r, name)
        })
        .collect();
    Ok(IndicatorStats {
        quarter: q.quarter,
        ytd: q.ytd,
        group_by: q.group_by,
        items,
    })
}

fn group_of(r: GroupRow, name: String) -> IndicatorGroup {
    let sum = |k: usize| r.sums.get(k).copied().flatten();
    let yoy = |k: usize| {
        growth(
            r.comparable.get(k).copied().flatten(),
            r.bases.get(k).copied().flatten(),
        )
    };
    IndicatorGroup {
        key: r.key.clone(),
        name,
        enterprises: r.enterprises,
        enterprises_current: r.enterprises_current,
        enterprises_previous: r.enterprises_previous,
        revenue: sum(0),
        revenue_yoy: yoy(0),
        emergency_revenue: sum(1),
        emergency_revenue_yoy: yoy(1),
        output_value: sum(2),
        output_value_yoy: yoy(2),
        profit: sum(3),
        profit_yoy: yoy(3),
        rd_expense: sum(4),
        rd_expense_yoy: yoy(4),
        export_value: sum(5),
        export_value_yoy: yoy(5),
    }
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
