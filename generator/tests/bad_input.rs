//! Broken specs are reported like a compiler reports broken code: every problem, with its JSON
//! pointer and line, a non-zero exit, nothing written, and never a panic.

use std::process::Command;

fn opts() -> oasgen::CrateOptions {
    oasgen::CrateOptions {
        crate_name: "bad".into(),
        command: "test".into(),
        spec_label: "bad.yaml".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    }
}

fn error_of(spec: &str) -> String {
    match oasgen::generate("bad.yaml", spec, &opts()) {
        Ok(_) => panic!("accepted a broken spec:\n{spec}"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n";

#[test]
fn malformed_yaml_has_line_and_column() {
    let e = error_of("openapi: 3.0.3\ninfo: [unclosed\n");
    assert!(e.starts_with("bad.yaml:"), "{e}");
    assert!(e.contains("not valid YAML"), "{e}");
}

#[test]
fn malformed_json_has_line_and_column() {
    let e = error_of("{\n  \"openapi\": \"3.0.3\",\n  \"info\": {,}\n}");
    assert!(e.starts_with("bad.yaml:3:"), "{e}");
    assert!(e.contains("not valid JSON"), "{e}");
}

#[test]
fn other_versions_are_refused() {
    assert!(error_of("swagger: '2.0'\ninfo: {}\n").contains("Swagger 2.0 document"));
    assert!(error_of("openapi: 3.1.0\ninfo: {}\n").contains("OpenAPI 3.1.0 is not supported"));
    assert!(error_of("info: {}\n").contains("missing `openapi: 3.0.x`"));
}

#[test]
fn dangling_ref_names_pointer_and_line() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b:\n          $ref: '#/components/schemas/Missing'\n"
    );
    let e = error_of(&spec);
    assert!(
        e.contains("#/components/schemas/A/properties/b (line 11): $ref `#/components/schemas/Missing` points to nothing"),
        "{e}"
    );
}

#[test]
fn alias_cycle_is_reported() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      $ref: '#/components/schemas/A'\n"
    );
    let e = error_of(&spec);
    assert!(e.contains("$ref cycle through aliases"), "{e}");
    assert!(e.contains("#/components/schemas/A"), "{e}");
}

#[test]
fn several_problems_are_reported_together() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: same\n      responses:\n        '200':\n          description: ok\n  /b/{{id}}:\n    get:\n      operationId: same\n      parameters:\n        - name: other\n          in: path\n          required: true\n          schema:\n            type: string\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Nope'\n"
    );
    let e = error_of(&spec);
    assert!(e.contains("duplicate operationId `same`"), "{e}");
    assert!(
        e.contains("path parameter `other` does not appear in the path template"),
        "{e}"
    );
    assert!(e.contains("points to nothing"), "{e}");
    assert!(e.contains("problem(s) in the spec"), "{e}");
}

#[test]
fn external_refs_are_unsupported() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      $ref: 'other.yaml#/components/schemas/B'\n"
    );
    assert!(error_of(&spec)
        .contains("external $ref `other.yaml#/components/schemas/B` is not supported"));
}

#[test]
fn wrong_shapes_name_their_place() {
    let e = error_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: 7\n"
    ));
    // openapiv3's flattened path map hides the place; the loader finds it entry by entry.
    assert!(e.contains("#/paths/~1a/get/responses (line 8)"), "{e}");
    assert!(e.contains("expected struct Responses"), "{e}");
    let e = error_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: [1]\n"
    ));
    // ... and inside the flattened status map of `responses` too.
    assert!(
        e.contains("#/paths/~1a/get/responses/200/description (line 10)"),
        "{e}"
    );
    assert!(e.contains("expected a string"), "{e}");
}

#[test]
fn unreferenced_schemas_are_checked_too() {
    // The typed document leaves the component schemas to lowering, which types only those it
    // reaches; the loader still checks every one.
    let e = error_of(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Used:\n      type: string\n    Unused:\n      type: object\n      properties: 5\n"
    ));
    assert!(
        e.contains("#/components/schemas/Unused (line 10): not a valid OpenAPI 3.0 object"),
        "{e}"
    );
    // Of two broken places, the first in the document is named, whichever it is.
    let schema = "components:\n  schemas:\n    Unused:\n      properties: 5\n";
    let path = "paths:\n  /a:\n    get:\n      responses: 7\n";
    let e = error_of(&format!("{HEAD}{schema}{path}"));
    assert!(e.contains("#/components/schemas/Unused (line 7)"), "{e}");
    let e = error_of(&format!("{HEAD}{path}{schema}"));
    assert!(e.contains("#/paths/~1a/get/responses (line 8)"), "{e}");
}

#[test]
fn a_broken_path_item_is_reported_alone() {
    // Lowering types the path items (the typed document leaves them out); one that does not
    // type is reported as the loader reports any shape error, without lowering's problems.
    let e = error_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n  /b:\n    parameters: {{}}\n"
    ));
    assert!(
        e.contains("1 problem(s)")
            && e.contains("#/paths/~1b/parameters (line 12): not a valid OpenAPI 3.0 object"),
        "{e}"
    );
}

#[test]
fn cli_fails_without_writing() {
    let dir = std::env::temp_dir().join(format!("oasgen-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("bad.yaml");
    let out_dir = dir.join("out");
    std::fs::write(
        &spec,
        format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/x'\n"),
    )
    .unwrap();
    let out = oasgen_cli()
        .arg(&spec)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("#/components/schemas/A/$ref"), "{stderr}");
    assert!(!out_dir.exists(), "a failed run wrote output");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_mode_never_writes() {
    let dir = std::env::temp_dir().join(format!("oasgen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("ok.yaml");
    std::fs::write(&spec, format!("{HEAD}paths: {{}}\n")).unwrap();
    let out_dir = dir.join("out");
    let out = oasgen_cli()
        .args([
            spec.as_os_str(),
            "--out".as_ref(),
            out_dir.as_os_str(),
            "--check".as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stale"));
    assert!(!out_dir.exists());
    let out = oasgen_cli()
        .args([spec.as_os_str(), "--out".as_ref(), out_dir.as_os_str()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = oasgen_cli()
        .args([
            spec.as_os_str(),
            "--out".as_ref(),
            out_dir.as_os_str(),
            "--check".as_ref(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nesting_and_alias_expansion_are_bounded() {
    let deep = |open: &str, close: &str| {
        format!(
            "{HEAD}paths: {{}}\nx-deep: {}{}\n",
            open.repeat(10_000),
            close.repeat(10_000)
        )
    };
    let e = error_of(&deep("[", "]"));
    assert!(
        e.contains("not valid YAML") && e.contains("recursion limit"),
        "{e}"
    );
    let e = error_of(&deep("{a: ", "}"));
    assert!(e.contains("recursion limit"), "{e}");
    let json = format!("{{\"x\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let e = error_of(&json);
    assert!(
        e.contains("not valid JSON") && e.contains("recursion limit"),
        "{e}"
    );
    // Nine levels of nine aliases each would expand to 9^9 nodes.
    let mut laughs =
        format!("{HEAD}paths: {{}}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let items = vec![format!("*{prev}"); 9].join(", ");
        laughs.push_str(&format!("x-{name}: &{name} [{items}]\n"));
    }
    let e = error_of(&laughs);
    assert!(e.contains("repetition limit"), "{e}");
}

/// The CLI, told where the runtime is (these scratch directories are in no cargo workspace).
fn oasgen_cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oasgen"));
    command.args(["--runtime-path", "../runtime"]);
    command
}
