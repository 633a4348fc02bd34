//! Reports for people: the monthly 调度会 workbook's content (the web layer prints it).

pub mod monthly;
