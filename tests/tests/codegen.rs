//! `cargo xtask codegen`: every target of `codegen.toml` is fresh, output is deterministic,
//! `--check` catches a stale tree, a failed run writes nothing, and a second target needs only
//! a manifest entry.

use xtask::codegen::manifest::{self, Target};

/// The checked-in spec's target.
fn target() -> Target {
    let manifest = manifest::load(&oasgen_tests::repo().join(manifest::FILE)).unwrap();
    manifest.target("customer-managed").unwrap().clone()
}

fn options() -> oasgen::CrateOptions {
    target().options()
}

fn spec_text() -> String {
    std::fs::read_to_string(oasgen_tests::repo().join(target().spec)).unwrap()
}

#[test]
fn codegen_is_fresh() {
    let reports = xtask::codegen::run(&oasgen_tests::repo(), true);
    let reports = reports.unwrap_or_else(|e| panic!("{e:#}"));
    let manifest = manifest::load(&oasgen_tests::repo().join(manifest::FILE)).unwrap();
    assert_eq!(
        reports.len(),
        manifest.targets.len(),
        "every target is checked"
    );
}

#[test]
fn generation_is_deterministic() {
    let text = spec_text();
    let a = oasgen::generate("s", &text, &options()).unwrap();
    let b = oasgen::generate("s", &text, &options()).unwrap();
    assert_eq!(a.files, b.files);
    // The same document as JSON (keys in the same order) generates the same crate.
    let value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let c = oasgen::generate("s", &json, &options()).unwrap();
    assert_eq!(a.files, c.files);
    // Another thread (another hash seed for any stray HashMap) generates the same bytes.
    let d = std::thread::spawn(move || oasgen::generate("s", &text, &options()).unwrap().files)
        .join()
        .unwrap();
    assert_eq!(a.files, d);
}

