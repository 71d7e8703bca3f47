//! `cargo xtask bench [--corpus DIR] [--quick]`: measures what users of the generator pay and
//! writes `BENCHMARKS.md`.
//!
//! - **Generation**: wall time of the release `oasgen` binary (whole process, writing the
//!   crate), and in process the stages (parse, lower, emit, format) against the parse floor
//!   (serde into `openapiv3` alone), on `specs/customer-managed.yaml`, every spec of the corpus
//!   and a large spec built from them ([`bigspec`]), with the peak memory of the large one.
//! - **Build cost**: clean and incremental debug builds of the generated crate with `client`,
//!   `server` and both, in a target directory of its own; which features pull in axum and
//!   reqwest; generated lines per operation.
//! - **Runtime**: the generated server against a hand-written axum app, and the generated
//!   client against raw reqwest, in one run (`tests/benches/runtime.rs`).
//!
//! xtask stays cheap to compile: everything that needs serde-heavy parsing in release, tokio
//! or axum is a release example or bench target that this module builds and spawns.

pub mod bigspec;
mod report;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

/// What `cargo xtask bench` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The corpus folder; `None`: `../shared/corpus/emporix` beside the repository, if present.
    pub corpus: Option<PathBuf>,
    /// Fewer iterations: a smoke run, not numbers to publish.
    pub quick: bool,
}

/// Iteration counts.
#[derive(Debug, Clone, Copy)]
struct Plan {
    process_runs: usize,
    corpus_loops: usize,
    in_process_iters: usize,
    large_iters: usize,
    large_process_runs: usize,
    builds: usize,
    runtime_rounds: usize,
    runtime_secs: f64,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                process_runs: 5,
                corpus_loops: 1,
                in_process_iters: 2,
                large_iters: 1,
                large_process_runs: 1,
                builds: 1,
                runtime_rounds: 1,
                runtime_secs: 0.5,
            }
        } else {
            Plan {
                process_runs: 21,
                corpus_loops: 5,
                in_process_iters: 10,
                large_iters: 3,
                large_process_runs: 3,
                builds: 3,
                runtime_rounds: 8,
                runtime_secs: 1.0,
            }
        }
    }
}

/// The spec the benchmarks time and whose crate's build cost they measure: the repository's own
/// (the first target of `codegen.toml`), fixed so that runs stay comparable.
const SPEC: &str = "specs/customer-managed.yaml";
/// The crate generated from [`SPEC`].
const OUT: &str = "generated";

/// The corpus used when `--corpus` is not given, relative to the repository root.
pub const DEFAULT_CORPUS: &str = "../shared/corpus/emporix";

/// The size the large spec must reach.
pub const LARGE_SPEC_BYTES: usize = 5 * 1024 * 1024;

/// One spec measured in process by `bench_generate`.
#[derive(Debug, Clone, Default)]
struct GenRow {
    name: String,
    bytes: u64,
    types: u64,
    operations: u64,
    lines: u64,
    floor_ms: f64,
    floor_kind: String,
    total_ms: f64,
    /// Parse, lower (wall), emit, format (CPU time summed over the workers), and the wall time
    /// of emit and format together.
    stages_ms: [f64; 5],
    /// Threads that emitted and formatted.
    workers: u64,
    /// CPU time `syn` and `prettyplease` alone take to parse and print the generated code
    /// (doc comments aside), on one thread: the formatter's floor.
    format_floor_cpu_ms: f64,
    /// Median wall time of the whole `oasgen` process, where measured.
    process_ms: Option<f64>,
    error: Option<String>,
}

impl GenRow {
    fn ratio(&self) -> f64 {
        self.total_ms / self.floor_ms
    }
}

/// The large spec's numbers.
#[derive(Debug, Clone, Default)]
struct Large {
    built_from: String,
    rows: Vec<GenRow>,
    /// `(peak KiB, file bytes)` per row, from a fresh process each.
    memory: Vec<Option<(u64, u64)>>,
    /// Peak KiB of the parse floor alone per row, from a fresh process each.
    floor_memory: Vec<Option<u64>>,
}

