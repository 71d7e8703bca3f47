//! `uniqueItems` as JSON Schema reads it: two items are equal when they are the same JSON
//! value (`1` and `1.0` are one number; object members compare whatever their order). One
//! implementation for the router, which refuses an array with equal items, and for the
//! generator, which picks the mock's bodies.

use serde_json::Value;

/// Whether no two items are equal as JSON values (`1` and `1.0` are one number, as JSON
/// Schema says; object members compare whatever their order): each item is written in one
/// canonical form, and the forms go into a set, so a long array costs linear time.
pub fn all_distinct(items: &[Value]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.iter().all(|item| {
        let mut key = String::new();
        canonical(item, &mut key);
        seen.insert(key)
    })
}

/// `v` written so that two JSON Schema-equal values give the same text: integral numbers as
/// integers, other numbers by their bits, object members sorted by name.
fn canonical(v: &Value, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Number(n) => {
            let integral = n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from));
            let float = n.as_f64().unwrap_or(f64::NAN);
            let integral = integral
                .or_else(|| (float.fract() == 0.0 && float.abs() < 1e38).then_some(float as i128));
            let _ = match integral {
                Some(i) => write!(out, "{i}"),
                None => write!(out, "f{:x}", float.to_bits()),
            };
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            names.sort();
            out.push('{');
            for name in names {
                out.push_str(&Value::String(name.clone()).to_string());
                out.push(':');
                canonical(&members[name], out);
                out.push(',');
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_items_compare_as_json_schema_says() {
        let distinct = |v: Value| all_distinct(v.as_array().unwrap());
        assert!(!distinct(serde_json::json!([1, 1.0])));
        assert!(!distinct(serde_json::json!([-0.0, 0])));
        assert!(!distinct(
            serde_json::json!([{"a": 1, "b": [2.0]}, {"b": [2], "a": 1}])
        ));
        assert!(!distinct(serde_json::json!([null, "x", null])));
        assert!(distinct(
            serde_json::json!([1, "1", [1], {"1": 1}, 1.5, true, null])
        ));
        assert!(distinct(
            serde_json::json!([{"a": 1}, {"a": 1, "b": 1}, [1, 2], [2, 1]])
        ));
        assert!(distinct(serde_json::json!([
            1e300,
            1.5e300,
            18446744073709551615u64
        ])));
        // Many items: the set keeps this linear (a pairwise comparison took 5e9 steps here).
        let many: Vec<Value> = (0..100_000).map(Value::from).collect();
        assert!(all_distinct(&many));
    }
}
