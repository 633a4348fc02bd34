//! The monthly 调度会 workbook, printable: five sheets (汇总, 按设区市, 逾期诉求清单, 需关注企业,
//! 资金拨付), each with a title row and a header row repeated on every printed page, landscape
//! A4, one page wide; Chinese labels, never codes. The long lists arrive in pages and go to
//! constant-memory sheets, so the server's memory stays flat however long they are.

use actix_web::web::Bytes;
use futures_util::{Stream, stream};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use super::xlsx_body::ChunkWriter;
use crate::db::money::Money;
use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::aborted;
use crate::domain::reports::monthly::{OverdueDemand, Summary};
use crate::domain::stats::alerts::Alert;
use crate::domain::stats::demands::{DemandFigures, DemandStats};

/// The long lists, a page at a time: every overdue page comes before the first alerts page.
pub enum Feed {
    Overdue(Vec<OverdueDemand>),
    Alerts(Vec<Alert>),
}

const SHEETS: [(&str, &[(&str, f64)]); 5] = [
    ("汇总", FIGURE_COLUMNS),
    ("按设区市", FIGURE_COLUMNS),
    (
        "逾期诉求清单",
        &[
            ("序号", 6.0),
            ("企业名称", 34.0),
            ("诉求", 40.0),
            ("承办部门", 24.0),
            ("应办结日期", 12.0),
            ("逾期天数", 10.0),
            ("催办次数", 10.0),
        ],
    ),
    (
        "需关注企业",
        &[("序号", 6.0), ("企业名称", 34.0), ("关注原因", 80.0)],
    ),
    (
        "资金拨付",
        &[
            ("序号", 6.0),
            ("部门", 28.0),
            ("年度", 8.0),
            ("批准金额（元）", 18.0),
            ("已拨付（元）", 18.0),
            ("拨付率", 10.0),
        ],
    ),
];

const FIGURE_COLUMNS: &[(&str, f64)] = &[
    ("序号", 6.0),
    ("名称", 28.0),
    ("新增诉求", 10.0),
    ("办结", 8.0),
    ("办结率", 10.0),
    ("按期办结率", 12.0),
    ("逾期", 8.0),
    ("督办升级", 10.0),
    ("满意率", 10.0),
];

struct Formats {
    title: Format,
    header: Format,
    date: Format,
    money: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            header: Format::new().set_bold().set_align(FormatAlign::Center),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
            percent: Format::new().set_num_format("0.0%"),
        }
    }
}

/// Adds the five sheets, each with its title, header and print settings.
fn add_sheets(workbook: &mut Workbook, title: &str, f: &Formats) -> Result<(), XlsxError> {
    for (name, columns) in SHEETS {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        let last = columns.len() as u16 - 1;
        sheet.merge_range(0, 0, 0, last, &format!("{title}（{name}）"), &f.title)?;
        for (i, (header, width)) in columns.iter().enumerate() {
            sheet.set_column_width(i as u16, *width)?;
            sheet.write_string_with_format(1, i as u16, *header, &f.header)?;
        }
        sheet.set_freeze_panes(2, 0)?;
        sheet.set_landscape();
        sheet.set_paper_size(9); // A4
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(0, 1)?;
    }
    Ok(())
}

/// A share as a percentage cell, or a dash when there is nothing to divide.
fn write_rate(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    rate: Option<f64>,
    f: &Formats,
) -> Result<(), XlsxError> {
    match rate {
        Some(r) => sheet.write_number_with_format(row, col, r, &f.percent)?,
        None => sheet.write_string(row, col, "—")?,
    };
    Ok(())
}

fn write_figures(
    sheet: &mut Worksheet,
    stats: &DemandStats,
    escalated: &std::collections::HashMap<String, i64>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let line = |sheet: &mut Worksheet, row: u32, n: Option<u32>, g: &DemandFigures, up: i64| {
        match n {
            Some(n) => sheet.write_number(row, 0, f64::from(n))?,
            None => sheet.write_string(row, 0, "")?,
        };
        sheet.write_string(row, 1, &g.name)?;
        sheet.write_number(row, 2, g.raised as f64)?;
        sheet.write_number(row, 3, g.resolved as f64)?;
        write_rate(sheet, row, 4, g.completion_rate, f)?;
        write_rate(sheet, row, 5, g.on_time_rate, f)?;
        sheet.write_number(row, 6, g.overdue as f64)?;
        sheet.write_number(row, 7, up as f64)?;
        write_rate(sheet, row, 8, g.satisfaction_rate, f)?;
        Ok::<(), XlsxError>(())
    };
    let mut row = 2;
    for (i, g) in stats.items.iter().enumerate() {
        let up = escalated.get(&g.key).copied().unwrap_or(0);
        line(sheet, row, Some(i as u32 + 1), g, up)?;
        row += 1;
    }
    line(sheet, row, None, &stats.total, escalated.values().sum())
}

