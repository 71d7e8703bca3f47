//! `cargo xtask codegen [--check]`: regenerates every target of `codegen.toml` (each a spec and
//! the crate generated from it; `specs/customer-managed.yaml` -> `generated/` is the first).
//!
//! All targets are generated in memory before anything is written, so a bad spec in one target
//! leaves every crate as it was.

pub mod manifest;

use anyhow::{bail, Context, Result};
use manifest::{Manifest, Target};
use std::path::Path;

/// What a run did to one target.
#[derive(Debug)]
pub struct Report {
    /// The target, as the manifest gives it.
    pub target: Target,
    /// Files written (or, with `check`, found stale).
    pub changed: Vec<String>,
    /// Warnings about the spec.
    pub warnings: Vec<String>,
    /// Counts for the summary line.
    pub types: usize,
    /// Operations generated.
    pub operations: usize,
    /// What the change does to the generated crate's API, when the crate changed.
    pub api: Option<oasgen::apidiff::Report>,
}

/// One target generated in memory and compared with its directory.
struct Pending {
    target: Target,
    generated: oasgen::Generated,
    diff: oasgen::write::Diff,
    api: Option<oasgen::apidiff::Report>,
}

/// Runs the targets of `root/codegen.toml`.
pub fn run(root: &Path, check: bool) -> Result<Vec<Report>> {
    run_manifest(&root.join(manifest::FILE), check)
}

/// Generates every target of the manifest at `path` into memory, then writes (or, with `check`,
/// compares) each target's crate directory.
///
/// When a crate changes, its report says what that does to the crate's API (compared before
/// anything is written). With `check`, stale crates are an error that names their files,
/// carries those API reports and says what to run.
pub fn run_manifest(path: &Path, check: bool) -> Result<Vec<Report>> {
    let manifest = manifest::load(path)?;
    let pending = generate_all(&manifest)?;
    if check {
        fail_if_stale(&pending)?;
    }
    pending
        .into_iter()
        .map(|p| finish(&manifest, p, check))
        .collect()
}

/// Generates and compares every target; fails, naming each failed target, before any write.
fn generate_all(manifest: &Manifest) -> Result<Vec<Pending>> {
    let mut pending = Vec::new();
    let mut errors = Vec::new();
    for target in &manifest.targets {
        match generate(manifest, target) {
            Ok(p) => pending.push(p),
            Err(e) => errors.push(format!(
                "{}:{}: target {} -> {}/: {e:#}",
                manifest.path.display(),
                target.line,
                target.spec,
                target.out
            )),
        }
    }
    if !errors.is_empty() {
        bail!("{}\nnothing was written", errors.join("\n"));
    }
    Ok(pending)
}

fn generate(manifest: &Manifest, target: &Target) -> Result<Pending> {
    let spec_path = manifest.base.join(&target.spec);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read the spec {}", spec_path.display()))?;
    let generated = oasgen::generate(&target.spec, &text, &target.options())?;
    let out = manifest.base.join(&target.out);
    let diff = oasgen::write::diff(&out, &generated.files)?;
    let api = (!diff.is_empty()).then(|| oasgen::apidiff::report_for_dir(&out, &generated.files));
    Ok(Pending {
        target: target.clone(),
        generated,
        diff,
        api,
    })
}

/// With `--check`: one error naming every stale crate.
fn fail_if_stale(pending: &[Pending]) -> Result<()> {
    let stale: Vec<String> = pending
        .iter()
        .filter_map(|p| {
            let api = p.api.as_ref()?;
            Some(format!(
                "{}/ is stale: {} differ from what {} generates.\n{api}",
                p.target.out,
                p.diff.paths().join(", "),
                p.target.spec
            ))
        })
        .collect();
    if !stale.is_empty() {
        bail!(
            "{}\nrun `cargo xtask codegen` and commit the result",
            stale.join("\n")
        );
    }
    Ok(())
}

/// Writes one target's crate when it changed (never with `check`) and reports.
fn finish(manifest: &Manifest, p: Pending, check: bool) -> Result<Report> {
    let changed = if check || p.diff.is_empty() {
        Vec::new()
    } else {
        oasgen::write::write_crate(&manifest.base.join(&p.target.out), &p.generated.files)?.paths()
    };
    Ok(Report {
        changed,
        api: p.api,
        warnings: p.generated.warnings,
        types: p.generated.api.types.len(),
        operations: p.generated.api.operations.len(),
        target: p.target,
    })
}
