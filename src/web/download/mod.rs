//! Exports as downloads: the rows of a domain export, streamed as CSV or XLSX.

mod csv_body;
mod xlsx_body;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::db::DbPool;
use crate::db::clock::today_in_china;
use crate::domain::error::AppResult;
use crate::domain::exports::{Format, Source, XLSX_MEDIA_TYPE, read_pages};

/// Answers with the whole export as a streamed file. The first page is read before the
/// response starts, so an unreachable database is still a 503 problem, not a broken file.
pub async fn respond<S: Source>(
    pool: DbPool,
    format: Format,
    source: S,
) -> AppResult<HttpResponse> {
    let columns = source.columns();
    let mut pages = read_pages(pool, source);
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
        Format::Xlsx => response.streaming(xlsx_body::stream(S::SHEET, columns, first, pages)),
    })
}
