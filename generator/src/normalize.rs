//! Repairs for common, unambiguous mistakes in real specs, applied to the raw JSON before it is
//! typed. Each rule is general (never tied to one document) and leaves a warning: the JSON
//! pointer of the place, and what was repaired.

use crate::error::push_pointer;
use serde_json::{Map, Value};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Applies every rule to `doc`, appending one warning per repair.
pub fn normalize(doc: &mut Value, warnings: &mut Vec<(String, String)>) {
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        if !info.get("version").is_some_and(Value::is_string) {
            let shown = info.get("version").map(|v| v.to_string());
            match shown {
                // A version written as a number (`version: 1.0`) is still meant as text.
                Some(v) if v != "null" => {
                    info.insert("version".into(), Value::String(v));
                }
                _ => {
                    warnings.push((
                        "#/info/version".into(),
                        "missing; using an empty version".into(),
                    ));
                    info.insert("version".into(), Value::String(String::new()));
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_ptr = push_pointer("#/paths", path);
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in METHODS {
                let Some(responses) = item
                    .get_mut(*method)
                    .and_then(|op| op.get_mut("responses"))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                let ptr = push_pointer(&push_pointer(&item_ptr, method), "responses");
                for (status, response) in responses.iter_mut() {
                    lift_response_schema(response, &push_pointer(&ptr, status), warnings);
                }
            }
        }
    }
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for (name, response) in responses.iter_mut() {
            let ptr = push_pointer("#/components/responses", name);
            lift_response_schema(response, &ptr, warnings);
        }
    }
}

/// Swagger 2 put `schema` directly under a response; OpenAPI 3 puts it under `content`.
fn lift_response_schema(response: &mut Value, ptr: &str, warnings: &mut Vec<(String, String)>) {
    let Some(obj) = response.as_object_mut() else {
        return;
    };
    if obj.contains_key("content") || !obj.contains_key("schema") {
        return;
    }
    let schema = obj.remove("schema").unwrap_or(Value::Null);
    let mut media = Map::new();
    media.insert("schema".into(), schema);
    let mut content = Map::new();
    content.insert("application/json".into(), Value::Object(media));
    obj.insert("content".into(), Value::Object(content));
    if !obj.contains_key("description") {
        obj.insert("description".into(), Value::String(String::new()));
    }
    warnings.push((
        format!("{ptr}/schema"),
        "Swagger 2 style `schema` under a response; read as `content: application/json`".into(),
    ));
}
