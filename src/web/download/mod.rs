//! Exports as downloads: the rows of a domain export, streamed as CSV or XLSX.

mod csv_body;
pub mod files;
pub mod monthly_xlsx;
mod xlsx_body;

use actix_web::dev::Payload;
use actix_web::http::header::{self, Header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::db::DbPool;
use crate::db::clock::today_in_china;
use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::labels::Dictionary;
use crate::domain::exports::{Format, Source, XLSX_MEDIA_TYPE, read_pages};
use crate::web::body::{parse_query, split_query};

/// The query of an export: the list's filter `F` (strict), the file format and the labels.
pub struct ExportQuery<F> {
    pub filter: F,
    pub format: Format,
    /// `labels=zh`: Chinese labels for codes.
    pub labels: bool,
}

/// How codes are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Labels {
    /// The API's codes (`gxw`, `medium`), which the import reads back (the default).
    #[default]
    Code,
    /// Chinese labels (江西省工业和信息化厅, 中型), for people; the import reads them back too.
    Zh,
}

/// The format parameter of every export, as the OpenAPI document shows it.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `csv` or `xlsx`; when absent, the `Accept` header chooses (CSV by default).
    #[param(inline)]
    pub format: Option<Format>,
    /// `code` (default) or `zh`: Chinese labels instead of codes.
    #[param(inline)]
    pub labels: Option<Labels>,
}

impl<F: DeserializeOwned + 'static> FromRequest for ExportQuery<F> {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_export_query(req))
    }
}

fn parse_export_query<F: DeserializeOwned>(req: &HttpRequest) -> AppResult<ExportQuery<F>> {
    let (presentation, filter) = split_query(req.query_string(), &["format", "labels"])?;
    let presentation = parse_query::<FormatParam>(&presentation)?.0;
    Ok(ExportQuery {
        filter: parse_query::<F>(&filter)?.0,
        format: presentation
            .format
            .or_else(|| accepted_format(req))
            .unwrap_or_default(),
        labels: presentation.labels == Some(Labels::Zh),
    })
}

/// The format `Accept` ranks first (RFC 9110 §12.5.1) when the query names none.
fn accepted_format(req: &HttpRequest) -> Option<Format> {
    let ranked = header::Accept::parse(req).ok()?.ranked();
    ranked.iter().find_map(|media| match media.essence_str() {
        "text/csv" => Some(Format::Csv),
        XLSX_MEDIA_TYPE => Some(Format::Xlsx),
        _ => None,
    })
}

/// Answers with the whole export as a streamed file. The first page is read before the
/// response starts, so an unreachable database is still a 503 problem, not a broken file.
pub async fn respond<S: Source>(
    pool: DbPool,
    (format, labels): (Format, bool),
    source: S,
) -> AppResult<HttpResponse> {
    let columns = source.columns();
    let labels = match labels {
        true => Some(Dictionary::load(&mut *pool.get().await?).await?),
        false => None,
    };
    let mut pages = read_pages(pool, source, labels);
    let first = pages.recv().await.transpose()?.unwrap_or_default();
    let stamp = today_in_china().format("%Y%m%d");
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (XLSX_MEDIA_TYPE, "xlsx"),
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-{stamp}.{extension}\"", S::NAME),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(match format {
        Format::Csv => response.streaming(csv_body::stream(columns, first, pages)),
        // A workbook is a zip already: not compressed again.
        Format::Xlsx => response
            .insert_header(header::ContentEncoding::Identity)
            .streaming(xlsx_body::stream(S::SHEET, columns, first, pages)),
    })
}
