//! The indicator row, the report body's rules and who may write.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::money::Money;
use crate::db::quarter::Quarter;
use crate::db::schema::indicators;
use crate::domain::actor::{Actor, Role};
use crate::domain::error::{AppError, AppResult, FieldError};

/// The statistics bureau (省统计局): its liaison officers report for every enterprise.
pub const STATISTICS_DEPARTMENT: &str = "tjj";

/// The money indicators, in the order of the API and the statistics.
pub const MONEY_INDICATORS: [&str; 6] = [
    "revenue",
    "emergency_revenue",
    "output_value",
    "profit",
    "rd_expense",
    "export_value",
];

/// One enterprise's indicators for one quarter. A null field was not reported.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = indicators, check_for_backend(diesel::pg::Pg))]
pub struct Indicator {
    pub enterprise_id: Uuid,
    #[schema(example = "2026-Q3", pattern = r"^[0-9]{4}-Q[1-4]$")]
    pub quarter: String,
    /// 营业收入.
    #[schema(value_type = Option<String>, example = "1250000.00")]
    pub revenue: Option<Money>,
    /// 应急产业收入.
    #[schema(value_type = Option<String>)]
    pub emergency_revenue: Option<Money>,
    /// 工业总产值.
    #[schema(value_type = Option<String>)]
    pub output_value: Option<Money>,
    /// 利润 (negative for a loss).
    #[schema(value_type = Option<String>, example = "-20000.00")]
    pub profit: Option<Money>,
    /// 研发投入.
    #[schema(value_type = Option<String>)]
    pub rd_expense: Option<Money>,
    /// 出口额.
    #[schema(value_type = Option<String>)]
    pub export_value: Option<Money>,
    /// 从业人数.
    pub employees: Option<i32>,
    pub version: i32,
    pub created_by: Option<Uuid>,
    /// Who last reported these figures.
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The reported figures of one quarter: what `PUT` stores (a field left out is null).
#[derive(Debug, Clone, Default, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub struct Figures {
    pub revenue: Option<Money>,
    pub emergency_revenue: Option<Money>,
    pub output_value: Option<Money>,
    pub profit: Option<Money>,
    pub rd_expense: Option<Money>,
    pub export_value: Option<Money>,
    pub employees: Option<i32>,
}

impl Figures {
    /// The figures of a stored row.
    pub fn of(row: &Indicator) -> Figures {
        Figures {
            revenue: row.revenue,
            emergency_revenue: row.emergency_revenue,
            output_value: row.output_value,
            profit: row.profit,
            rd_expense: row.rd_expense,
            export_value: row.export_value,
            employees: row.employees,
        }
    }

    /// Every rule at once: amounts are not negative (but profit may be), no part of revenue
    /// exceeds it, employees from 0 to ten million, and the quarter has ended.
    pub fn check(&self, quarter: Quarter, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let non_negative = [
            ("revenue", self.revenue),
            ("emergency_revenue", self.emergency_revenue),
            ("output_value", self.output_value),
            ("rd_expense", self.rd_expense),
            ("export_value", self.export_value),
        ];
        for (field, value) in non_negative {
            if value.is_some_and(Money::is_negative) {
                errors.push(FieldError::new(field, "negative", "may not be negative"));
            }
        }
        if self
            .employees
            .is_some_and(|n| !(0..=10_000_000).contains(&n))
        {
            errors.push(FieldError::new(
                "employees",
                "range",
                "employees must be between 0 and 10000000",
            ));
        }
        errors.extend(self.parts_over_revenue());
        if quarter.last_day() >= today {
            errors.push(FieldError::new(
                "quarter",
                "quarter_not_ended",
                "季度结束后才能填报 (figures are reported once the quarter has ended)",
            ));
        }
        errors
    }

    /// Figures that are part of revenue (or, for profit, cannot pass it) but exceed it.
    fn parts_over_revenue(&self) -> Vec<FieldError> {
        let Some(revenue) = self.revenue else {
            return Vec::new();
        };
        [
            ("emergency_revenue", self.emergency_revenue),
            ("export_value", self.export_value),
            ("rd_expense", self.rd_expense),
            ("profit", self.profit),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_some_and(|v| v > revenue))
        .map(|(field, _)| {
            FieldError::new(
                field,
                "exceeds_revenue",
                format!("不能大于营业收入 {revenue} (may not exceed revenue)"),
            )
        })
        .collect()
    }

