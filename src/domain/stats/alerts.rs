//! `GET /api/v1/stats/alerts`: active enterprises that need attention, and why — not visited
//! within the window, overdue demands, or revenue fallen year on year by more than a share.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Numeric, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ratio;
use crate::db::money::Money;
use crate::domain::error::AppResult;

/// The kind of an alert's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertCode {
    /// No visit in the window.
    NotVisited,
    /// Open demands past their due date.
    OverdueDemands,
    /// Revenue fell against the same quarter a year earlier.
    RevenueDrop,
}

/// Why an enterprise needs attention: a code, its figures as fields, and a Chinese message.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AlertReason {
    pub code: AlertCode,
    /// What was found, in Chinese, for people: 已120天未走访, 2项诉求逾期, 2026年第2季度营业收入同比下降25.0%.
    pub message: String,
    /// The same in English (kept from the first contract).
    pub detail: String,
    /// `not_visited`: the last visit (null: never visited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_visited_on: Option<NaiveDate>,
    /// `not_visited`: days since the last visit (absent: never visited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// `overdue_demands`: how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// `overdue_demands`: how many (the first contract's name of `count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_demands: Option<i64>,
    /// `revenue_drop`: the quarter compared with the same quarter a year earlier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<String>,
    /// `revenue_drop`: the change, e.g. -0.25 for a fall of 25 %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
}

/// An enterprise that needs attention.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    pub enterprise_id: Uuid,
    pub name: String,
    pub reasons: Vec<AlertReason>,
}

impl crate::db::keyset::Keyed for Alert {
    type Key = (String, Uuid);

    fn key(&self) -> Self::Key {
        (self.name.clone(), self.enterprise_id)
    }
}

/// The thresholds.
#[derive(Debug, Clone)]
pub struct AlertRules {
    pub today: NaiveDate,
    /// Not visited on any of the last `unvisited_days` days.
    pub unvisited_days: i64,
    /// Whether an enterprise's own `visit_cadence_days` replaces `unvisited_days` for it (not
    /// when the caller asked for a window).
    pub use_cadence: bool,
    /// Revenue below (1 − `revenue_drop`) × the year-earlier revenue.
    pub revenue_drop: Decimal,
    /// Only enterprises assigned to this department.
    pub department: Option<String>,
    /// Only enterprises this liaison officer is assigned to.
    pub officer: Option<Uuid>,
    /// Only enterprises of this city (its counties included) or county.
    pub region_code: Option<String>,
}

#[derive(QueryableByName)]
struct AlertRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Date>)]
    last_visited_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    cadence: Option<i32>,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = Nullable<Text>)]
    quarter: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    revenue: Option<Money>,
    #[diesel(sql_type = Nullable<Numeric>)]
    base_revenue: Option<Money>,
}

/// One page (plus one row) of alerts in `(name, id)` order, after `after`. The last visit comes
/// from `enterprise_last_visits` (kept by triggers on visits); overdue demands and the latest
/// revenue come from their indexes (lateral joins).
pub async fn list(
    conn: &mut AsyncPgConnection,
    rules: &AlertRules,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> AppResult<Vec<Alert>> {
    let sql = alert_sql(rules, after.is_some());
    let since = rules.today - Duration::days(rules.unvisited_days - 1);
    let (after_name, after_id) = after.unzip();
    let rows: Vec<AlertRow> = diesel::sql_query(sql)
        .bind::<Date, _>(rules.today)
        .bind::<Date, _>(since)
        .bind::<Numeric, _>(rules.revenue_drop)
        .bind::<Nullable<Text>, _>(rules.department.clone())
        .bind::<Nullable<Text>, _>(after_name)
        .bind::<Nullable<SqlUuid>, _>(after_id)
        .bind::<BigInt, _>(limit + 1)
        .bind::<Nullable<SqlUuid>, _>(rules.officer)
        .bind::<Nullable<Text>, _>(rules.region_code.clone())
        .bind::<diesel::sql_types::Bool, _>(rules.use_cadence)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Alert {
            reasons: reasons(&row, rules),
            enterprise_id: row.id,
            name: row.name,
        })
        .collect())
}

