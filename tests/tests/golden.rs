//! Golden tests: each `tests/fixtures/*.yaml` generates one crate, checked in under
//! `tests/output/<fixture>/`. Those crates are workspace members, so `cargo build`/`clippy`
//! prove the goldens compile without warnings.
//!
//! Re-bless after an intended change with `EXPECTORATE=overwrite cargo test -p oasgen-tests
//! --test golden`, then read the diff of `tests/output/` before committing.

mod diff_support;

use std::path::PathBuf;

fn root() -> PathBuf {
    oasgen_tests::package_dir()
}

fn options(stem: &str) -> oasgen::CrateOptions {
    oasgen::CrateOptions {
        crate_name: format!("fixture-{stem}"),
        command: "EXPECTORATE=overwrite cargo test -p oasgen-tests --test golden".into(),
        spec_label: format!("tests/fixtures/{stem}.yaml"),
        runtime_dependency: "path = \"../../../runtime\"".into(),
    }
}

fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .expect("tests/fixtures exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    out.sort();
    out
}

#[test]
fn fixtures_match_goldens() {
    let bless = std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 3, "fixtures went missing: {fixtures:?}");
    for spec in &fixtures {
        let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(spec).unwrap();
        let generated = oasgen::generate(
            &format!("tests/fixtures/{stem}.yaml"),
            &text,
            &options(&stem),
        )
        .unwrap_or_else(|e| panic!("{stem}: {e}"));
        let out = root().join("output").join(&stem);
        // The warnings are part of the golden: each quirk must be reported, at its place.
        let warnings_path = root().join("fixtures").join(format!("{stem}.warnings"));
        let warnings: String = generated
            .warnings
            .iter()
            .map(|w| format!("{w}\n"))
            .collect();
        if bless {
            oasgen::write::write_crate(&out, &generated.files).unwrap();
            std::fs::write(&warnings_path, &warnings).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&warnings_path).unwrap_or_default();
        if expected != warnings {
            let label = format!("tests/fixtures/{stem}.warnings");
            let shown = diff_support::excerpt(&label, &expected, &warnings);
            failures.push(format!("{stem}: warnings differ\n{shown}"));
        }
        let diff = oasgen::write::diff(&out, &generated.files).unwrap();
        for rel in &diff.changed {
            let label = format!("tests/output/{stem}/{rel}");
            let expected = std::fs::read_to_string(out.join(rel)).unwrap_or_default();
            let shown = diff_support::excerpt(&label, &expected, &generated.files[rel]);
            failures.push(format!("{stem}: {rel} differs\n{shown}"));
        }
        for rel in &diff.removed {
            failures.push(format!("{stem}: {rel} is no longer generated"));
        }
    }
    // An output crate whose fixture was deleted is stale too.
    for entry in std::fs::read_dir(root().join("output")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !fixtures
            .iter()
            .any(|f| f.file_stem().unwrap().to_string_lossy() == name)
        {
            failures.push(format!("tests/output/{name} has no fixture"));
        }
    }
    assert!(
        failures.is_empty(),
        "goldens differ:\n  {}\nre-bless with EXPECTORATE=overwrite cargo test -p oasgen-tests --test golden, and read the diff",
        failures.join("\n  ")
    );
}