fn write_money(sheet: &mut Worksheet, s: &Summary, f: &Formats) -> Result<(), XlsxError> {
    let cell = |m: Money| m.0.to_f64().unwrap_or_default();
    for (i, m) in s.money.iter().enumerate() {
        let row = i as u32 + 2;
        let name = s
            .department_names
            .get(&m.department)
            .unwrap_or(&m.department);
        sheet.write_number(row, 0, f64::from(i as u32 + 1))?;
        sheet.write_string(row, 1, name)?;
        sheet.write_number(row, 2, f64::from(m.fiscal_year))?;
        sheet.write_number_with_format(row, 3, cell(m.approved), &f.money)?;
        sheet.write_number_with_format(row, 4, cell(m.disbursed), &f.money)?;
        let rate = crate::domain::stats::ratio(m.disbursed.0, m.approved.0);
        write_rate(sheet, row, 5, rate, f)?;
    }
    Ok(())
}

fn write_overdue(
    sheet: &mut Worksheet,
    row: &mut u32,
    page: &[OverdueDemand],
    s: &Summary,
    f: &Formats,
) -> Result<(), XlsxError> {
    for d in page {
        let department = s
            .department_names
            .get(&d.department)
            .unwrap_or(&d.department);
        sheet.write_number(*row, 0, f64::from(*row - 1))?;
        sheet.write_string(*row, 1, &d.enterprise)?;
        sheet.write_string(*row, 2, &d.title)?;
        sheet.write_string(*row, 3, department)?;
        sheet.write_date_with_format(*row, 4, d.due_on, &f.date)?;
        sheet.write_number(*row, 5, d.days_overdue(s.period.as_of) as f64)?;
        sheet.write_number(*row, 6, f64::from(d.urges))?;
        *row += 1;
    }
    Ok(())
}

fn write_alerts(sheet: &mut Worksheet, row: &mut u32, page: &[Alert]) -> Result<(), XlsxError> {
    for a in page {
        let reasons: Vec<&str> = a.reasons.iter().map(|r| r.message.as_str()).collect();
        sheet.write_number(*row, 0, f64::from(*row - 1))?;
        sheet.write_string(*row, 1, &a.name)?;
        sheet.write_string(*row, 2, reasons.join("；"))?;
        *row += 1;
    }
    Ok(())
}

/// The sheets read at once: the figures by department and city, and the money.
fn write_summaries(workbook: &mut Workbook, s: &Summary, f: &Formats) -> Result<(), XlsxError> {
    let sheet = workbook.worksheet_from_index(0)?;
    write_figures(sheet, &s.by_department, &s.escalated_by_department, f)?;
    let sheet = workbook.worksheet_from_index(1)?;
    write_figures(sheet, &s.by_city, &s.escalated_by_city, f)?;
    write_money(workbook.worksheet_from_index(4)?, s, f)
}

/// Builds the workbook and writes it into `out`. Runs on a blocking thread.
fn build(
    s: &Summary,
    mut feed: mpsc::Receiver<AppResult<Feed>>,
    out: &mut ChunkWriter,
) -> AppResult<()> {
    let f = Formats::new();
    let mut workbook = Workbook::new();
    add_sheets(&mut workbook, &s.title, &f).map_err(aborted)?;
    write_summaries(&mut workbook, s, &f).map_err(aborted)?;
    let (mut overdue_row, mut alert_row) = (2, 2);
    while let Some(page) = feed.blocking_recv() {
        match page? {
            Feed::Overdue(rows) => {
                let sheet = workbook.worksheet_from_index(2).map_err(aborted)?;
                write_overdue(sheet, &mut overdue_row, &rows, s, &f)
            }
            Feed::Alerts(rows) => {
                let sheet = workbook.worksheet_from_index(3).map_err(aborted)?;
                write_alerts(sheet, &mut alert_row, &rows)
            }
        }
        .map_err(aborted)?;
    }
    workbook.save_to_writer(&mut *out).map_err(aborted)?;
    out.send().map_err(aborted)
}

/// The workbook as a stream of chunks.
pub fn stream(
    summary: Summary,
    feed: mpsc::Receiver<AppResult<Feed>>,
) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    let (tx, rx) = mpsc::channel::<AppResult<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter::new(tx.clone());
        if let Err(e) = build(&summary, feed, &mut out) {
            // The response stops there; the client sees an incomplete download.
            let _ = tx.blocking_send(Err(e));
        }
    });
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}
