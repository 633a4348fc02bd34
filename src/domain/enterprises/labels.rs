//! The Chinese labels of the enterprise's enums, as people read them.

use super::model::EnterpriseSize;

impl EnterpriseSize {
    /// The size's Chinese label (企业规模).
    pub fn label(self) -> &'static str {
        match self {
            EnterpriseSize::Large => "大型",
            EnterpriseSize::Medium => "中型",
            EnterpriseSize::Small => "小型",
            EnterpriseSize::Micro => "微型",
        }
    }
}
