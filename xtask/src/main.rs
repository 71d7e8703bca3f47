//! `cargo xtask <command>`: the one place for project automation.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Project automation for the oasgen workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `generated/` from `specs/customer-managed.yaml`.
    Codegen {
        /// Write nothing; fail and name the stale files if `generated/` is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Run the generated client against Stoplight Prism and the reference server against
    /// Schemathesis (both installed locally on first use).
    Conformance {
        /// Run only one side: `prism` or `schemathesis`.
        #[arg(long)]
        only: Option<String>,
    },
    /// Start the reference in-memory Customer Service.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Generate and `cargo check` a crate for every spec in DIR.
    Corpus {
        /// Folder of OpenAPI specs (YAML or JSON).
        dir: PathBuf,
    },
    /// Prove that spec mutants the generator accepts also compile (a sample of the property
    /// test's mutations, checked with cargo).
    FuzzSample {
        /// How many accepted mutants to compile.
        #[arg(long, default_value_t = 12)]
        count: usize,
    },
    /// Measure generation time, build cost and runtime overhead; writes BENCHMARKS.md.
    Bench,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<()> = match cli.command {
        Command::Codegen { check } => codegen(check),
        Command::Conformance { only } => xtask::conformance::run(&root(), only.as_deref()),
        Command::Serve { addr } => xtask::serve::run(&root(), &addr),
        Command::Corpus { dir } => xtask::corpus::run(&root(), &dir),
        Command::FuzzSample { count } => xtask::fuzz_sample::run(&root(), count),
        Command::Bench => xtask::bench::run(&root()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(check: bool) -> Result<()> {
    let report = xtask::codegen::run(&root(), check)?;
    for w in &report.warnings {
        eprintln!("warning: {}: {w}", xtask::codegen::SPEC);
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
        xtask::codegen::SPEC,
        xtask::codegen::OUT,
        report.types,
        report.operations
    );
    Ok(())
}
