//! A JSON body into a request type, with every bad field at once: serde stops at the first
//! problem, so each problem's field is noted and taken out of the body, and the rest is read
//! again (at most [`MAX_FIELD_ERRORS`] times); then the type's own rules (validator) add theirs
//! for the fields not already named.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;
use validator::Validate;

use crate::domain::error::{AppError, FieldError};

/// Most problems one body reports (and passes over it).
pub const MAX_FIELD_ERRORS: usize = 50;

/// Reads `value` as `T` and checks its rules; every bad field of the body is in the error.
pub fn typed_body<T: DeserializeOwned + Validate>(value: Value) -> Result<T, Vec<FieldError>> {
    if !value.is_object() {
        return Err(vec![FieldError::new(
            "",
            "type",
            "the body must be a JSON object",
        )]);
    }
    let (parsed, mut errors) = deserialize_all::<T>(value);
    if let Some(Err(rules)) = parsed.as_ref().map(Validate::validate)
        && let AppError::Validation(found) = AppError::from(rules)
    {
        let named: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(found.into_iter().filter(|e| !named.contains(&e.field)));
    }
    match parsed {
        Some(parsed) if errors.is_empty() => Ok(parsed),
        _ => {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(errors)
        }
    }
}

/// Deserializes what it can: the value of the body without its bad fields (none when a required
/// field is missing), and one error per bad field, named by its path in the body as sent.
fn deserialize_all<T: DeserializeOwned>(mut value: Value) -> (Option<T>, Vec<FieldError>) {
    let mut errors = Vec::new();
    // Array elements taken out so far, by the array's path: later indexes are shifted back.
    let mut removed: HashMap<String, Vec<usize>> = HashMap::new();
    loop {
        let failure = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => return (Some(parsed), errors),
            Err(failure) => failure,
        };
        let segments: Vec<Segment> = failure.path().iter().cloned().collect();
        let error = field_error(&segments, &failure.into_inner().to_string(), &removed);
        let taken_out = error.code != "required" && take_out(&mut value, &segments, &mut removed);
        errors.push(error);
        if !taken_out || errors.len() >= MAX_FIELD_ERRORS {
            return (None, errors);
        }
    }
}

/// The error of one serde failure at `segments`.
fn field_error(
    segments: &[Segment],
    message: &str,
    removed: &HashMap<String, Vec<usize>>,
) -> FieldError {
    let path = original_path(segments, removed);
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if message.starts_with("unknown field `") {
        // The path already ends with the unknown field's name.
        return FieldError::new(
            path,
            "unknown_field",
            "this field is unknown or set by the server",
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(join(name), "required", "this field is required");
    }
    let text = message.split(" at line ").next().unwrap_or(message);
    FieldError::new(path, "invalid", text)
}

/// The path as the client wrote it (`demands[2].category`), indexes counted before any
/// element was taken out.
fn original_path(segments: &[Segment], removed: &HashMap<String, Vec<usize>>) -> String {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => {
                let gone = removed.get(&path).map_or(&[][..], Vec::as_slice);
                path.push_str(&format!("[{}]", original_index(*index, gone)));
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    path
}

/// The index an element had before the elements at `gone` (original indexes) were taken out.
fn original_index(index: usize, gone: &[usize]) -> usize {
    let mut original = index;
    let mut sorted = gone.to_vec();
    sorted.sort_unstable();
    for g in sorted {
        if g <= original {
            original += 1;
        }
    }
    original
}

/// Takes the value at `segments` out of the body; false when there is nothing to take.
fn take_out(
    value: &mut Value,
    segments: &[Segment],
    removed: &mut HashMap<String, Vec<usize>>,
) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let parent_path = original_path(parents, removed);
    let mut node = value;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Seq { index }, Value::Array(items)) => match items.get_mut(*index) {
                Some(item) => item,
                None => return false,
            },
            (Segment::Map { key }, Value::Object(map)) => match map.get_mut(key) {
                Some(item) => item,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, node) {
        (Segment::Map { key }, Value::Object(map)) => map.remove(key).is_some(),
        (Segment::Seq { index }, Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            let gone = removed.entry(parent_path).or_default();
            let original = original_index(*index, gone);
            gone.push(original);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[allow(dead_code)]
        kind: Option<Colour>,
    }

    #[derive(Debug, Clone, Copy, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[validate(length(max = 3))]
        name: Option<String>,
        #[allow(dead_code)]
        count: Option<i32>,
        #[allow(dead_code)]
        colours: Option<Vec<Colour>>,
        #[allow(dead_code)]
        #[validate(nested)]
        items: Option<Vec<Item>>,
    }

    fn fields(value: Value) -> Vec<(String, String)> {
        match typed_body::<Body>(value) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn every_bad_field_is_named_with_its_path_as_sent() {
        let found = fields(json!({
            "name": "toolong",
            "count": "three",
            "colours": ["blue", "red", "green"],
            "items": [{"kind": "red"}, {"kind": "pink"}],
            "id": 7,
        }));
        let expected = [
            ("colours[0]", "invalid"),
            ("colours[2]", "invalid"),
            ("count", "invalid"),
            ("id", "unknown_field"),
            ("items[1].kind", "invalid"),
            ("name", "length"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_good_body_passes_and_a_non_object_is_refused() {
        assert!(fields(json!({"name": "ok", "colours": ["red"]})).is_empty());
        assert_eq!(fields(json!([1])), vec![(String::new(), "type".to_owned())]);
    }

    #[test]
    fn a_body_of_many_bad_fields_stops_at_the_limit() {
        let colours: Vec<Value> = (0..200).map(|i| json!(format!("c{i}"))).collect();
        let found = fields(json!({ "colours": colours }));
        assert_eq!(found.len(), MAX_FIELD_ERRORS);
        assert_eq!(found[0].0, "colours[0]");
    }
}
