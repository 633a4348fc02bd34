//! Policy rules that need no database: the kinds of support a policy grants and a measure
//! records, and the eligibility rules a policy sets.

crate::text_enum! {
    /// What kind of support.
    pub enum SupportKind {
        Subsidy = "subsidy",
        Grant = "grant",
        LoanInterestSubsidy = "loan_interest_subsidy",
        GuaranteeFeeSubsidy = "guarantee_fee_subsidy",
        InsurancePremiumSubsidy = "insurance_premium_subsidy",
        TaxRelief = "tax_relief",
        TechProject = "tech_project",
        Land = "land",
        Talent = "talent",
        MarketPromotion = "market_promotion",
        Other = "other",
    }
}

impl SupportKind {
    /// Monetary kinds are recorded by finance staff and need an amount.
    pub fn is_monetary(self) -> bool {
        matches!(
            self,
            SupportKind::Subsidy
                | SupportKind::Grant
                | SupportKind::LoanInterestSubsidy
                | SupportKind::GuaranteeFeeSubsidy
                | SupportKind::InsurancePremiumSubsidy
                | SupportKind::TaxRelief
        )
    }
}

crate::text_enum! {
    /// An eligibility rule of a policy; an eligible enterprise met every rule the policy sets.
    pub enum PolicyRule {
        Category = "category",
        Size = "size",
        Region = "region",
    }
}