/// The alert query for these rules (`$1` today … `$9` region, `$10` per-enterprise cadence);
/// `paged` continues after a name.
fn alert_sql(rules: &AlertRules, paged: bool) -> String {
    let mut sql = String::from(
        "SELECT e.id, e.name, lv.last_visited_on, e.visit_cadence_days AS cadence, od.overdue, \
                rv.quarter, rv.revenue, rv.base_revenue \
         FROM enterprises e \
         LEFT JOIN enterprise_last_visits lv ON lv.enterprise_id = e.id \
         LEFT JOIN LATERAL (SELECT COUNT(*) AS overdue FROM demands d \
                            WHERE d.enterprise_id = e.id AND d.status IN ('open', 'accepted') \
                              AND d.due_on < $1) od ON true \
         LEFT JOIN LATERAL (SELECT i.quarter, i.revenue, b.revenue AS base_revenue \
                            FROM indicators i \
                            LEFT JOIN indicators b ON b.enterprise_id = i.enterprise_id \
                             AND b.quarter = (substr(i.quarter, 1, 4)::int - 1)::text \
                                             || substr(i.quarter, 5) \
                            WHERE i.enterprise_id = e.id AND i.revenue IS NOT NULL \
                            ORDER BY i.quarter DESC LIMIT 1) rv ON true \
         WHERE e.status = 'active' \
           AND (lv.last_visited_on IS NULL OR od.overdue > 0 \
                OR lv.last_visited_on < CASE WHEN $10 AND e.visit_cadence_days IS NOT NULL \
                                             THEN $1 - e.visit_cadence_days + 1 ELSE $2 END \
                OR (rv.base_revenue > 0 AND rv.revenue < rv.base_revenue * (1 - $3)))",
    );
    if rules.department.is_some() {
        sql.push_str(" AND e.assigned_departments @> ARRAY[$4::text]");
    }
    if paged {
        sql.push_str(" AND (e.name, e.id) > ($5, $6)");
    }
    if rules.officer.is_some() {
        sql.push_str(" AND e.liaison_officers @> ARRAY[$8::uuid]");
    }
    if rules.region_code.is_some() {
        sql.push_str(
            " AND (e.region_code = $9 \
               OR e.region_code IN (SELECT code FROM regions WHERE parent_code = $9))",
        );
    }
    sql.push_str(" ORDER BY e.name, e.id LIMIT $7");
    sql
}

fn reasons(row: &AlertRow, rules: &AlertRules) -> Vec<AlertReason> {
    let mut out = Vec::new();
    let window = match row.cadence {
        Some(days) if rules.use_cadence => i64::from(days),
        _ => rules.unvisited_days,
    };
    let since = rules.today - Duration::days(window - 1);
    if row.last_visited_on.is_none_or(|d| d < since) {
        out.push(not_visited(row.last_visited_on, rules.today, window));
    }
    if row.overdue > 0 {
        out.push(AlertReason {
            message: format!("{}项诉求逾期未办结", row.overdue),
            detail: format!("{} demand(s) past their due date", row.overdue),
            count: Some(row.overdue),
            overdue_demands: Some(row.overdue),
            ..AlertReason::of(AlertCode::OverdueDemands)
        });
    }
    if let (Some(quarter), Some(revenue), Some(base)) =
        (&row.quarter, row.revenue, row.base_revenue)
    {
        let floor = base.0 * (Decimal::ONE - rules.revenue_drop);
        if base.is_positive() && revenue.0 < floor {
            out.push(revenue_drop(quarter, revenue, base));
        }
    }
    out
}

impl AlertReason {
    /// A reason with its code and no figures yet.
    fn of(code: AlertCode) -> Self {
        AlertReason {
            code,
            message: String::new(),
            detail: String::new(),
            last_visited_on: None,
            days: None,
            count: None,
            overdue_demands: None,
            quarter: None,
            change: None,
        }
    }
}

fn not_visited(last: Option<NaiveDate>, today: NaiveDate, window: i64) -> AlertReason {
    let days = last.map(|d| (today - d).num_days());
    let (message, detail) = match (last, days) {
        (Some(d), Some(n)) => (
            format!("已{n}天未走访（最近一次{d}，要求{window}天内）"),
            format!("last visited on {d}, {n} days ago (window: {window} days)"),
        ),
        _ => ("从未走访".to_owned(), "never visited".to_owned()),
    };
    AlertReason {
        message,
        detail,
        last_visited_on: last,
        days,
        ..AlertReason::of(AlertCode::NotVisited)
    }
}

fn revenue_drop(quarter: &str, revenue: Money, base: Money) -> AlertReason {
    let change = ratio(revenue.0 - base.0, base.0);
    let fall = change.map_or(0.0, |c| -c * 100.0);
    let (year, q) = quarter.split_once("-Q").unwrap_or((quarter, ""));
    AlertReason {
        message: format!("{year}年第{q}季度营业收入同比下降{fall:.1}%"),
        detail: format!("revenue in {quarter} was {revenue}, against {base} a year earlier"),
        quarter: Some(quarter.to_owned()),
        change,
        ..AlertReason::of(AlertCode::RevenueDrop)
    }
}
