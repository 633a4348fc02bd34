//! The request types of `/api/v1/enterprises`: a new enterprise, a merge patch, the list's
//! query, and how each becomes what the domain takes.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::db::clock::today_in_china;
use crate::domain::enterprises::designations::Withdrawal;
use crate::domain::enterprises::list::SortKey;
use crate::domain::enterprises::model::{
    DraftChange, EnterpriseDraft, EnterpriseSize, EnterpriseStatus,
};
use crate::domain::error::AppResult;
use crate::web::patch::{Merge, present};

/// Body of `POST /api/v1/enterprises`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnterprise {
    /// 企业名称.
    #[validate(required)]
    #[schema(required = true, value_type = String, max_length = 200, example = "江西赣安应急装备有限公司")]
    pub name: Option<String>,
    /// 统一社会信用代码: 18 characters, GB 32100-2015 check character (lower case accepted).
    #[validate(required)]
    #[schema(required = true, value_type = String, pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$", example = "91360100MA38T3KX5D")]
    pub credit_code: Option<String>,
    /// A known region code (city or county).
    #[validate(required, length(max = 12))]
    #[schema(required = true, value_type = String, example = "360100", max_length = 12)]
    pub region_code: Option<String>,
    /// Category code (see `/api/v1/reference/categories`).
    #[validate(required, length(max = 64))]
    #[schema(required = true, value_type = String, example = "rescue_disposal", max_length = 64)]
    pub category: Option<String>,
    #[validate(required)]
    #[schema(required = true, value_type = EnterpriseSize)]
    pub size: Option<EnterpriseSize>,
    /// Department code of the lead department.
    #[validate(required, length(max = 32))]
    #[schema(required = true, value_type = String, example = "gxw", max_length = 32)]
    pub lead_department: Option<String>,
    /// A subcategory of `category`.
    #[schema(max_length = 64)]
    #[validate(length(max = 64))]
    pub subcategory: Option<String>,
    #[schema(max_length = 200)]
    pub legal_representative: Option<String>,
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[schema(max_items = 50)]
    #[validate(length(max = 50))]
    pub key_products: Option<Vec<String>>,
    /// Default: today (China Standard Time); not in the future.
    pub designated_on: Option<NaiveDate>,
    #[schema(max_length = 200)]
    pub designation_batch: Option<String>,
    /// The designation batch (认定批次); while it is not designated the enterprise is a
    /// `candidate`.
    pub designation_batch_id: Option<Uuid>,
    /// Default `active`.
    pub status: Option<EnterpriseStatus>,
    /// Default `[lead_department]`; the lead is always included.
    #[schema(max_items = 20)]
    #[validate(length(max = 20))]
    pub assigned_departments: Option<Vec<String>>,
    /// User ids of active users of assigned departments.
    #[schema(max_items = 20)]
    #[validate(length(max = 20))]
    pub liaison_officers: Option<Vec<Uuid>>,
    #[schema(max_items = 50)]
    #[validate(length(max = 50))]
    pub tags: Option<Vec<String>>,
    #[schema(minimum = 0)]
    pub employees: Option<i32>,
    /// Visit at least every this many days (default: the system's window).
    #[schema(minimum = 1, maximum = 3650)]
    pub visit_cadence_days: Option<i32>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Admins only: stores a code whose check character fails, with the reason.
    #[schema(max_length = 2000)]
    pub credit_code_override_reason: Option<String>,
}

/// Body of `PATCH /api/v1/enterprises/{id}` (JSON merge patch). Status, designation and
/// assignments (`status`, `lead_department`, `assigned_departments`, `liaison_officers`,
/// `designated_on`, `designation_batch`, `credit_code_override_reason`) are admin only.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterprisePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$")]
    pub credit_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 12)]
    #[validate(length(max = 12))]
    pub region_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 64)]
    #[validate(length(max = 64))]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    #[validate(length(max = 64))]
    pub subcategory: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = EnterpriseSize)]
    pub size: Option<Option<EnterpriseSize>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 32)]
    #[validate(length(max = 32))]
    pub lead_department: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub legal_representative: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 50)]
    #[validate(length(max = 50))]
    pub key_products: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub designated_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub designation_batch: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = EnterpriseStatus)]
    pub status: Option<Option<EnterpriseStatus>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 20)]
    #[validate(length(max = 20))]
    pub assigned_departments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>, max_items = 20)]
    #[validate(length(max = 20))]
    pub liaison_officers: Option<Option<Vec<Uuid>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<String>, max_items = 50)]
    #[validate(length(max = 50))]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub employees: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub visit_cadence_days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub credit_code_override_reason: Option<Option<String>>,
}

