//! Limits on every string, list and integer of the document, as the OWASP API Security rules
//! ask (Spectral checks them in CI). The handlers' annotations state most; this fills in, in one
//! place, what follows from the kind of value:
//! - by format: a UUID, a date, a timestamp, an e-mail address or a URL has a longest form;
//! - an integer's range is its format's (int32, int64) unless its annotation narrows it;
//! - a text or list left open is bounded by its name ([`TEXTS`], [`LISTS`]): response fields
//!   hold what a request of the same name wrote and its rules checked (`name` is at most 200
//!   characters wherever it is written), and a query parameter's limit here is enforced from the
//!   document itself by [`crate::web::parameter_limits`].
//!
//! Streamed files (CSV and XLSX exports) and complete sub-lists (a demand's history, a
//! measure's payments, statistics per department) have no honest bound: the README lists them
//! under "OWASP rules not followed".

use serde_json::{Map, Value};

/// The longest text, in characters, of each field, header or parameter name that its
/// annotation leaves open.
const TEXTS: &[(&str, u64)] = &[
    // Codes: department (2..32), region (6..12), category and the like.
    ("department", 32),
    ("assigned_department", 32),
    ("assigned_departments", 32),
    ("co_department", 32),
    ("co_departments", 32),
    ("departments", 32),
    ("lead_department", 32),
    ("raising_department", 32),
    ("responsible_department", 32),
    ("responsible_departments", 32),
    ("by_department", 32),
    ("region_code", 12),
    ("region_codes", 12),
    ("parent_code", 12),
    ("category", 64),
    ("categories", 64),
    ("subcategory", 64),
    ("code", 64),
    ("key", 64),
    ("kind", 64),
    ("action", 64),
    ("entity", 64),
    ("status", 32),
    ("from", 32),
    ("to", 32),
    ("satisfaction", 32),
    ("token_type", 16),
    ("tag", 100),
    ("tags", 100),
    ("key_products", 100),
    ("aliases", 100),
    ("checklist", 200),
    ("quarter", 7),
    ("month", 7),
    ("credit_code", 18),
    ("username", 64),
    ("client_id", 64),
    // An id, a code, a route or a username as typed at a failed login (kept to 100).
    ("entity_id", 100),
    ("id", 64),
    ("event_id", 64),
    // Texts people write, at their rules' limits.
    ("name", 200),
    ("enterprise_name", 200),
    ("display_name", 100),
    ("title", 300),
    ("issuer", 200),
    ("address", 200),
    ("legal_representative", 200),
    ("designation_batch", 200),
    ("document_no", 100),
    ("withdrawal_document_no", 100),
    ("voucher_no", 100),
    ("phone", 32),
    ("email", 254),
    ("url", 2000),
    ("q", 100),
    ("summary", 4000),
    ("description", 4000),
    ("findings", 4000),
    ("participants", 4000),
    ("purpose", 4000),
    ("resolution", 4000),
    ("comment", 4000),
    ("note", 4000),
    ("notes", 4000),
    ("decision_note", 4000),
    ("reason", 4000),
    ("withdrawal_reason", 4000),
    ("credit_code_override_reason", 2000),
    // Money: at most 12 digits, a point and 2 decimals, and a sign.
    ("amount", 16),
    ("approved", 16),
    ("disbursed", 16),
    ("disbursed_amount", 16),
    ("expected_amount", 16),
    ("realized_amount", 16),
    ("revenue", 16),
    ("output_value", 16),
    ("emergency_revenue", 16),
    ("export_value", 16),
    ("rd_expense", 16),
    ("profit", 16),
    // What the service writes itself.
    ("type", 200),
    ("detail", 2000),
    ("message", 500),
    ("field", 200),
    ("column", 200),
    ("error_description", 500),
    ("request_id", 128),
    ("last_error", 500),
    ("client_secret", 128),
    ("client_secret_note", 500),
    ("secret", 128),
    ("access_token", 4096),
    ("refresh_token", 512),
    // Pagination and headers.
    ("cursor", 2048),
    ("next_cursor", 2048),
    ("ETag", 64),
    ("Location", 2048),
    ("If-Match", 1024),
    ("Idempotency-Key", 255),
    ("Content-Disposition", 300),
    ("WWW-Authenticate", 1000),
    ("Retry-After", 16),
    ("Content-Language", 16),
    ("Access-Control-Allow-Origin", 2048),
];

/// The most entries of each list a request cannot make longer than its rules allow, or whose
/// length the service bounds itself.
const LISTS: &[(&str, u64)] = &[
    ("roles", 4),
    ("aliases", 10),
    ("co_departments", 10),
    ("assigned_departments", 20),
    ("liaison_officers", 20),
    ("key_products", 50),
    ("tags", 50),
    ("categories", 20),
    ("responsible_departments", 20),
    ("region_codes", 200),
    ("sizes", 4),
    ("checklist", 30),
    ("contacts_met", 20),
    ("officers", 20),
    ("demands", 50),
    // One per kind of alert; the rules that matched (category, size, region).
    ("reasons", 8),
    ("alerts", 8),
    ("matched", 3),
    ("departments", 50),
    ("event_types", 50),
    ("rows", 100_000),
    // A page: at most `limit` (200) items.
    ("items", 200),
];

