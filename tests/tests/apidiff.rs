//! Golden tests of the API change report: each `tests/fixtures/apidiff/<case>/` holds an
//! `old.yaml` and a `new.yaml` (each with a header saying what the case covers); both are
//! generated, and the report of the change must equal `report.txt`. A glob discovers the
//! cases, so a new directory is a new test.
//!
//! Re-bless after an intended change with `EXPECTORATE=overwrite cargo test -p oasgen-tests
//! --test apidiff`, then read the diff of the `report.txt` files before committing.

mod diff_support;

use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let dir = oasgen_tests::package_dir().join("fixtures/apidiff");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/fixtures/apidiff exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.join("old.yaml").exists())
        .collect();
    out.sort();
    out
}

fn generate(case: &Path, side: &str) -> oasgen::write::Files {
    let text = std::fs::read_to_string(case.join(side)).unwrap();
    // The same label and options on both sides, so only the spec differs.
    let opts = oasgen::CrateOptions {
        crate_name: "apidiff-case".into(),
        command: "oasgen".into(),
        spec_label: "spec.yaml".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    };
    oasgen::generate("spec.yaml", &text, &opts)
        .unwrap_or_else(|e| panic!("{}/{side}: {e}", case.display()))
        .files
}

#[test]
fn reports_match_goldens() {
    let bless = std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite");
    let cases = cases();
    assert!(cases.len() >= 14, "apidiff cases went missing: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let report =
            oasgen::apidiff::report(&generate(case, "old.yaml"), &generate(case, "new.yaml"));
        let actual = format!("{report}\n");
        let path = case.join("report.txt");
        if bless {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            let label = format!("tests/fixtures/apidiff/{name}/report.txt");
            let shown = diff_support::excerpt(&label, &expected, &actual);
            failures.push(format!("{name}: the report differs\n{shown}"));
        }
    }
    assert!(
        failures.is_empty(),
        "API change reports differ:\n{}\nre-bless with EXPECTORATE=overwrite cargo test -p oasgen-tests --test apidiff, and read the diff",
        failures.join("\n")
    );
}

/// Optional parameters are setters of the client's request builder, never positional: adding
/// them (and an optional body) to an operation is additive for client users and implementors.
#[test]
fn an_optional_parameter_is_additive() {
    let case = oasgen_tests::package_dir().join("fixtures/apidiff/optional-param-added");
    let report =
        oasgen::apidiff::report(&generate(&case, "old.yaml"), &generate(&case, "new.yaml"));
    assert!(!report.is_breaking(), "{report}");
    let what: Vec<&str> = report.changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "optional parameter `accept_language` added (`Option<&str>`)",
            "optional parameter `expand` added (`Option<bool>`)",
            "optional request body added (`Option<&Tag>`)",
        ],
        "{report}"
    );
}

#[test]
fn the_same_crate_has_no_api_change() {
    let case = &cases()[0];
    let files = generate(case, "new.yaml");
    let report = oasgen::apidiff::report(&files, &files);
    assert!(report.changes.is_empty(), "{report}");
    assert!(report.to_string().contains("no API change"), "{report}");
}

#[test]
fn a_missing_or_broken_old_crate_is_no_previous_api() {
    let case = &cases()[0];
    let new = generate(case, "new.yaml");
    let report = oasgen::apidiff::report(&oasgen::write::Files::new(), &new);
    assert!(report.to_string().contains("no previous API"), "{report}");
    let mut broken = new.clone();
    for text in broken.values_mut() {
        text.truncate(char_boundary(text, text.len() / 2));
    }
    let report = oasgen::apidiff::report(&broken, &new);
    assert!(report.to_string().contains("does not parse"), "{report}");
}

#[test]
fn xtask_codegen_reports_the_api_change() {
    let tmp = oasgen_tests::repo_copy("apidiff-codegen");
    oasgen_tests::edit_spec(
        &tmp,
        "specs/customer-managed.yaml",
        "        zipCode:\n          type: string\n",
        "        zipCode:\n          type: integer\n",
    );

    let err = format!("{:#}", xtask::codegen::run(&tmp, true).unwrap_err());
    let expected = "breaking  type `Address`: field `zip_code` type changed from `Option<String>` to `Option<i64>`";
    assert!(
        err.contains("API change: breaking (1 breaking, 0 additive):"),
        "{err}"
    );
    assert!(err.contains(expected), "{err}");
    assert!(
        err.ends_with("run `cargo xtask codegen` and commit the result"),
        "{err}"
    );

    let reports = xtask::codegen::run(&tmp, false).unwrap();
    let api = reports[0]
        .api
        .as_ref()
        .expect("generated/ changed")
        .to_string();
    assert!(api.contains(expected), "{api}");
    let again = xtask::codegen::run(&tmp, false).unwrap();
    assert!(again[0].api.is_none(), "nothing changed the second time");
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// The old tree on disk can hold anything: no cut of the real generated files panics. (A cut
/// between items is a valid, smaller file; most cuts do not parse and give "unknown".)
#[test]
fn truncated_old_files_never_panic() {
    let repo = oasgen_tests::repo();
    let mut new = oasgen::write::Files::new();
    for name in ["models", "client", "server"] {
        let path = format!("src/{name}.rs");
        let text = std::fs::read_to_string(repo.join("generated").join(&path)).unwrap();
        new.insert(path, text);
    }
    let mut unknown = 0;
    for (path, text) in &new {
        for k in 1..20 {
            let cut = char_boundary(text, text.len() * k / 20);
            let mut old = new.clone();
            old.insert(path.clone(), text[..cut].to_string());
            let report = oasgen::apidiff::report(&old, &new);
            unknown += usize::from(report.unknown.is_some());
            assert!(report.to_string().starts_with("API change: "));
        }
    }
    assert!(unknown > 30, "only {unknown} of 57 cuts were unreadable");
}

/// The largest index at most `n` that is a char boundary of `text`.
fn char_boundary(text: &str, mut n: usize) -> usize {
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    n
}
