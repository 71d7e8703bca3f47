//! Names are stable across revisions of a spec: adding or removing an operation, or reordering
//! paths and components, renames no other type. The judge is the API change report: each edit
//! of `fixtures/shared.yaml` must report exactly what the edit itself adds or removes.

use serde_json::{json, Value};

fn spec() -> Value {
    let path = oasgen_tests::package_dir().join("fixtures/shared.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn generate(spec: &Value) -> oasgen::write::Files {
    let opts = oasgen::CrateOptions {
        crate_name: "stable-names".into(),
        command: "oasgen".into(),
        spec_label: "spec.json".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    };
    let text = serde_json::to_string_pretty(spec).unwrap();
    oasgen::generate("spec.json", &text, &opts)
        .unwrap_or_else(|e| panic!("{e}"))
        .files
}

/// The report of going from `old` to `new`, one line per change.
fn changes(old: &Value, new: &Value) -> Vec<String> {
    let report = oasgen::apidiff::report(&generate(old), &generate(new));
    assert!(report.unknown.is_none(), "{report}");
    report
        .changes
        .iter()
        .map(|c| format!("{}: {}", c.subject, c.what))
        .collect()
}

/// The map at `pointer`, rebuilt in reverse order.
fn reverse(spec: &mut Value, pointer: &str) {
    let map = spec.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().rev().collect();
    map.extend(entries);
}

#[test]
fn adding_an_operation_that_sorts_first_renames_nothing() {
    let old = spec();
    let mut new = old.clone();
    // First in the spec and first by pointer: under the old rule its names would be claimed
    // first, and the shared types would be named after it.
    let paths = new["paths"].as_object_mut().unwrap();
    let mut entries: Vec<(String, Value)> = std::mem::take(paths).into_iter().collect();
    let archive = json!({
        "post": {
            "operationId": "archiveNotes",
            "parameters": [{ "$ref": "#/components/parameters/sortOrder" }],
            "requestBody": { "$ref": "#/components/requestBodies/NoteInput" },
            "responses": {
                "204": { "description": "Archived." },
                "401": { "$ref": "#/components/responses/Unauthorized_401" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        }
    });
    entries.insert(0, ("/archive".into(), archive));
    paths.extend(entries);
    assert_eq!(
        changes(&old, &new),
        ["operation `archive_notes`: added"],
        "only the new operation may appear"
    );
}

#[test]
fn removing_the_first_user_of_shared_components_renames_nothing() {
    let old = spec();
    let mut new = old.clone();
    new["paths"]["/notes"]
        .as_object_mut()
        .unwrap()
        .remove("get")
        .unwrap();
    assert_eq!(
        changes(&old, &new),
        ["operation `list_notes`: removed"],
        "only the removed operation may appear"
    );
}

#[test]
fn reordering_paths_methods_and_components_changes_nothing() {
    let old = spec();
    let mut new = old.clone();
    reverse(&mut new, "/paths");
    for path in ["/paths/~1notes", "/paths/~1notes~1{noteId}"] {
        reverse(&mut new, path);
    }
    for section in ["schemas", "responses", "parameters", "requestBodies"] {
        reverse(&mut new, &format!("/components/{section}"));
    }
    assert_ne!(
        serde_json::to_string(&old).unwrap(),
        serde_json::to_string(&new).unwrap()
    );
    assert_eq!(changes(&old, &new), Vec::<String>::new());
}

#[test]
fn a_new_colliding_type_renames_only_what_it_collides_with() {
    let old = spec();
    let mut new = old.clone();
    // A schema that takes the name of the shared response's type: that type moves to its
    // section's name; nothing else changes.
    new["components"]["schemas"]["Unauthorized401"] = json!({ "type": "string" });
    let changes = changes(&old, &new);
    assert!(
        changes.iter().all(|c| c.contains("Unauthorized401")),
        "{changes:#?}"
    );
    assert!(
        changes.contains(&"type `Unauthorized401Response`: added".to_string()),
        "{changes:#?}"
    );
}
