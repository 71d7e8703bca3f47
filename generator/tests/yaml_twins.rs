//! YAML specs and their JSON twins generate the same crate.
//!
//! The cases come from readers disagreeing: an earlier loader of ours cut YAML of 512 KiB or
//! more into pieces and moved entries to the root when a line started with U+2028, U+2029,
//! U+0085 or a byte order mark; it read an anchor redefined inside its own node as the outer
//! node; and it refused or accepted a byte order mark depending on the file's size. The
//! expected values are what PyYAML reads from the same text.

use oasgen::{generate, CrateOptions};

fn options() -> CrateOptions {
    CrateOptions {
        crate_name: "twin".into(),
        command: "test".into(),
        spec_label: "twin".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    }
}

/// Generates both texts and compares every file.
fn assert_twins(yaml: &str, json: &str) {
    let from_yaml = generate("s.yaml", yaml, &options()).unwrap_or_else(|e| panic!("{e}"));
    let from_json = generate("s.json", json, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_yaml.files.len(), from_json.files.len());
    for (path, text) in &from_yaml.files {
        let twin = from_json.files.get(path).map_or("", String::as_str);
        let first = text.lines().zip(twin.lines()).find(|(a, b)| a != b);
        assert!(
            twin == text,
            "{path} differs between the YAML spec and its JSON twin, first at {first:?}"
        );
    }
}

/// A spec with `schemas` (YAML lines under `components/schemas`, indented by 4).
fn yaml_spec(schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo:\n  title: Twins\n  version: '1'\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    )
}

fn json_spec(schemas: serde_json::Value) -> String {
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Twins", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas}
    })
    .to_string()
}

#[test]
fn line_separators_at_line_starts_stay_in_their_scalar_in_a_large_spec() {
    // Each schema's description has U+2028, U+2029, U+0085 or a BOM in quoted scalars, one
    // of them at the start of a line; enough schemas to pass 512 KiB.
    let starts = ['\u{2028}', '\u{2029}', '\u{85}', '\u{feff}'];
    let mut yaml = String::new();
    let mut json = serde_json::Map::new();
    let mut i = 0;
    while yaml.len() < 600 * 1024 {
        let c = starts[i % starts.len()];
        yaml.push_str(&format!(
            "    Item{i}:\n      type: object\n      description: 'First line.\n\n{c}Starts with a separator.'\n      properties:\n        name:\n          type: string\n          description: 'one {c}two'\n"
        ));
        // YAML 1.1 readers (PyYAML, libyaml) take U+2028, U+2029 and U+0085 as line breaks:
        // in a quoted scalar they fold, and the first two are kept as themselves.
        let (description, name): (String, String) = match c {
            '\u{85}' => (
                "First line.\n\nStarts with a separator.".into(),
                "one two".into(),
            ),
            '\u{feff}' => (
                format!("First line.\n{c}Starts with a separator."),
                format!("one {c}two"),
            ),
            _ => (
                format!("First line.\n{c}Starts with a separator."),
                format!("one{c}two"),
            ),
        };
        json.insert(
            format!("Item{i}"),
            serde_json::json!({
                "type": "object",
                "description": description,
                "properties": {"name": {"type": "string", "description": name}}
            }),
        );
        i += 1;
    }
    let yaml = yaml_spec(&yaml);
    assert!(yaml.len() >= 512 * 1024);
    assert_twins(&yaml, &json_spec(serde_json::Value::Object(json)));
}

#[test]
fn an_anchor_redefined_inside_its_own_node_is_the_inner_node() {
    let yaml =
        yaml_spec("    A: &s {type: object, properties: {name: &s {type: string}}}\n    B: *s\n");
    let json = json_spec(serde_json::json!({
        "A": {"type": "object", "properties": {"name": {"type": "string"}}},
        "B": {"type": "string"}
    }));
    assert_twins(&yaml, &json);
}

#[test]
fn an_alias_serde_yaml_would_misread_is_refused_with_its_line() {
    let yaml = yaml_spec(
        "    A: &x {type: string}\n    B: &x {type: integer}\n    C: &y {type: boolean}\n    D: *x\n",
    );
    let e = generate("s.yaml", &yaml, &options())
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("s.yaml:11:8: "), "{e}");
    assert!(e.contains("`*x`"), "{e}");
}

#[test]
fn bom_crlf_tabs_block_scalars_and_flow_collections() {
    let schemas = "    A:\r\n      type: object\r\n      required: [id, tags]\r\n      description: >\r\n        Folded\r\n        text.\r\n\r\n        Second paragraph.\r\n      properties:\r\n        id: {type: string, format: uuid}\r\n        tags:\t{type: array, items: {type: string}}\r\n        note:\r\n          type: string\r\n          title: 'A\ttab'\r\n          description: |-\r\n            Kept\r\n              indented\r\n";
    let json = json_spec(serde_json::json!({
        "A": {
            "type": "object",
            "required": ["id", "tags"],
            "description": "Folded text.\nSecond paragraph.\n",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "note": {"type": "string", "title": "A\ttab", "description": "Kept\n  indented"}
            }
        }
    }));
    let yaml = yaml_spec(schemas)
        .replace('\n', "\r\n")
        .replace("\r\r\n", "\r\n");
    assert_twins(&yaml, &json);
    // A byte order mark changes nothing, in YAML or JSON, small or large.
    assert_twins(&format!("\u{feff}{yaml}"), &format!("\u{feff}{json}"));
}
