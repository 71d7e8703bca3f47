//! `cargo xtask codegen [--check]`: regenerates `generated/` from `specs/customer-managed.yaml`.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The spec, relative to the repository root.
pub const SPEC: &str = "specs/customer-managed.yaml";
/// The generated crate, relative to the repository root.
pub const OUT: &str = "generated";

/// The options every checked-in generation uses.
pub fn options() -> oasgen::CrateOptions {
    oasgen::CrateOptions {
        crate_name: "customer-managed".into(),
        command: "cargo xtask codegen".into(),
        spec_label: SPEC.into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// Files written (or, with `check`, found stale).
    pub changed: Vec<String>,
    /// Warnings about the spec.
    pub warnings: Vec<String>,
    /// Counts for the summary line.
    pub types: usize,
    /// Operations generated.
    pub operations: usize,
    /// What the change does to the generated crate's API, when `generated/` changed.
    pub api: Option<oasgen::apidiff::Report>,
}

/// Generates into memory, then writes (or, with `check`, compares) `root/generated`.
///
/// When `generated/` changes, the report says what that does to the crate's API (compared
/// before anything is written). With `check`, a stale tree is an error that names the files,
/// carries that API report and says what to run.
pub fn run(root: &Path, check: bool) -> Result<Report> {
    let spec_path = root.join(SPEC);
    let text = std::fs::read_to_string(&spec_path).with_context(|| {
        format!(
            "cannot read the spec {}; `cargo xtask codegen` generates {OUT}/ from it",
            spec_path.display()
        )
    })?;
    let generated = oasgen::generate(SPEC, &text, &options())?;
    let out = root.join(OUT);
    let diff = oasgen::write::diff(&out, &generated.files)?;
    let api = (!diff.is_empty()).then(|| oasgen::apidiff::report_for_dir(&out, &generated.files));
    let changed = if check {
        if let Some(api) = &api {
            bail!(
                "{OUT}/ is stale: {} differ from what {SPEC} generates.\n{api}\nrun `cargo xtask codegen` and commit the result",
                diff.paths().join(", ")
            );
        }
        Vec::new()
    } else if diff.is_empty() {
        Vec::new()
    } else {
        oasgen::write::write_crate(&out, &generated.files)?.paths()
    };
    Ok(Report {
        api,
        changed,
        warnings: generated.warnings,
        types: generated.api.types.len(),
        operations: generated.api.operations.len(),
    })
}
