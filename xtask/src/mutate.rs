//! Spec mutations shared by the property test (`generator/tests/fuzz.rs`) and
//! `cargo xtask fuzz-sample`, which proves a sample of accepted mutants compiles.

use serde_json::Value;

/// One mutation; `at` picks a node of the document (modulo the node count).
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Remove the node.
    Drop {
        /// Node index.
        at: usize,
    },
    /// Replace the node with a value of another type.
    Replace { at: usize, with: u8 },
    /// Replace the node with a `$ref` to nothing.
    DangleRef { at: usize },
    /// Rename the node's key to an odd name.
    RenameKey { at: usize, name: u8 },
    /// Copy the node beside itself.
    Duplicate { at: usize },
}

const ODD_NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "",
    "1st",
    "ünïcødé",
    "名前",
    "a-b c",
    "$ref",
    "Option",
    "Result",
    "__",
    "crate",
    "super",
    "-",
    "🙂",
    "xX",
    "Other",
    "None",
];

/// JSON pointers of every node, in document order.
fn pointers(v: &Value, base: String, out: &mut Vec<String>) {
    out.push(base.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{base}/{}", oasgen::error::escape_token(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{base}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn parent_and_key(ptr: &str) -> Option<(&str, String)> {
    let (parent, key) = ptr.rsplit_once('/')?;
    Some((parent, oasgen::error::unescape_token(key)))
}

/// Applies one mutation to `doc`.
pub fn apply(doc: &mut Value, m: &Mutation) {
    let mut ptrs = Vec::new();
    pointers(doc, String::new(), &mut ptrs);
    let pick = |at: usize| ptrs[at % ptrs.len()].clone();
    match m {
        Mutation::Drop { at } => {
            let ptr = pick(*at);
            if let Some((parent, key)) = parent_and_key(&ptr) {
                match doc.pointer_mut(parent) {
                    Some(Value::Object(o)) => {
                        o.shift_remove(&key);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Replace { at, with } => {
            if let Some(node) = doc.pointer_mut(&pick(*at)) {
                *node = match with % 7 {
                    0 => Value::Null,
                    1 => Value::Bool(true),
                    2 => Value::from(-1),
                    3 => Value::from(1.5),
                    4 => Value::from("string"),
                    5 => Value::Array(vec![Value::from(1)]),
                    _ => {
                        serde_json::json!({"type": "object", "properties": {"x": {"type": "integer"}}})
                    }
                };
            }
        }
        Mutation::DangleRef { at } => {
            if let Some(node) = doc.pointer_mut(&pick(*at)) {
                *node = serde_json::json!({"$ref": "#/components/schemas/DoesNotExist"});
            }
        }
        Mutation::RenameKey { at, name } => {
            let ptr = pick(*at);
            let new = ODD_NAMES[*name as usize % ODD_NAMES.len()].to_string();
            if let Some((parent, key)) = parent_and_key(&ptr) {
                if let Some(Value::Object(o)) = doc.pointer_mut(parent) {
                    if let Some(v) = o.shift_remove(&key) {
                        o.insert(new, v);
                    }
                }
            }
        }
        Mutation::Duplicate { at } => {
            let ptr = pick(*at);
            let Some(node) = doc.pointer(&ptr).cloned() else {
                return;
            };
            if let Some((parent, key)) = parent_and_key(&ptr) {
                if let Some(Value::Object(o)) = doc.pointer_mut(parent) {
                    o.insert(format!("{key}Copy"), node);
                } else if let Some(Value::Array(a)) = doc.pointer_mut(parent) {
                    a.push(node);
                }
            }
        }
    }
}
