//! Bulk import (批量导入) of enterprises from the export's CSV or XLSX: upsert by credit code,
//! all rows or none, every bad cell reported with its row and column.

mod cells;
pub mod enterprises;
mod labels;
pub mod limits;
pub mod sheet;