/// One feature set's build times.
#[derive(Debug, Clone)]
struct BuildRow {
    features: &'static str,
    args: &'static [&'static str],
    clean_s: Vec<f64>,
    incremental_s: Vec<f64>,
}

/// Whether a feature set keeps a heavy dependency out.
#[derive(Debug, Clone)]
struct DepCheck {
    features: &'static str,
    excluded: &'static str,
    present: bool,
}

/// Everything a run measured, for the report.
#[derive(Debug, Default)]
struct Results {
    machine: Vec<(String, String)>,
    commands: Vec<String>,
    quick: bool,
    main: Option<GenRow>,
    main_process: Vec<f64>,
    corpus_dir: Option<String>,
    corpus_note: Option<String>,
    corpus: Vec<GenRow>,
    corpus_loops: Vec<f64>,
    large: Option<Large>,
    builds: Vec<BuildRow>,
    deps: Vec<DepCheck>,
    loc: Vec<(String, u64)>,
    operations: u64,
    runtime: Option<Value>,
    runtime_error: Option<String>,
}

/// Runs the benchmarks and writes `BENCHMARKS.md` at `root`.
pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let plan = Plan::new(opts.quick);
    let scratch = root.join("target/bench");
    std::fs::create_dir_all(&scratch)?;
    let mut r = Results {
        quick: opts.quick,
        machine: machine(root),
        ..Results::default()
    };
    let started = Instant::now();

    step("building the release generator and its in-process harness");
    let bins = cargo_build(
        root,
        &[
            "--release",
            "-p",
            "oasgen",
            "--bin",
            "oasgen",
            "--example",
            "bench_generate",
        ],
        &mut r.commands,
    )?;
    let oasgen = executable(&bins, "oasgen")?;
    let harness = executable(&bins, "bench_generate")?;

    generation(root, &scratch, &oasgen, &harness, opts, plan, &mut r)?;
    build_cost(root, &scratch, plan, &mut r)?;
    if let Err(e) = runtime(root, &scratch, plan, &mut r) {
        // The report still gets written, with the failure in it; the command fails after.
        eprintln!("bench: runtime benchmark failed: {e:#}");
        r.runtime_error = Some(format!("{e:#}"));
    }

    let path = root.join("BENCHMARKS.md");
    let history = std::fs::read_to_string(&path)
        .ok()
        .and_then(|old| report::history(&old));
    let text = report::render(&r, history.as_deref());
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    println!();
    print!("{}", report::summary(&r));
    println!(
        "bench: wrote {} in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    if let Some(e) = &r.runtime_error {
        bail!("the runtime benchmark failed: {e}");
    }
    Ok(())
}

fn step(what: &str) {
    println!("bench: {what}");
}

// ---------------------------------------------------------------------------------------------
// Generation.

