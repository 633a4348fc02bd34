//! `GET /api/v1/reports/monthly`: the monthly 调度会 workbook (月报), read by every role.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::DbPool;
use crate::domain::actor::Actor;
use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::XLSX_MEDIA_TYPE;
use crate::domain::reports::monthly::{self, Month};
use crate::domain::stats::alerts::{self, AlertRules};
use crate::web::body::StrictQuery;
use crate::web::download::files::ReportFile;
use crate::web::download::monthly_xlsx::{self, Feed};
use crate::web::problem::ListErrors;
use crate::web::state::AppState;

/// Rows of a long list read per query.
const PAGE: i64 = 500;

/// The report's file format.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Xlsx,
}

/// Query of the monthly report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// The month, `YYYY-MM` (default: this month, China time; figures up to today while it runs).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{4}-[0-9]{2}$", example = "2026-11")]
    pub month: Option<String>,
    /// `xlsx` (the default and, for now, the only format).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// The monthly 调度会 workbook: 汇总 (by department: new, completed, 办结率, 按期办结率, overdue,
/// escalated, 满意率), 按设区市, 逾期诉求清单, 需关注企业 and 资金拨付, with a Chinese title row,
/// printable (landscape A4, one page wide, headers repeated). Any role.
#[utoipa::path(
    tag = "statistics", params(MonthlyQuery),
    responses((status = 200, response = ReportFile), ListErrors),
)]
#[get("/reports/monthly")]
pub async fn monthly_report(
    _actor: Actor,
    state: web::Data<AppState>,
    query: StrictQuery<MonthlyQuery>,
) -> AppResult<HttpResponse> {
    let today = state.clock.today();
    let month = match query.0.month.as_deref() {
        Some(text) => Month::parse("month", text)?,
        None => Month::of(today),
    };
    if month.first_day > today {
        return Err(AppError::invalid(
            "month",
            "future_month",
            "a month that has begun",
        ));
    }
    let summary = {
        let mut conn = state.pool.get().await?;
        monthly::summary(&mut conn, month, today).await?
    };
    let rules = AlertRules {
        today,
        unvisited_days: i64::from(state.config.alert_unvisited_days),
        use_cadence: true,
        revenue_drop: state.config.alert_revenue_drop,
        department: None,
        officer: None,
        region_code: None,
    };
    let (tx, rx) = mpsc::channel(2);
    actix_web::rt::spawn(feed(state.pool.clone(), summary.period.as_of, rules, tx));
    let name = format!("monthly-report-{}.xlsx", month.label());
    Ok(HttpResponse::Ok()
        .content_type(XLSX_MEDIA_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // A workbook is a zip already: not compressed again.
        .insert_header(header::ContentEncoding::Identity)
        .streaming(monthly_xlsx::stream(summary, rx)))
}

/// Sends the overdue demands, then the alerts, a page at a time; stops when the download does.
async fn feed(
    pool: DbPool,
    as_of: NaiveDate,
    rules: AlertRules,
    tx: mpsc::Sender<AppResult<Feed>>,
) {
    let sent = async {
        let mut after = None;
        loop {
            let page = monthly::overdue_page(&mut *pool.get().await?, as_of, after, PAGE).await?;
            after = page.last().map(|d| (d.due_on, d.id));
            let more = page.len() as i64 == PAGE;
            tx.send(Ok(Feed::Overdue(page))).await.map_err(gone)?;
            if !more {
                break;
            }
        }
        let mut after = None;
        loop {
            let mut page = alerts::list(&mut *pool.get().await?, &rules, after, PAGE).await?;
            let more = page.len() as i64 > PAGE;
            page.truncate(PAGE as usize);
            after = page.last().map(|a| (a.name.clone(), a.enterprise_id));
            tx.send(Ok(Feed::Alerts(page))).await.map_err(gone)?;
            if !more {
                return Ok(());
            }
        }
    };
    if let Err(e) = sent.await {
        let _ = tx.send(Err(e)).await;
    }
}

fn gone<T>(_: mpsc::error::SendError<T>) -> AppError {
    AppError::Unavailable("the download was closed".into())
}

/// Mounts this file's routes, each with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(monthly_report);
}
