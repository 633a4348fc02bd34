//! Quarterly operating indicators (运行监测) per enterprise: revenue, output, profit, R&D, exports,
//! employees — written by the enterprise's liaison officers and by the statistics bureau.

pub mod model;
pub mod store;