/// Sort orders of the enterprise list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
pub enum EnterpriseSort {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "designated_on")]
    DesignatedOn,
    #[serde(rename = "-designated_on")]
    DesignatedOnDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

impl EnterpriseSort {
    pub fn key(self) -> (SortKey, bool) {
        match self {
            EnterpriseSort::Name => (SortKey::Name, false),
            EnterpriseSort::NameDesc => (SortKey::Name, true),
            EnterpriseSort::DesignatedOn => (SortKey::DesignatedOn, false),
            EnterpriseSort::DesignatedOnDesc => (SortKey::DesignatedOn, true),
            EnterpriseSort::UpdatedAt => (SortKey::UpdatedAt, false),
            EnterpriseSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        }
    }
}

/// The `sort` parameter of the enterprise list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseSortParam {
    /// `name` (default), `designated_on` or `updated_at`; `-` prefix for descending.
    #[param(inline)]
    pub sort: Option<EnterpriseSort>,
}

impl NewEnterprise {
    /// The draft this body designates (normalized; checked by the store).
    pub fn into_draft(self) -> EnterpriseDraft {
        let lead = self.lead_department.unwrap_or_default();
        let mut draft = EnterpriseDraft {
            name: self.name.unwrap_or_default(),
            credit_code: self.credit_code.unwrap_or_default(),
            credit_code_override_reason: self.credit_code_override_reason,
            region_code: self.region_code.unwrap_or_default(),
            category: self.category.unwrap_or_default(),
            subcategory: self.subcategory,
            // Present: `read_json` checked `required`.
            size: self.size.unwrap_or(EnterpriseSize::Medium),
            assigned_departments: self
                .assigned_departments
                .unwrap_or_else(|| vec![lead.clone()]),
            lead_department: lead,
            legal_representative: self.legal_representative,
            address: self.address,
            key_products: self.key_products.unwrap_or_default(),
            designated_on: self.designated_on.unwrap_or_else(today_in_china),
            designation_batch: self.designation_batch,
            status: self.status.unwrap_or(EnterpriseStatus::Active),
            liaison_officers: self.liaison_officers.unwrap_or_default(),
            tags: self.tags.unwrap_or_default(),
            employees: self.employees,
            description: self.description,
            visit_cadence_days: self.visit_cadence_days,
        };
        draft.normalize();
        draft
    }
}

impl EnterprisePatch {
    /// The change this patch makes and the fields it touches; every `null` given to a field
    /// that cannot be cleared is named in one 422.
    pub fn into_change(self) -> AppResult<(DraftChange, Vec<&'static str>)> {
        let mut m = Merge::default();
        let change = DraftChange {
            name: m.required("name", self.name),
            credit_code: m.required("credit_code", self.credit_code),
            region_code: m.required("region_code", self.region_code),
            category: m.required("category", self.category),
            size: m.required("size", self.size),
            lead_department: m.required("lead_department", self.lead_department),
            key_products: m.required("key_products", self.key_products),
            designated_on: m.required("designated_on", self.designated_on),
            status: m.required("status", self.status),
            assigned_departments: m.required("assigned_departments", self.assigned_departments),
            liaison_officers: m.required("liaison_officers", self.liaison_officers),
            tags: m.required("tags", self.tags),
            subcategory: m.nullable("subcategory", self.subcategory),
            legal_representative: m.nullable("legal_representative", self.legal_representative),
            address: m.nullable("address", self.address),
            designation_batch: m.nullable("designation_batch", self.designation_batch),
            employees: m.nullable("employees", self.employees),
            visit_cadence_days: m.nullable("visit_cadence_days", self.visit_cadence_days),
            description: m.nullable("description", self.description),
            credit_code_override_reason: m.nullable(
                "credit_code_override_reason",
                self.credit_code_override_reason,
            ),
        };
        Ok((change, m.finish()?))
    }
}

/// Body of a withdrawal (`POST /api/v1/enterprises/{id}/withdrawal`, or `DELETE
/// /api/v1/enterprises/{id}`, where it may be left out).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    /// Why the designation is withdrawn (撤销原因).
    #[schema(max_length = 1000, example = "企业主营业务转型，不再从事应急产业")]
    pub reason: Option<String>,
    /// The day of the withdrawal (default: today, China time); not before the designation.
    pub withdrawn_on: Option<NaiveDate>,
    /// 文号 of the withdrawal.
    #[schema(max_length = 100, example = "赣工信应急字〔2026〕5号")]
    pub document_no: Option<String>,
}

impl WithdrawalRequest {
    pub fn into_withdrawal(self) -> Withdrawal {
        Withdrawal {
            reason: self.reason,
            withdrawn_on: self.withdrawn_on,
            document_no: self.document_no,
        }
    }
}
