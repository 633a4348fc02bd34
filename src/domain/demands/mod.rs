//! Demands (企业诉求) raised by enterprises, followed through the departments until solved.

pub mod model;
pub mod store;
