//! `cargo xtask codegen`: deterministic output, `--check` catches a stale tree.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn spec_text() -> String {
    std::fs::read_to_string(repo().join(xtask::codegen::SPEC)).unwrap()
}

#[test]
fn codegen_is_fresh() {
    let report = xtask::codegen::run(&repo(), true);
    assert!(report.is_ok(), "{:#}", report.unwrap_err());
}

#[test]
fn generation_is_deterministic() {
    let text = spec_text();
    let a = oasgen::generate("s", &text, &xtask::codegen::options()).unwrap();
    let b = oasgen::generate("s", &text, &xtask::codegen::options()).unwrap();
    assert_eq!(a.files, b.files);
    // The same document as JSON (keys in the same order) generates the same crate.
    let value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let c = oasgen::generate("s", &json, &xtask::codegen::options()).unwrap();
    assert_eq!(a.files, c.files);
    // Another thread (another hash seed for any stray HashMap) generates the same bytes.
    let d = std::thread::spawn(move || {
        oasgen::generate("s", &text, &xtask::codegen::options())
            .unwrap()
            .files
    })
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
        xtask::codegen::SPEC,
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
        xtask::codegen::SPEC,
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
