//! `cargo xtask corpus DIR`: generates a crate (models, client and server) for every spec in
//! DIR into a scratch workspace, runs `cargo clippy` (every compiler warning and clippy's
//! default lints) over them all with all features and one shared target directory, and prints
//! one row per spec and a closing `N passed, M failed`: a spec passes when its crate generates
//! and compiles without a single warning.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One spec's result.
#[derive(Debug, Default)]
struct Row {
    name: String,
    crate_name: String,
    error: Option<String>,
    spec_warnings: usize,
    types: usize,
    operations: usize,
    millis: f64,
    compiled: bool,
    warnings: usize,
    errors: usize,
}

/// The specs in `dir` (YAML or JSON), sorted by name.
pub fn specs_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    specs.sort();
    Ok(specs)
}

/// Runs the corpus.
pub fn run(root: &Path, dir: &Path) -> Result<()> {
    let specs = specs_in(dir)?;
    if specs.is_empty() {
        bail!("no .yaml, .yml or .json specs in {}", dir.display());
    }
    let scratch = root.join("target/corpus/crates");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(&scratch)?;
    let runtime = root.join("runtime");
    let mut rows = Vec::new();
    for spec in &specs {
        rows.push(generate_one(spec, &scratch, &runtime));
    }
    let members: Vec<String> = rows
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| format!("{:?}", r.crate_name))
        .collect();
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    if !members.is_empty() {
        check_all(root, &scratch, &mut rows)?;
    }
    print_table(&rows);
    let failed = rows
        .iter()
        .filter(|r| r.error.is_some() || !r.compiled || r.warnings > 0)
        .count();
    println!("{} passed, {} failed", rows.len() - failed, failed);
    if failed > 0 {
        bail!("{failed} spec(s) failed; see the rows above");
    }
    Ok(())
}

fn generate_one(spec: &Path, scratch: &Path, runtime: &Path) -> Row {
    let name = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let crate_name = format!(
        "corpus-{}",
        oasgen::naming::snake_name(&name, "spec").replace('_', "-")
    );
    let mut row = Row {
        name: name.clone(),
        crate_name: crate_name.clone(),
        ..Row::default()
    };
    let text = match std::fs::read_to_string(spec) {
        Ok(t) => t,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    let opts = oasgen::CrateOptions {
        crate_name: crate_name.clone(),
        command: "cargo xtask corpus".into(),
        spec_label: spec
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        runtime_dependency: format!("path = {:?}", runtime.display().to_string()),
    };
    let start = Instant::now();
    let result = oasgen::generate(&opts.spec_label, &text, &opts);
    row.millis = start.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(g) => {
            row.types = g.api.types.len();
            row.operations = g.api.operations.len();
            row.spec_warnings = g.warnings.len();
            for w in &g.warnings {
                eprintln!("warning: {name}: {w}");
            }
            if let Err(e) = oasgen::write::write_crate(&scratch.join(&crate_name), &g.files) {
                row.error = Some(e.to_string());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            row.error = Some(e.to_string().lines().next().unwrap_or("").to_string());
        }
    }
    row
}

/// Runs `cargo clippy` on every generated crate, all features, and attributes diagnostics to
/// crates.
fn check_all(root: &Path, scratch: &Path, rows: &mut [Row]) -> Result<()> {
    println!(
        "cargo clippy --workspace --all-features in {} ...",
        scratch.display()
    );
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "clippy",
            "--workspace",
            "--all-features",
            "--keep-going",
            "--message-format=json",
        ])
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", root.join("target/corpus/target"))
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo clippy")?;
    let mut by_target: BTreeMap<String, (bool, usize, usize)> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let target = msg["target"]["name"].as_str().unwrap_or("").to_string();
        let entry = by_target.entry(target).or_default();
        match msg["reason"].as_str() {
            Some("compiler-artifact") => entry.0 = true,
            Some("compiler-message") => match msg["message"]["level"].as_str() {
                Some("warning") => {
                    entry.1 += 1;
                    if let Some(r) = msg["message"]["rendered"].as_str() {
                        eprint!("{r}");
                    }
                }
                Some("error") => {
                    entry.2 += 1;
                    if let Some(r) = msg["message"]["rendered"].as_str() {
                        eprint!("{r}");
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    for row in rows.iter_mut().filter(|r| r.error.is_none()) {
        let target = row.crate_name.replace('-', "_");
        if let Some(&(compiled, warnings, errors)) = by_target.get(&target) {
            row.compiled = compiled && errors == 0;
            row.warnings = warnings;
            row.errors = errors;
        }
    }
    Ok(())
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<28} {:>9} {:>8} {:>8} {:>6} {:>5} {:>9} {:>8}",
        "spec", "generated", "compiled", "warnings", "types", "ops", "gen ms", "quirks"
    );
    for r in rows {
        let generated = if r.error.is_none() { "yes" } else { "NO" };
        let compiled = if r.error.is_some() {
            "-"
        } else if r.compiled {
            "yes"
        } else {
            "NO"
        };
        println!(
            "{:<28} {:>9} {:>8} {:>8} {:>6} {:>5} {:>9.1} {:>8}",
            r.name,
            generated,
            compiled,
            r.warnings,
            r.types,
            r.operations,
            r.millis,
            r.spec_warnings
        );
        if let Some(e) = &r.error {
            println!("    {e}");
        }
    }
}