/// Lists whose length the data decides, not a request: complete sub-lists (a demand's
/// history, a measure's payments), reference lists, and statistics with a row per department,
/// officer or policy. They keep no `maxItems`; `.ci/spectral.yaml` exempts exactly these.
pub const DATA_BOUNDED: &[(&str, &str)] = &[
    ("Page_BenefitEvent", "items"),
    ("Page_Category", "items"),
    ("Page_DemandEvent", "items"),
    ("Page_Department", "items"),
    ("Page_Disbursement", "items"),
    ("Page_FollowUp", "items"),
    ("Page_Indicator", "items"),
    ("Page_Region", "items"),
    ("Page_TimeLimit", "items"),
    ("Category", "subcategories"),
    ("Demand", "extensions"),
    ("CoverageStats", "items"),
    ("DemandStats", "items"),
    ("IndicatorStats", "items"),
    ("OfficersReport", "items"),
    ("EligiblePolicies", "items"),
    ("SupportSums", "by_department"),
    ("Workbench", "enterprises"),
    ("Workbench", "follow_ups_due"),
    ("DepartmentDue", "overdue"),
    ("DepartmentDue", "due_within_7_days"),
];

/// Formats whose longest text is known.
const FORMATS: &[(&str, u64)] = &[
    ("uuid", 36),
    ("date", 10),
    // `2026-12-01T08:00:00.123456789+08:00`
    ("date-time", 35),
    ("email", 254),
    ("uri", 2000),
];

/// Declares the limits the document leaves open (see the module's comment).
pub fn declare(document: &mut Value) {
    walk(document, None);
    for (schema, property) in DATA_BOUNDED {
        let pointer = format!("/components/schemas/{schema}/properties/{property}");
        if let Some(Value::Object(list)) = document.pointer_mut(&pointer) {
            list.remove("maxItems");
        }
    }
}

/// Visits every schema under `node`; `name` is the property, header or parameter it describes.
fn walk(node: &mut Value, name: Option<&str>) {
    match node {
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, name)),
        Value::Object(map) => {
            limit(map, name);
            // A parameter names its schema.
            let own = map
                .get("in")
                .and(map.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "example" | "examples" | "default" | "enum" | "const" => {}
                    "properties" | "headers" => {
                        if let Value::Object(named) = child {
                            named.iter_mut().for_each(|(n, s)| walk(s, Some(n)));
                        }
                    }
                    "items" | "oneOf" | "anyOf" | "allOf" => walk(child, name),
                    // The keys of a map of counts: codes.
                    "propertyNames" => walk(child, Some("code")),
                    "schema" => walk(child, own.as_deref().or(name)),
                    _ => walk(child, None),
                }
            }
        }
        _ => {}
    }
}

/// The limits of one schema, where it has none.
fn limit(schema: &mut Map<String, Value>, name: Option<&str>) {
    let has = |schema: &Map<String, Value>, t: &str| match schema.get("type") {
        Some(Value::String(one)) => one == t,
        Some(Value::Array(many)) => many.iter().any(|m| m == t),
        _ => false,
    };
    let bounded = ["maxLength", "enum", "const"]
        .iter()
        .any(|k| schema.contains_key(*k));
    if has(schema, "string") && !bounded {
        let format = schema.get("format").and_then(Value::as_str);
        if let Some(n) = format
            .and_then(|f| lookup(FORMATS, f))
            .or(name.and_then(|n| lookup(TEXTS, n)))
        {
            schema.insert("maxLength".into(), n.into());
        }
    }
    if has(schema, "array")
        && !schema.contains_key("maxItems")
        && let Some(n) = name.and_then(|n| lookup(LISTS, n))
    {
        schema.insert("maxItems".into(), n.into());
    }
    if has(schema, "integer") {
        let (min, max) = match schema.get("format").and_then(Value::as_str) {
            Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        if !schema.contains_key("exclusiveMinimum") {
            schema.entry("minimum").or_insert(min.into());
        }
        if !schema.contains_key("exclusiveMaximum") {
            schema.entry("maximum").or_insert(max.into());
        }
    }
}

fn lookup(table: &[(&str, u64)], key: &str) -> Option<u64> {
    table.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_values_get_the_limit_of_their_kind_or_name() {
        let mut doc = json!({"components": {"schemas": {"X": {"properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": ["string", "null"]},
            "title": {"type": "string", "maxLength": 10},
            "count": {"type": "integer", "format": "int32", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
            "unknown": {"type": "string"}
        }}}}});
        declare(&mut doc);
        let x = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(x["id"]["maxLength"], 36);
        assert_eq!(x["name"]["maxLength"], 200);
        assert_eq!(x["title"]["maxLength"], 10, "an annotation's limit stays");
        assert_eq!(x["count"]["minimum"], 0);
        assert_eq!(x["count"]["maximum"], i32::MAX);
        assert_eq!(x["tags"]["maxItems"], 50);
        assert_eq!(x["tags"]["items"]["maxLength"], 100);
        assert!(x["unknown"].get("maxLength").is_none());
    }

    #[test]
    fn the_ci_ruleset_exempts_exactly_the_data_bounded_lists() {
        let ruleset = include_str!("../../.ci/spectral-owasp.yaml");
        let exempted = ruleset.matches("/properties/").count();
        for (schema, property) in DATA_BOUNDED {
            let pointer = format!("#/components/schemas/{schema}/properties/{property}\"");
            assert!(ruleset.contains(&pointer), "{pointer} is not exempted");
        }
        // Besides these lists, the ruleset names one property: the upload's file.
        assert_eq!(exempted, DATA_BOUNDED.len() + 1);
    }
}
