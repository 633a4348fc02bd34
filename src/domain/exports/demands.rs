//! The demand export, newest first, with the enterprise's name and whether it is overdue.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::labels::Code;
use super::lookup::enterprise_names;
use super::{Batch, Cell, Column, PAGE_ROWS, Pager, Source, coded, col};
use crate::domain::demands::list::{self, DemandFilter, Order};
use crate::domain::demands::model::Demand;
use crate::domain::error::AppResult;
use crate::domain::reference::calendar::Calendar;

const COLUMNS: [Column; 14] = [
    col("提出时间", 20.0),
    col("企业名称", 36.0),
    col("统一社会信用代码", 22.0),
    coded("诉求类别", 14.0, Code::DemandCategory),
    col("诉求标题", 30.0),
    col("诉求内容", 40.0),
    coded("承办部门", 10.0, Code::Department),
    coded("状态", 10.0, Code::DemandStatus),
    col("办理期限", 12.0),
    col("是否逾期", 10.0),
    col("办理结果", 40.0),
    coded("满意度", 12.0, Code::Satisfaction),
    col("更新时间", 20.0),
    col("编号", 38.0),
];

/// Demands matching the list's filters.
pub struct DemandExport {
    filter: DemandFilter,
    today: NaiveDate,
    pager: Pager<(DateTime<Utc>, Uuid)>,
}

impl DemandExport {
    pub fn new(filter: DemandFilter, today: NaiveDate) -> Self {
        DemandExport {
            filter,
            today,
            pager: Pager::default(),
        }
    }
}

impl Source for DemandExport {
    const NAME: &'static str = "demands";
    const SHEET: &'static str = "企业诉求";

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    async fn next_batch(&mut self, conn: &mut AsyncPgConnection) -> AppResult<Option<Batch>> {
        let (filter, today) = (&self.filter, self.today);
        let fetch = async |after| {
            let order = Order::newest(after);
            let rows = list::list(conn, filter.clone(), today, order, PAGE_ROWS).await;
            rows.map(Option::unwrap_or_default)
        };
        let Some(rows) = self.pager.next(fetch, |d| (d.created_at, d.id)).await? else {
            return Ok(None);
        };
        let enterprises = enterprise_names(conn, rows.iter().map(|d| d.enterprise_id)).await?;
        let batch = rows
            .into_iter()
            .map(|row| {
                let d = Demand::from_row(row, self.today, &Calendar::default());
                let [name, code] = enterprises.cells(&d.enterprise_id);
                vec![
                    Cell::Time(d.created_at),
                    name,
                    code,
                    Cell::text(d.category.as_str()),
                    Cell::text(&d.title),
                    Cell::opt_text(d.description.as_deref()),
                    Cell::text(&d.assigned_department),
                    Cell::text(d.status.as_str()),
                    Cell::opt_date(d.due_on),
                    Cell::text(if d.overdue { "是" } else { "否" }),
                    Cell::opt_text(d.resolution.as_deref()),
                    Cell::opt_text(d.satisfaction.map(|s| s.as_str())),
                    Cell::Time(d.updated_at),
                    Cell::text(d.id.to_string()),
                ]
            })
            .collect();
        Ok(Some(batch))
    }
}