fn generation(
    root: &Path,
    scratch: &Path,
    oasgen: &Path,
    harness: &Path,
    opts: &Options,
    plan: Plan,
    r: &mut Results,
) -> Result<()> {
    let spec = root.join(SPEC);
    let out = scratch.join("gen");
    std::fs::create_dir_all(&out)?;

    step(&format!(
        "whole-process wall time of `oasgen {}` ({} runs)",
        SPEC, plan.process_runs
    ));
    r.commands.push(format!(
        "{} {} --out target/bench/gen/customer-managed --runtime-path ../runtime --quiet   # x{}, median",
        rel(root, oasgen),
        SPEC,
        plan.process_runs
    ));
    r.main_process = process_runs(
        oasgen,
        &spec,
        &out.join("customer-managed"),
        plan.process_runs,
    )?;

    // The corpus, if there is one.
    let corpus_dir = match &opts.corpus {
        Some(d) => Some(d.clone()),
        None => Some(root.join(DEFAULT_CORPUS)).filter(|d| d.is_dir()),
    };
    let corpus_label = match &opts.corpus {
        Some(d) => d.display().to_string(),
        None => DEFAULT_CORPUS.to_string(),
    };
    let corpus_specs = match &corpus_dir {
        Some(d) if d.is_dir() => crate::corpus::specs_in(d)?,
        Some(d) => {
            r.corpus_note = Some(format!("{} does not exist: skipped", d.display()));
            Vec::new()
        }
        None => {
            r.corpus_note = Some(
                "no corpus (the default `../shared/corpus/emporix` is absent and `--corpus` was not given): skipped"
                    .into(),
            );
            Vec::new()
        }
    };
    if corpus_specs.is_empty() && r.corpus_note.is_none() {
        r.corpus_note = Some("the corpus folder holds no specs: skipped".into());
    }
    r.corpus_dir = Some(corpus_label).filter(|_| !corpus_specs.is_empty());

    step(&format!(
        "in process: parse floor and stages, median of {} ({} specs)",
        plan.in_process_iters,
        1 + corpus_specs.len()
    ));
    let mut files = vec![spec.clone()];
    files.extend(corpus_specs.iter().cloned());
    let mut rows = in_process(
        root,
        harness,
        &files,
        plan.in_process_iters,
        &mut r.commands,
    )?;
    let mut main = rows.remove(0);
    main.process_ms = Some(median(&r.main_process));
    r.operations = main.operations;
    r.main = Some(main);
    r.corpus = rows;

    if !corpus_specs.is_empty() {
        step(&format!(
            "whole-process wall time of `oasgen` over all {} corpus specs in turn ({} loops)",
            corpus_specs.len(),
            plan.corpus_loops
        ));
        r.commands.push(format!(
            "for each spec in {}: {} SPEC --out target/bench/gen/corpus/NAME --runtime-path ../runtime --quiet   # x{}, median of the totals",
            r.corpus_dir.as_deref().unwrap_or_default(),
            rel(root, oasgen),
            plan.corpus_loops
        ));
        let ok = r.corpus.iter().filter(|g| g.error.is_none()).count();
        let mut per_spec: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for _ in 0..plan.corpus_loops {
            let start = Instant::now();
            for (spec, row) in corpus_specs.iter().zip(&r.corpus) {
                let dest = out.join("corpus").join(&row.name);
                let t = Instant::now();
                // A spec the generator refuses still costs its process; it is timed too.
                let _ = run_oasgen(oasgen, spec, &dest);
                per_spec
                    .entry(row.name.clone())
                    .or_default()
                    .push(t.elapsed().as_secs_f64() * 1000.0);
            }
            r.corpus_loops.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        for row in &mut r.corpus {
            row.process_ms = per_spec.get(&row.name).map(|v| median(v));
        }
        if ok < corpus_specs.len() {
            println!(
                "bench: {} of {} corpus specs do not generate",
                corpus_specs.len() - ok,
                corpus_specs.len()
            );
        }
    }

    // The large spec: from the corpus specs that generate, or from this repository's specs.
    let mut sources = Vec::new();
    let built_from = if r.corpus.iter().any(|g| g.error.is_none()) {
        for (path, row) in corpus_specs.iter().zip(&r.corpus) {
            if row.error.is_none() {
                sources.push((row.name.clone(), read_value(path)?));
            }
        }
        format!("the {} corpus specs that generate, repeated", sources.len())
    } else {
        sources.push(("customer_managed".to_string(), read_value(&spec)?));
        let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        fixtures.sort();
        for f in fixtures {
            let name = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            sources.push((name, read_value(&f)?));
        }
        format!(
            "{} and tests/fixtures/*.yaml ({} specs), repeated",
            SPEC,
            sources.len()
        )
    };
    step(&format!(
        "building the large spec (>= {} bytes) from {built_from}",
        LARGE_SPEC_BYTES
    ));
    let yaml = bigspec::build(&sources, LARGE_SPEC_BYTES)?;
    let value: Value = serde_yaml::from_str(&yaml)?;
    let json = serde_json::to_string_pretty(&value)?;
    let yaml_path = scratch.join("large-spec.yaml");
    let json_path = scratch.join("large-spec.json");
    std::fs::write(&yaml_path, &yaml)?;
    std::fs::write(&json_path, &json)?;
    r.commands.push(format!(
        "large spec: {} ({} bytes) and the same document as {} ({} bytes)",
        rel(root, &yaml_path),
        yaml.len(),
        rel(root, &json_path),
        json.len()
    ));

    step(&format!(
        "large spec in process, median of {}",
        plan.large_iters
    ));
    let large_files = [yaml_path.clone(), json_path.clone()];
    let mut rows = in_process(
        root,
        harness,
        &large_files,
        plan.large_iters,
        &mut r.commands,
    )?;
    let mut memory = Vec::new();
    let mut floor_memory = Vec::new();
    for (file, row) in large_files.iter().zip(rows.iter_mut()) {
        // Both files share a stem: name the rows by their extension too.
        row.name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if row.error.is_some() {
            memory.push(None);
            floor_memory.push(None);
            continue;
        }
        step(&format!(
            "large spec: whole process ({} runs) and peak memory ({})",
            plan.large_process_runs,
            rel(root, file)
        ));
        r.commands.push(format!(
            "{} {} --out target/bench/gen/large --runtime-path ../runtime --quiet   # x{}, median",
            rel(root, oasgen),
            rel(root, file),
            plan.large_process_runs
        ));
        let runs = process_runs(oasgen, file, &out.join("large"), plan.large_process_runs)?;
        row.process_ms = Some(median(&runs));
        r.commands.push(format!(
            "{} --memory {}   # VmHWM of a fresh process",
            rel(root, harness),
            rel(root, file)
        ));
        let line = run_harness(harness, &["--memory".into(), file.display().to_string()])?;
        let v = line.first().cloned().unwrap_or_default();
        memory.push(v["peak_kib"].as_u64().map(|k| (k, row.bytes)));
        r.commands.push(format!(
            "{} --floor-memory {}   # VmHWM of a fresh process that only parses",
            rel(root, harness),
            rel(root, file)
        ));
        let line = run_harness(
            harness,
            &["--floor-memory".into(), file.display().to_string()],
        )?;
        floor_memory.push(line.first().and_then(|v| v["peak_kib"].as_u64()));
    }
    r.large = Some(Large {
        built_from,
        rows,
        memory,
        floor_memory,
    });
    Ok(())
}

/// `runs` timed runs of `oasgen SPEC --out OUT --quiet` after one untimed one; milliseconds.
fn process_runs(oasgen: &Path, spec: &Path, out: &Path, runs: usize) -> Result<Vec<f64>> {
    run_oasgen(oasgen, spec, out)?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        run_oasgen(oasgen, spec, out)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

fn run_oasgen(oasgen: &Path, spec: &Path, out: &Path) -> Result<()> {
    let output = Command::new(oasgen)
        .arg(spec)
        .arg("--out")
        .arg(out)
        // Given, so the timings leave out the default's workspace lookup (`cargo metadata`);
        // the timed crates are never compiled, so where it points does not matter.
        .args(["--runtime-path", "../runtime"])
        .arg("--quiet")
        .stdout(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", oasgen.display()))?;
    if !output.status.success() {
        bail!(
            "oasgen failed on {}: {}",
            spec.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn in_process(
    root: &Path,
    harness: &Path,
    files: &[PathBuf],
    iters: usize,
    commands: &mut Vec<String>,
) -> Result<Vec<GenRow>> {
    let shown: Vec<String> = if files.len() > 3 {
        vec![rel(root, &files[0]), format!("... ({} files)", files.len())]
    } else {
        files.iter().map(|f| rel(root, f)).collect()
    };
    commands.push(format!(
        "{} --iters {iters} {}",
        rel(root, harness),
        shown.join(" ")
    ));
    let mut args = vec!["--iters".to_string(), iters.to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let lines = run_harness(harness, &args)?;
    if lines.len() != files.len() {
        bail!(
            "bench_generate printed {} results for {} files",
            lines.len(),
            files.len()
        );
    }
    Ok(files
        .iter()
        .zip(lines)
        .map(|(f, v)| gen_row(f, &v))
        .collect())
}

fn gen_row(file: &Path, v: &Value) -> GenRow {
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let u = |k: &str| v[k].as_u64().unwrap_or(0);
    GenRow {
        name: file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        bytes: u("bytes"),
        types: u("types"),
        operations: u("operations"),
        lines: u("lines"),
        floor_ms: f("floor_ms"),
        floor_kind: v["floor_kind"].as_str().unwrap_or("").to_string(),
        total_ms: f("total_ms"),
        stages_ms: [
            f("parse_ms"),
            f("lower_ms"),
            f("emit_ms"),
            f("format_ms"),
            f("render_ms"),
        ],
        workers: u("workers"),
        format_floor_cpu_ms: f("format_floor_cpu_ms"),
        process_ms: None,
        error: v["error"].as_str().map(str::to_string),
    }
}

/// Runs the in-process harness; one JSON value per output line.
fn run_harness(harness: &Path, args: &[String]) -> Result<Vec<Value>> {
    let output = Command::new(harness)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {}", harness.display()))?;
    if !output.status.success() {
        bail!("{} failed: {}", harness.display(), output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("bad harness line: {l}")))
        .collect()
}

fn read_value(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text)?
    } else {
        serde_yaml::from_str(&text)?
    };
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Build cost.

const FEATURE_SETS: &[(&str, &[&str])] = &[
    ("client", &["--no-default-features", "--features", "client"]),
    ("server", &["--no-default-features", "--features", "server"]),
    ("client + server", &["--all-features"]),
];

fn build_cost(root: &Path, scratch: &Path, plan: Plan, r: &mut Results) -> Result<()> {
    let target = scratch.join("build-target");
    let cargo = cargo();
    let models = root.join(OUT).join("src/models.rs");
    for (features, args) in FEATURE_SETS {
        step(&format!(
            "build cost, features {features}: warming dependencies, then {} clean and {} incremental builds",
            plan.builds, plan.builds
        ));
        let build = |what: &str| -> Result<f64> {
            let start = Instant::now();
            let out = Command::new(&cargo)
                .current_dir(root)
                .env("CARGO_TARGET_DIR", &target)
                .args(["build", "--quiet", "-p", "customer-managed"])
                .args(*args)
                .stdout(Stdio::null())
                .output()
                .context("cannot run cargo build")?;
            let took = start.elapsed().as_secs_f64();
            if !out.status.success() {
                bail!(
                    "{what} build of customer-managed ({features}) failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Ok(took)
        };
        build("warm-up")?;
        let mut row = BuildRow {
            features,
            args,
            clean_s: Vec::new(),
            incremental_s: Vec::new(),
        };
        for _ in 0..plan.builds {
            let status = Command::new(&cargo)
                .current_dir(root)
                .env("CARGO_TARGET_DIR", &target)
                .args(["clean", "--quiet", "-p", "customer-managed"])
                .status()
                .context("cannot run cargo clean")?;
            if !status.success() {
                bail!("cargo clean -p customer-managed failed");
            }
            row.clean_s.push(build("clean")?);
        }
        for _ in 0..plan.builds {
            touch(&models)?;
            row.incremental_s.push(build("incremental")?);
        }
        println!(
            "bench:   clean {:.1} s, incremental {:.1} s",
            median(&row.clean_s),
            median(&row.incremental_s)
        );
        r.builds.push(row);
    }
    r.commands.push(format!(
        "CARGO_TARGET_DIR=target/bench/build-target cargo build -p customer-managed FEATURES   # after `cargo clean -p customer-managed` (clean) or touching {}/src/models.rs (incremental); x{}, median",
        OUT,
        plan.builds
    ));

    step("which features pull in axum and reqwest (cargo tree -e normal)");
    for (features, excluded) in [("client", "axum"), ("server", "reqwest")] {
        let args = FEATURE_SETS
            .iter()
            .find(|(f, _)| *f == features)
            .map(|(_, a)| *a)
            .expect("the feature set exists");
        let out = Command::new(&cargo)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &target)
            .args([
                "tree",
                "-e",
                "normal",
                "--prefix",
                "none",
                "-p",
                "customer-managed",
            ])
            .args(args)
            .output()
            .context("cannot run cargo tree")?;
        if !out.status.success() {
            bail!(
                "cargo tree failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let present = String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.split_whitespace().next() == Some(excluded));
        println!(
            "bench:   --features {features}: {excluded} {}",
            if present {
                "IS in the tree"
            } else {
                "is not in the tree"
            }
        );
        r.deps.push(DepCheck {
            features,
            excluded,
            present,
        });
    }
    r.commands.push(
        "cargo tree -e normal --prefix none -p customer-managed --no-default-features --features client|server"
            .into(),
    );

    let mut loc = Vec::new();
    let src = root.join(OUT).join("src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for f in files {
        let lines = std::fs::read_to_string(&f)?.lines().count() as u64;
        loc.push((rel(root, &f), lines));
    }
    r.loc = loc;
    Ok(())
}

/// Sets the modification time of `path` to now.
fn touch(path: &Path) -> Result<()> {
    let f = std::fs::File::options()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.set_modified(SystemTime::now())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Runtime.

fn runtime(root: &Path, scratch: &Path, plan: Plan, r: &mut Results) -> Result<()> {
    step("building the runtime benchmark (tests/benches/runtime.rs, release)");
    let bins = cargo_build(
        root,
        &["--release", "-p", "oasgen-tests", "--bench", "runtime"],
        &mut r.commands,
    )?;
    let exe = executable(&bins, "runtime")?;
    let json = scratch.join("runtime.json");
    let _ = std::fs::remove_file(&json);
    let args = [
        "--rounds".to_string(),
        plan.runtime_rounds.to_string(),
        "--secs".to_string(),
        plan.runtime_secs.to_string(),
        "--json".to_string(),
        json.display().to_string(),
    ];
    step(&format!(
        "runtime: server throughput and client overhead ({} rounds of {} s)",
        plan.runtime_rounds, plan.runtime_secs
    ));
    r.commands
        .push(format!("{} {}", rel(root, &exe), args[..4].join(" ")));
    let status = Command::new(&exe)
        .args(&args)
        .status()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !status.success() {
        bail!("{} failed: {status}", exe.display());
    }
    let text = std::fs::read_to_string(&json)?;
    r.runtime = Some(serde_json::from_str(&text)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `cargo build ARGS`; returns the executables built, by target name.
fn cargo_build(
    root: &Path,
    args: &[&str],
    commands: &mut Vec<String>,
) -> Result<BTreeMap<String, PathBuf>> {
    commands.push(format!("cargo build {}", args.join(" ")));
    let out = Command::new(cargo())
        .current_dir(root)
        .arg("build")
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo build")?;
    if !out.status.success() {
        bail!("cargo build {} failed", args.join(" "));
    }
    let mut found = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact" {
            if let (Some(name), Some(exe)) =
                (msg["target"]["name"].as_str(), msg["executable"].as_str())
            {
                found.insert(name.to_string(), PathBuf::from(exe));
            }
        }
    }
    Ok(found)
}

fn executable(bins: &BTreeMap<String, PathBuf>, name: &str) -> Result<PathBuf> {
    bins.get(name)
        .cloned()
        .with_context(|| format!("cargo built no executable named {name}"))
}

/// `path` relative to `root` when it is inside it; a build output as `target/release/...`
/// wherever the target directory is.
fn rel(root: &Path, path: &Path) -> String {
    if let Ok(p) = path.strip_prefix(root) {
        return p.display().to_string();
    }
    let parts: Vec<_> = path.components().collect();
    match parts.iter().rposition(|c| c.as_os_str() == "release") {
        Some(i) => {
            let tail: PathBuf = parts[i..].iter().collect();
            format!("target/{}", tail.display())
        }
        None => path.display().to_string(),
    }
}

/// The median of `v` (NaN when empty).
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Machine, toolchain and source facts for the report.
fn machine(root: &Path) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "unknown".into());
    let output = |cmd: &str, args: &[&str]| -> String {
        Command::new(cmd)
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    let commit = output("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !output(
        "git",
        &[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!BENCHMARKS.md",
        ],
    )
    .is_empty();
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
    vec![
        (
            "date".into(),
            output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        ),
        (
            "commit".into(),
            if dirty && commit != "unknown" {
                format!("{commit} (with uncommitted changes)")
            } else {
                commit
            },
        ),
        ("cores (nproc)".into(), cores),
        ("CPU".into(), cpu),
        ("memory".into(), memory),
        ("OS".into(), output("uname", &["-sr"])),
        ("rustc".into(), output("rustc", &["-V"])),
        ("load average at start".into(), load),
    ]
}
