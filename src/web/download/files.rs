//! The files a download answers with, as the OpenAPI document lists them.

use utoipa::{ToResponse, ToSchema};

/// An export: CSV (UTF-8 with a BOM, Chinese headers) or an XLSX workbook, as `format` asks.
#[derive(ToResponse)]
#[response(
    description = "The file, streamed",
    headers(("Content-Disposition" = String, description = "attachment; filename=…"))
)]
pub enum ExportFile {
    Csv(#[content("text/csv")] String),
    Xlsx(
        #[content("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
        #[to_schema]
        BinaryFile,
    ),
}

/// A report: an XLSX workbook.
#[derive(ToResponse)]
#[response(
    description = "The workbook, streamed",
    headers(("Content-Disposition" = String, description = "attachment; filename=…"))
)]
pub enum ReportFile {
    Xlsx(
        #[content("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
        #[to_schema]
        BinaryFile,
    ),
}

/// A binary file: an XLSX workbook.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(pub Vec<u8>);
