//! `cargo xtask <command>`: the one place for project automation.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// `cargo xtask codegen` runs the generator in this process; like the `oasgen` CLI, it allocates
// many small token and syntax-tree nodes, which mimalloc serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    bin_name = "cargo xtask",
    about = "Project automation for the oasgen workspace",
    long_about = "Project automation for the oasgen workspace. Run it from anywhere in the \
                  repository as `cargo xtask <command>`; `cargo xtask <command> --help` explains \
                  each command's options.",
    after_help = "Examples:
  cargo xtask codegen                      regenerate generated/ after editing the spec
  cargo xtask codegen --check              fail (as CI does) if generated/ is stale
  cargo xtask conformance --only prism     check the generated client against Prism
  cargo xtask serve --addr 127.0.0.1:9000  run the reference service on another port
  cargo xtask corpus ~/specs               generate and clippy every spec in ~/specs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every crate listed in `codegen.toml` (`generated/` from
    /// `specs/customer-managed.yaml`, and any other target added there).
    ///
    /// All targets are generated in memory first; a failure in any writes nothing. When a
    /// crate's output changes, prints what that does to its API (operations, types and fields
    /// added or removed, each classified as breaking or additive) before the list of written
    /// files, one line per target. Review that summary, then the diff, and commit both the spec
    /// and the generated crate.
    #[command(after_help = "Examples:
  cargo xtask codegen           regenerate, print the API change summary and the files written
  cargo xtask codegen --check   what CI runs: exit 1 with the summary if a crate is stale")]
    Codegen {
        /// Write nothing; if a generated crate differs from what its spec generates, print the
        /// API change summary, name the stale files and fail (CI runs this).
        #[arg(long)]
        check: bool,
        /// The manifest listing the targets; paths in it are relative to its directory
        /// [default: codegen.toml at the repository root].
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
    },
    /// Run the generated client against Stoplight Prism and the reference server against
    /// Schemathesis (both installed under `target/conformance/` on first use; needs `npm` and
    /// Python 3 with `venv`).
    #[command(after_help = "Examples:
  cargo xtask conformance                      both sides
  cargo xtask conformance --only schemathesis  only the reference server")]
    Conformance {
        /// Run only one side: `prism` (the client against a Prism mock of the spec) or
        /// `schemathesis` (the reference server against generated requests).
        #[arg(long, value_name = "SIDE", value_parser = ["prism", "schemathesis"])]
        only: Option<String>,
        /// Instead: Schemathesis against the generated mock of every spec in DIR, one row per
        /// spec.
        #[arg(long, value_name = "DIR", conflicts_with = "only")]
        corpus: Option<PathBuf>,
    },
    /// Serve the generated mock of any spec: its router over answers from the spec's
    /// examples. Stop it with Ctrl-C or SIGTERM.
    #[command(after_help = "Example:
  cargo xtask mock ../shared/corpus/emporix/order.yml --addr 127.0.0.1:4010")]
    Mock {
        /// The spec (OpenAPI 3.0, YAML or JSON).
        spec: PathBuf,
        /// Address (IP:PORT) to listen on.
        #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:4010")]
        addr: String,
    },
    /// Start the reference in-memory Customer Service (for offline storefront work); stop it
    /// with Ctrl-C.
    #[command(after_help = "Example:
  cargo xtask serve --addr 0.0.0.0:8080   listen on every interface")]
    Serve {
        /// Address (IP:PORT) to listen on.
        #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Generate a crate (client, server and mock) for every spec in DIR and run `cargo clippy`
    /// on them, all features; prints one row per spec (a warning fails its spec).
    #[command(after_help = "Example:
  cargo xtask corpus ../openapi-directory/specs")]
    Corpus {
        /// Folder of OpenAPI 3.0 specs (`.yaml`, `.yml` or `.json`).
        dir: PathBuf,
    },
    /// Prove that spec mutants the generator accepts also compile (a sample of the property
    /// test's mutations, checked with cargo).
    FuzzSample {
        /// How many accepted mutants to compile (each costs a `cargo check`).
        #[arg(long, value_name = "N", default_value_t = 12)]
        count: usize,
    },
    /// Measure generation time, build cost and runtime overhead; writes BENCHMARKS.md.
    Bench {
        /// Folder of real-world specs to time too [default: ../shared/corpus/emporix beside the
        /// repository, skipped when absent].
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// A smoke run: few iterations, numbers not worth publishing.
        #[arg(long)]
        quick: bool,
        /// An `oasgen` binary of the code before: its runs are interleaved with the current
        /// binary's, and their medians become the baseline (xtask/src/bench/baseline.tsv).
        #[arg(long, value_name = "BIN")]
        before: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    let root = xtask::root::find()?;
    match command {
        Command::Codegen { check, manifest } => codegen(&root, check, manifest),
        Command::Conformance { only, corpus } => match corpus {
            Some(dir) => xtask::conformance::run_corpus(&root, &dir),
            None => xtask::conformance::run(&root, only.as_deref()),
        },
        Command::Mock { spec, addr } => xtask::mock::run(&root, &absolute(&spec)?, &addr),
        Command::Serve { addr } => xtask::serve::run(&root, &addr),
        Command::Corpus { dir } => xtask::corpus::run(&root, &dir),
        Command::FuzzSample { count } => xtask::fuzz_sample::run(&root, count),
        Command::Bench {
            corpus,
            quick,
            before,
        } => xtask::bench::run(
            &root,
            &xtask::bench::Options {
                corpus,
                quick,
                before,
            },
        ),
    }
}

/// `path` made absolute against the current directory (xtask runs from the checkout's root).
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(Into::into)
}

fn codegen(root: &Path, check: bool, manifest: Option<PathBuf>) -> Result<()> {
    let manifest = manifest.unwrap_or_else(|| root.join(xtask::codegen::manifest::FILE));
    let reports = xtask::codegen::run_manifest(&manifest, check)?;
    for report in &reports {
        print_report(report, check);
    }
    Ok(())
}

/// The spec's warnings, the API change and one summary line for a target.
fn print_report(report: &xtask::codegen::Report, check: bool) {
    let target = &report.target;
    for w in &report.warnings {
        eprintln!("warning: {}: {w}", target.spec);
    }
    if let Some(api) = &report.api {
        println!("{api}");
    }
    let what = if check {
        "is up to date".to_string()
    } else if report.changed.is_empty() {
        "unchanged".to_string()
    } else {
        format!("updated ({})", report.changed.join(", "))
    };
    println!(
        "{} -> {}/: {} types, {} operations; {what}",
        target.spec, target.out, report.types, report.operations
    );
}
