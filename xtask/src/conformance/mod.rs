//! `cargo xtask conformance`: the generated client against Stoplight Prism (`prism.rs`) and the
//! reference server against Schemathesis. Each side installs its tool locally under
//! `target/conformance/` on first use, prints one line per operation and returns its counts.

mod prism;
mod schemathesis;

use anyhow::{bail, Result};
use std::path::Path;

/// The counts of one side.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Which side (`prism`, `schemathesis`).
    pub name: &'static str,
    /// Operations that passed.
    pub passed: usize,
    /// Operations that failed.
    pub failed: usize,
}

/// Schemathesis against the generated mock of every spec in `dir`: a row per spec; fails if
/// any spec had a failure.
pub fn run_corpus(root: &Path, dir: &Path) -> Result<()> {
    // Schemathesis runs in `target/conformance`, so the specs are named absolutely.
    let specs = crate::corpus::specs_in(&std::path::absolute(dir)?)?;
    if specs.is_empty() {
        bail!("{} holds no specs", dir.display());
    }
    let results = schemathesis::run_corpus(root, &specs)?;
    println!("{:<32} {:>7} {:>7}", "spec", "cases", "failed");
    for r in &results {
        println!("{:<32} {:>7} {:>7}", r.name, r.cases, r.failed);
        if let Some(e) = &r.error {
            println!("    {e}");
        }
    }
    let failed = results.iter().filter(|r| r.failed > 0).count();
    println!("{} passed, {failed} failed", results.len() - failed);
    println!("(Schemathesis's output per spec: target/conformance/SPEC.log)");
    if failed > 0 {
        bail!("{failed} spec(s) had failures");
    }
    Ok(())
}

/// Runs both sides, or the one named by `only`; fails if any operation failed.
pub fn run(root: &Path, only: Option<&str>) -> Result<()> {
    if let Some(side) = only {
        if !matches!(side, "prism" | "schemathesis") {
            bail!("unknown side `{side}`: use `prism` or `schemathesis`");
        }
    }
    let mut summaries = Vec::new();
    if only != Some("schemathesis") {
        summaries.push(prism::run(root)?);
    }
    if only != Some("prism") {
        summaries.push(schemathesis::run(root)?);
    }
    if summaries.len() > 1 {
        for s in &summaries {
            println!("{}: {} passed, {} failed", s.name, s.passed, s.failed);
        }
    }
    let passed: usize = summaries.iter().map(|s| s.passed).sum();
    let failed: usize = summaries.iter().map(|s| s.failed).sum();
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} conformance check(s) failed");
    }
    Ok(())
}
