//! Demands (企业诉求) raised by enterprises, followed through the departments until solved:
//! time limits in working days, 转办, 退回, progress notes, extensions, 催办 and 回访.

pub mod follow_ups;
pub mod list;
pub mod model;
pub mod moves;
pub mod store;
pub mod supervision;
pub mod time_limits;
pub mod views;
pub mod workflow;
