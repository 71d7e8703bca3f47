//! The `oasgen` command line: generate a crate from a spec, or check that one is up to date.

use anyhow::Context;
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The generator allocates many small token and syntax-tree nodes; mimalloc makes that a
// quarter faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate a typed Rust crate (models, async client, axum server) from an OpenAPI 3.0 spec.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// The spec to read: an OpenAPI 3.0.x document in YAML or JSON.
    spec: PathBuf,
    /// Directory of the crate to write (created if missing; replaced as a whole, so it must
    /// hold nothing but a previously generated crate).
    #[arg(long, short)]
    out: PathBuf,
    /// Write nothing; exit with status 1 and name the stale files if DIR differs from what would
    /// be generated.
    #[arg(long)]
    check: bool,
    /// Package name of the generated crate [default: the spec's file name].
    #[arg(long)]
    crate_name: Option<String>,
    /// Path to the `oasgen-runtime` crate the generated crate depends on, as written into its
    /// Cargo.toml (relative paths are taken relative to DIR) [default: the runtime crate of
    /// this generator's source tree].
    #[arg(long)]
    runtime_path: Option<String>,
    /// Command named in the generated files' header.
    #[arg(long, default_value = "oasgen")]
    command_label: String,
    /// Do not print warnings about quirks in the spec.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&cli.spec)
        .with_context(|| format!("cannot read the spec {}", cli.spec.display()))?;
    let label = cli.spec.display().to_string();
    let crate_name = match &cli.crate_name {
        Some(n) => n.clone(),
        None => default_crate_name(&cli.spec),
    };
    let runtime_path = match &cli.runtime_path {
        Some(p) => p.clone(),
        None => default_runtime_path(&cli.out),
    };
    let opts = oasgen::CrateOptions {
        crate_name,
        command: cli.command_label.clone(),
        spec_label: label.clone(),
        runtime_dependency: format!("path = {}", oasgen::emit::toml_string(&runtime_path)),
    };
    let generated = oasgen::generate(&label, &text, &opts)?;
    if !cli.quiet {
        for w in &generated.warnings {
            eprintln!("warning: {label}: {w}");
        }
    }
    if cli.check {
        let diff = oasgen::write::diff(&cli.out, &generated.files)?;
        if !diff.is_empty() {
            eprintln!(
                "{}",
                oasgen::Error::Stale {
                    stale: diff.paths()
                }
            );
            return Ok(ExitCode::from(1));
        }
        println!("{} is up to date", cli.out.display());
    } else {
        let diff = oasgen::write::write_crate(&cli.out, &generated.files)?;
        println!(
            "{}: {} types, {} operations; {} file(s) written, {} removed",
            cli.out.display(),
            generated.api.types.len(),
            generated.api.operations.len(),
            diff.changed.len(),
            diff.removed.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn default_crate_name(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = oasgen::naming::snake_name(&stem, "api").replace('_', "-");
    name.trim_end_matches('-').to_string()
}

/// The runtime crate next to this generator's sources, relative to `out` when possible.
fn default_runtime_path(out: &Path) -> String {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    let out_abs = std::env::current_dir()
        .map(|cwd| cwd.join(out))
        .unwrap_or_else(|_| out.to_path_buf());
    relative(&out_abs, &runtime).unwrap_or_else(|| runtime.display().to_string())
}

/// `to` relative to the directory `from`.
fn relative(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<_> = normalize(from)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let to: Vec<_> = normalize(to)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