    /// The money figures as (name, value), in the API's order.
    fn money(&self) -> [(&'static str, Option<Money>); 6] {
        [
            ("revenue", self.revenue),
            ("emergency_revenue", self.emergency_revenue),
            ("output_value", self.output_value),
            ("profit", self.profit),
            ("rd_expense", self.rd_expense),
            ("export_value", self.export_value),
        ]
    }

    /// Figures more than [`JUMP`] times, or less than a [`JUMP`]th of, the same enterprise's
    /// previous quarter (both positive): likely a slip of units, reported only with `confirm`.
    pub fn jumps_from(&self, previous: &Figures) -> Vec<FieldError> {
        let jump = Decimal::from(JUMP);
        self.money()
            .into_iter()
            .zip(previous.money())
            .filter_map(|((field, now), (_, before))| {
                let (now, before) = (now?.0, before?.0);
                let positive = now > Decimal::ZERO && before > Decimal::ZERO;
                (positive && (now > before * jump || now * jump < before)).then(|| {
                    FieldError::new(
                        field,
                        "needs_confirmation",
                        format!(
                            "与上季度 {before} 相比变化超过{JUMP}倍，核实无误请加 \"confirm\": true 重新提交 \
                             (more than {JUMP}× away from the previous quarter; resend with confirm)"
                        ),
                    )
                })
            })
            .collect()
    }
}

/// How many times the previous quarter's figure a new one may be without `confirm`.
pub const JUMP: i64 = 5;

/// Admins; liaison officers of an assigned department; liaison officers of the statistics
/// bureau for any enterprise. Analysts never write, not even those of the bureau.
pub fn may_report(actor: &Actor, assigned_departments: &[String]) -> bool {
    actor.has(Role::Admin)
        || (actor.has(Role::Liaison)
            && (actor.department == STATISTICS_DEPARTMENT
                || assigned_departments.contains(&actor.department)))
}

/// A quarter from a path or query; anything but `YYYY-Qn` is a 422 on that field.
pub fn parse_quarter(field: &str, text: &str) -> AppResult<Quarter> {
    text.parse::<Quarter>()
        .map_err(|e| AppError::invalid(field, "invalid_quarter", &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actor::ActorKind;
    use std::str::FromStr;

    fn actor(department: &str, roles: &[Role]) -> Actor {
        Actor {
            id: Uuid::nil(),
            kind: ActorKind::User,
            department: department.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn who_reports() {
        let assigned = vec!["gxw".to_owned()];
        assert!(may_report(&actor("gxw", &[Role::Liaison]), &assigned));
        assert!(may_report(&actor("tjj", &[Role::Liaison]), &assigned));
        assert!(may_report(&actor("czt", &[Role::Admin]), &assigned));
        assert!(!may_report(&actor("fgw", &[Role::Liaison]), &assigned));
        assert!(!may_report(&actor("tjj", &[Role::Analyst]), &assigned));
        assert!(!may_report(&actor("gxw", &[Role::Finance]), &assigned));
    }

    #[test]
    fn only_profit_may_be_negative() {
        let minus = Money::from_str("-1.00").ok();
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        let q = Quarter::from_str("2026-Q3").unwrap_or(Quarter::of(today));
        let ok = Figures {
            profit: minus,
            ..Figures::default()
        };
        assert!(ok.check(q, today).is_empty());
        let bad = Figures {
            revenue: minus,
            employees: Some(-1),
            ..Figures::default()
        };
        let fields: Vec<_> = bad.check(q, today).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["revenue", "employees"]);
        for running in ["2026-Q4", "2027-Q1"] {
            let quarter = Quarter::from_str(running).unwrap_or(q);
            assert_eq!(
                Figures::default().check(quarter, today)[0].code,
                "quarter_not_ended"
            );
        }
    }

    #[test]
    fn parts_stay_within_revenue_and_jumps_need_confirming() {
        let m = |t: &str| Money::from_str(t).ok();
        let now = Figures {
            revenue: m("100.00"),
            emergency_revenue: m("100.00"),
            profit: m("100.01"),
            ..Figures::default()
        };
        let fields: Vec<_> = now
            .parts_over_revenue()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["profit"]);
        let before = Figures {
            revenue: m("20.00"),
            emergency_revenue: m("19.99"),
            profit: m("-5.00"),
            ..Figures::default()
        };
        // 100 = 5 × 20 is allowed; 100 > 5 × 19.99 is not; a loss is never compared.
        let jumps: Vec<_> = now
            .jumps_from(&before)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(jumps, ["emergency_revenue"]);
        let falls: Vec<_> = before
            .jumps_from(&now)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(falls, ["emergency_revenue"], "a fall to under a fifth too");
    }
}