#[test]
fn check_fails_after_spec_change_and_passes_after_codegen() {
    let tmp = oasgen_tests::repo_copy("codegen-check");
    assert!(xtask::codegen::run(&tmp, true).is_ok());

    oasgen_tests::edit_spec(
        &tmp,
        "specs/customer-managed.yaml",
        "description: Identifier of a created resource.",
        "description: Changed by the test.",
    );

    let err = xtask::codegen::run(&tmp, true).unwrap_err().to_string();
    assert!(err.contains("src/models.rs"), "{err}");
    assert!(err.contains("run `cargo xtask codegen`"), "{err}");
    let before = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
    xtask::codegen::run(&tmp, false).unwrap();
    let after = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
    assert_ne!(before, after);
    assert!(after.contains("Changed by the test."));
    assert!(xtask::codegen::run(&tmp, true).is_ok());
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn failed_generation_leaves_output_untouched() {
    let tmp = oasgen_tests::repo_copy("codegen-fail");
    oasgen_tests::edit_spec(
        &tmp,
        "specs/customer-managed.yaml",
        "$ref: '#/components/schemas/Address'",
        "$ref: '#/components/schemas/Nope'",
    );
    let before = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
    let err = xtask::codegen::run(&tmp, false).unwrap_err().to_string();
    assert!(err.contains("points to nothing"), "{err}");
    let after = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
    assert_eq!(before, after);
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// A second target, added only to the manifest: a fixture spec with its golden crate's options.
const SECOND_TARGET: &str = r#"
[[target]]
spec = "tests/fixtures/objects.yaml"
out = "tests/output/objects"
crate-name = "fixture-objects"
runtime-path = "../../../runtime"
command = "EXPECTORATE=overwrite cargo test -p oasgen-tests --test golden"
"#;

/// [`oasgen_tests::repo_copy`] plus the fixture `objects` and its golden crate, with the
/// manifest's extra `targets` appended.
fn copy_with_targets(name: &str, targets: &str) -> std::path::PathBuf {
    let tmp = oasgen_tests::repo_copy(name);
    let repo = oasgen_tests::repo();
    std::fs::create_dir_all(tmp.join("tests/fixtures")).unwrap();
    let spec = "tests/fixtures/objects.yaml";
    std::fs::copy(repo.join(spec), tmp.join(spec)).unwrap();
    let manifest = tmp.join(manifest::FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text + targets).unwrap();
    tmp
}

/// The line of `spec` in a target appended to the manifest as `\n[[target]]\nspec = ...`.
fn appended_spec_line() -> usize {
    let text = std::fs::read_to_string(oasgen_tests::repo().join(manifest::FILE)).unwrap();
    text.lines().count() + 3
}

#[test]
fn a_second_target_is_generated_and_checked_from_the_manifest_alone() {
    let tmp = copy_with_targets("codegen-second", SECOND_TARGET);
    let golden = oasgen_tests::repo().join("tests/output/objects/src/models.rs");

    let reports = xtask::codegen::run(&tmp, false).unwrap();
    let summary: Vec<_> = reports
        .iter()
        .map(|r| (r.target.out.as_str(), r.changed.is_empty()))
        .collect();
    assert_eq!(
        summary,
        [("generated", true), ("tests/output/objects", false)]
    );
    // The same options as the golden test: the same bytes.
    let written = tmp.join("tests/output/objects/src/models.rs");
    assert_eq!(
        std::fs::read_to_string(written).unwrap(),
        std::fs::read_to_string(golden).unwrap()
    );

    assert_eq!(xtask::codegen::run(&tmp, true).unwrap().len(), 2);

    // `--check` checks the second target too.
    let spec = "tests/fixtures/objects.yaml";
    oasgen_tests::edit_spec(&tmp, spec, "title: Objects fixture", "title: Edited");
    let err = format!("{:#}", xtask::codegen::run(&tmp, true).unwrap_err());
    assert!(err.starts_with("tests/output/objects/ is stale"), "{err}");
    assert!(!err.contains("generated/ is stale"), "{err}");
    xtask::codegen::run(&tmp, false).unwrap();
    assert!(xtask::codegen::run(&tmp, true).is_ok());
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_failing_target_leaves_every_crate_untouched() {
    // The first target would change; the second's spec does not generate.
    let tmp = copy_with_targets("codegen-second-fails", SECOND_TARGET);
    oasgen_tests::edit_spec(
        &tmp,
        "specs/customer-managed.yaml",
        "description: Identifier of a created resource.",
        "description: Changed by the test.",
    );
    oasgen_tests::edit_spec(
        &tmp,
        "tests/fixtures/objects.yaml",
        "openapi: 3.0.3",
        "openapi: 3.1.0",
    );
    let before = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();

    let err = format!("{:#}", xtask::codegen::run(&tmp, false).unwrap_err());
    let line = format!(
        "codegen.toml:{}: target tests/fixtures/objects.yaml -> tests/output/objects/",
        appended_spec_line()
    );
    assert!(err.contains(&line), "{err}");
    assert!(err.ends_with("nothing was written"), "{err}");
    let after = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
    assert_eq!(before, after);
    assert!(!tmp.join("tests/output").exists());
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn bad_manifest_input_names_the_file_and_line_and_writes_nothing() {
    let (spec, first) = (appended_spec_line(), target().line);
    let cases = [
        (
            "spec = \"specs/nope.yaml\"\nout = \"other\"\ncrate-name = \"other\"\n",
            format!("codegen.toml:{spec}: spec `specs/nope.yaml` not found"),
        ),
        (
            "spec = \"tests/fixtures/objects.yaml\"\nout = \"generated\"\ncrate-name = \"other\"\n",
            format!("codegen.toml:{}: out `generated` is also the out of the target at line {first}", spec + 1),
        ),
        (
            "spec = \"tests/fixtures/objects.yaml\"\nout = \"other\"\ncrate-name = \"other\"\nfeatures = []\n",
            "unknown field `features`".to_string(),
        ),
        (
            "spec = \"tests/fixtures/objects.yaml\"\nout = other\n",
            format!("codegen.toml:{}: ", spec + 1),
        ),
    ];
    for (i, (target, expected)) in cases.into_iter().enumerate() {
        let tmp = copy_with_targets(
            &format!("codegen-bad-{i}"),
            &format!("\n[[target]]\n{target}"),
        );
        oasgen_tests::edit_spec(
            &tmp,
            "specs/customer-managed.yaml",
            "description: Identifier of a created resource.",
            "description: Changed by the test.",
        );
        let before = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
        let err = format!("{:#}", xtask::codegen::run(&tmp, false).unwrap_err());
        assert!(err.contains(&expected), "case {i}: {err}");
        assert!(
            err.contains(&tmp.join("codegen.toml").display().to_string()),
            "{err}"
        );
        let after = std::fs::read_to_string(tmp.join("generated/src/models.rs")).unwrap();
        assert_eq!(before, after, "case {i} wrote");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
