//! Synthetic support measures with payment tranches, and quarterly indicators.

use rand::Rng;
use rust_decimal::Decimal;
use tokio_postgres::Client;
use uuid::Uuid;

use super::CHUNK_ROWS;
use super::copy::{Value, copy_rows};
use super::world::{MEASURE, World, id, rng, weighted};
use crate::db::money::Money;
use crate::db::quarter::Quarter;

/// A measure as generated.
struct MeasureFacts {
    id: Uuid,
    fiscal_year: i32,
    amount: Money,
    status: &'static str,
    /// Payments: all of it for `disbursed`, half for some `approved`.
    tranches: Vec<Money>,
}

const KINDS: [(&str, &str); 4] = [
    ("subsidy", "省级应急产业发展专项资金"),
    ("loan_interest_subsidy", "技术改造项目贷款贴息"),
    (
        "insurance_premium_subsidy",
        "首台（套）重大技术装备保险补偿",
    ),
    ("guarantee_fee_subsidy", "中小企业融资担保费补贴"),
];

impl World {
    fn measure(&self, index: usize) -> (MeasureFacts, usize, &'static str, &'static str) {
        let mut r = rng(MEASURE, index);
        let (kind, title) = KINDS[r.gen_range(0..KINDS.len())];
        // 50,000 to 5,000,000 yuan in whole thousands (the value is in fen).
        let amount = Money(Decimal::new(r.gen_range(50..5_000) * 100_000, 2));
        let status = weighted(
            &mut r,
            &[
                ("planned", 20),
                ("approved", 35),
                ("disbursed", 35),
                ("cancelled", 10),
            ],
        );
        let half = Money((amount.0 / Decimal::from(2)).round_dp(2));
        let tranches = match status {
            "disbursed" => vec![half, Money(amount.0 - half.0)],
            "approved" if r.gen_bool(0.5) => vec![half],
            _ => vec![],
        };
        let facts = MeasureFacts {
            id: id(MEASURE, index),
            fiscal_year: 2024 + r.gen_range(0..3),
            amount,
            status,
            tranches,
        };
        (
            facts,
            index / 2 % self.scale.enterprises.max(1),
            kind,
            title,
        )
    }

    pub async fn copy_measures(&self, client: &Client) -> anyhow::Result<u64> {
        let total = self.scale.measures();
        let mut next = 0;
        copy_rows(
            client,
            "support_measures",
            "id, enterprise_id, department, kind, title, fiscal_year, amount, document_no, \
             status, approved_on, disbursed_amount",
            |w| {
                let end = (next + CHUNK_ROWS).min(total);
                for i in next..end {
                    let (m, enterprise, kind, title) = self.measure(i);
                    let paid: Decimal = m.tranches.iter().map(|t| t.0).sum();
                    let approved_on = matches!(m.status, "approved" | "disbursed")
                        .then(|| format!("{}-06-30", m.fiscal_year));
                    w.row(&[
                        Value::Text(&m.id.to_string()),
                        Value::Text(&self.enterprise(enterprise).id.to_string()),
                        Value::Text(if i % 5 < 3 { "czt" } else { "gxw" }),
                        Value::Text(kind),
                        Value::Text(&format!("{}年{title}", m.fiscal_year)),
                        Value::Text(&m.fiscal_year.to_string()),
                        Value::Text(&m.amount.to_string()),
                        Value::Text(&format!("赣财企〔{}〕{}号", m.fiscal_year, 1 + i % 400)),
                        Value::Text(m.status),
                        approved_on.as_deref().map_or(Value::Null, Value::Text),
                        Value::Text(&Money(paid).to_string()),
                    ]);
                }
                next = end;
                next < total
            },
        )
        .await
    }

    pub async fn copy_disbursements(&self, client: &Client) -> anyhow::Result<u64> {
        let total = self.scale.measures();
        let mut next = 0;
        copy_rows(
            client,
            "disbursements",
            "id, measure_id, amount, paid_on, voucher_no",
            |w| {
                let end = (next + CHUNK_ROWS).min(total);
                for i in next..end {
                    let (m, ..) = self.measure(i);
                    for (k, tranche) in m.tranches.iter().enumerate() {
                        w.row(&[
                            Value::Text(&Uuid::new_v4().to_string()),
                            Value::Text(&m.id.to_string()),
                            Value::Text(&tranche.to_string()),
                            Value::Text(&format!("{}-{:02}-15", m.fiscal_year, 7 + k * 3)),
                            Value::Text(&format!("PZ{}-{i}-{}", m.fiscal_year, k + 1)),
                        ]);
                    }
                }
                next = end;
                next < total
            },
        )
        .await
    }

    /// Eight quarters up to the last complete one for every enterprise.
    pub async fn copy_indicators(&self, client: &Client) -> anyhow::Result<u64> {
        let mut quarters = vec![Quarter::of(self.today).previous()];
        while quarters.len() < 8 {
            let earlier = quarters[quarters.len() - 1].previous();
            quarters.push(earlier);
        }
        quarters.reverse();
        let total = self.scale.enterprises;
        let mut next = 0;
        copy_rows(
            client,
            "indicators",
            "enterprise_id, quarter, revenue, emergency_revenue, output_value, profit, \
             rd_expense, export_value, employees",
            |w| {
                let end = (next + CHUNK_ROWS / 8).min(total);
                for i in next..end {
                    let e = self.enterprise(i);
                    let mut r = rng(0x1d1c, i);
                    let base = r.gen_range(500..50_000) * 1_000;
                    let employees = r.gen_range(20..3000).to_string();
                    for (k, quarter) in quarters.iter().enumerate() {
                        let revenue = base + base * (k as i64) * r.gen_range(-3..8) / 100;
                        let yuan = |v: i64| Money(Decimal::new(v.max(0) * 100, 2)).to_string();
                        let profit = Money(Decimal::new(revenue * r.gen_range(-5..15), 2));
                        w.row(&[
                            Value::Text(&e.id.to_string()),
                            Value::Text(&quarter.to_string()),
                            Value::Text(&yuan(revenue)),
                            Value::Text(&yuan(revenue * 6 / 10)),
                            Value::Text(&yuan(revenue * 11 / 10)),
                            Value::Text(&profit.to_string()),
                            Value::Text(&yuan(revenue / 25)),
                            Value::Text(&yuan(revenue / 10)),
                            Value::Text(&employees),
                        ]);
                    }
                }
                next = end;
                next < total
            },
        )
        .await
    }
}
