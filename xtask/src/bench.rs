//! `cargo xtask bench [--corpus DIR] [--quick] [--before BIN]`: measures what users of the
//! generator pay and writes `BENCHMARKS.md`.
//!
//! - **Generation**: wall time of the whole release `oasgen` process (parse, generate, write
//!   the crate) on `specs/customer-managed.yaml`, every spec of the corpus and a large spec
//!   built from them ([`bigspec`]) in YAML and in JSON, each against its time before issue 14
//!   ([`baseline`]); the time of each stage, in process; the large spec's peak memory. With
//!   `--before BIN`, runs of `BIN` are interleaved with those of the current binary and their
//!   medians become the baseline.
//! - **Build cost**: clean and incremental debug builds of the generated crate with `client`,
//!   `server` and both, in a target directory of its own; which features pull in axum and
//!   reqwest; generated lines per operation.
//! - **Runtime**: the generated server against a hand-written axum app, and the generated
//!   client against raw reqwest, in one run (`tests/benches/runtime.rs`).
//!
//! xtask stays cheap to compile: everything that needs serde-heavy parsing in release, tokio
//! or axum is a release example or bench target that this module builds and spawns.

pub mod baseline;
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
    /// An `oasgen` binary to time side by side with the current one; its medians are written
    /// to the baseline file.
    pub before: Option<PathBuf>,
}

/// Iteration counts.
#[derive(Debug, Clone, Copy)]
struct Plan {
    warmups: usize,
    process_runs: usize,
    in_process_iters: usize,
    large_iters: usize,
    builds: usize,
    runtime_rounds: usize,
    runtime_secs: f64,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                warmups: 1,
                process_runs: 3,
                in_process_iters: 2,
                large_iters: 1,
                builds: 1,
                runtime_rounds: 1,
                runtime_secs: 0.5,
            }
        } else {
            Plan {
                warmups: 3,
                process_runs: 21,
                in_process_iters: 10,
                large_iters: 3,
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

/// Which generation budget a spec is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `specs/customer-managed.yaml`.
    Main,
    Corpus,
    /// The large spec, YAML or JSON.
    Large,
}

/// One spec's generation numbers.
#[derive(Debug, Clone)]
struct GenRow {
    name: String,
    kind: Kind,
    path: PathBuf,
    bytes: u64,
    types: u64,
    operations: u64,
    lines: u64,
    /// In process: the whole generation, then parse, lower, emit and format (wall times).
    total_ms: f64,
    stages_ms: [f64; 4],
    /// Whole-process wall times of the current binary.
    process_ms: Vec<f64>,
    /// The median whole-process time before issue 14, where known.
    before_ms: Option<f64>,
    error: Option<String>,
}

impl GenRow {
    /// How much slower than before this spec may be.
    fn limit(&self) -> f64 {
        match self.kind {
            Kind::Large => 1.5,
            Kind::Main | Kind::Corpus => 1.15,
        }
    }

    fn now_ms(&self) -> Option<f64> {
        (!self.process_ms.is_empty()).then(|| median(&self.process_ms))
    }

    /// Now / before.
    fn ratio(&self) -> Option<f64> {
        Some(self.now_ms()? / self.before_ms?)
    }
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
    plan: Option<Plan>,
    /// Customer-managed, the corpus, the large spec as YAML and as JSON, in that order.
    specs: Vec<GenRow>,
    corpus_dir: Option<String>,
    corpus_note: Option<String>,
    /// Where the "before" times come from.
    before_note: Vec<String>,
    /// What the large spec was built from.
    large_from: Option<String>,
    /// The large spec's peak memory per file: `(name, file bytes, peak KiB)`.
    memory: Vec<(String, u64, u64)>,
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
        plan: Some(plan),
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
    let corpus_specs = corpus(root, opts, r)?;

    step(&format!(
        "in process: the stages, median of {} ({} specs)",
        plan.in_process_iters,
        1 + corpus_specs.len()
    ));
    let mut files = vec![(Kind::Main, spec.clone())];
    files.extend(corpus_specs.iter().map(|p| (Kind::Corpus, p.clone())));
    r.specs = in_process(
        root,
        harness,
        &files,
        plan.in_process_iters,
        &mut r.commands,
    )?;
    r.operations = r.specs[0].operations;

    let (yaml_path, json_path) = large_spec(root, scratch, r)?;
    step(&format!(
        "large spec in process, median of {}",
        plan.large_iters
    ));
    let large = [(Kind::Large, yaml_path), (Kind::Large, json_path)];
    let large = in_process(root, harness, &large, plan.large_iters, &mut r.commands)?;
    r.specs.extend(large);

    let mut bins = vec![("now", oasgen)];
    if let Some(before) = &opts.before {
        bins.push(("before", before.as_path()));
    }
    step(&format!(
        "whole `oasgen` processes: {} specs, {} warm-up and {} timed runs each{}",
        r.specs.len(),
        plan.warmups,
        plan.process_runs,
        match &opts.before {
            Some(b) => format!(", interleaved with {}", b.display()),
            None => String::new(),
        }
    ));
    r.commands.push(format!(
        "{} SPEC --out target/bench/gen/now/NAME --quiet   # each spec: x{} warm-up, x{} timed, median{}",
        rel(root, oasgen),
        plan.warmups,
        plan.process_runs,
        match &opts.before {
            Some(b) => format!("; interleaved with {} (ABBA order)", b.display()),
            None => String::new(),
        }
    ));
    for row in r.specs.iter_mut().filter(|g| g.error.is_none()) {
        let out = scratch.join("gen");
        match process_times(&bins, &row.path, &out, &row.name, plan) {
            Ok(mut times) => {
                row.process_ms = times.remove(0);
                row.before_ms = times.first().map(|t| median(t));
                println!(
                    "bench:   {}: {} ms{}",
                    row.name,
                    report::ms(median(&row.process_ms)),
                    row.before_ms
                        .map_or(String::new(), |b| format!(" (before {} ms)", report::ms(b)))
                );
            }
            Err(e) => row.error = Some(format!("{e:#}")),
        }
    }

    before_times(root, opts, plan, r)?;
    large_memory(root, harness, r)
}

/// Each spec's time before issue 14: with `--before`, from this run, and then written to the
/// baseline file; otherwise read from that file.
fn before_times(root: &Path, opts: &Options, plan: Plan, r: &mut Results) -> Result<()> {
    let file = root.join(baseline::FILE);
    if opts.before.is_some() {
        let rows: Vec<_> = r
            .specs
            .iter()
            .filter_map(|g| Some((g.name.clone(), g.bytes, g.before_ms?)))
            .collect();
        r.before_note = baseline::about(opts, &r.machine, plan.process_runs);
        std::fs::write(&file, baseline::render(&r.before_note, &rows))
            .with_context(|| format!("cannot write {}", file.display()))?;
        step(&format!("wrote {}", baseline::FILE));
        return Ok(());
    }
    let Ok(text) = std::fs::read_to_string(&file) else {
        r.before_note = vec![format!(
            "{} is missing: nothing to compare with",
            baseline::FILE
        )];
        return Ok(());
    };
    let base = baseline::parse(&text)?;
    for row in &mut r.specs {
        // A changed file is not the spec the baseline timed.
        row.before_ms = base
            .entries
            .get(&row.name)
            .filter(|e| e.bytes == row.bytes)
            .map(|e| e.ms);
    }
    r.before_note = base.about;
    Ok(())
}

/// The large spec's peak memory, one fresh process per file.
fn large_memory(root: &Path, harness: &Path, r: &mut Results) -> Result<()> {
    for row in r.specs.iter().filter(|g| g.kind == Kind::Large) {
        if row.error.is_some() {
            continue;
        }
        step(&format!("large spec: peak memory ({})", row.name));
        r.commands.push(format!(
            "{} --memory {}   # VmHWM of a fresh process",
            rel(root, harness),
            rel(root, &row.path)
        ));
        let line = run_harness(
            harness,
            &["--memory".into(), row.path.display().to_string()],
        )?;
        if let Some(kib) = line.first().and_then(|v| v["peak_kib"].as_u64()) {
            r.memory.push((row.name.clone(), row.bytes, kib));
        }
    }
    Ok(())
}

/// The corpus specs, if there is a corpus; notes in `r` what was found.
fn corpus(root: &Path, opts: &Options, r: &mut Results) -> Result<Vec<PathBuf>> {
    let (dir, label) = match &opts.corpus {
        Some(d) => (d.clone(), d.display().to_string()),
        None => (root.join(DEFAULT_CORPUS), DEFAULT_CORPUS.to_string()),
    };
    if !dir.is_dir() {
        r.corpus_note = Some(format!("`{label}` does not exist: skipped"));
        return Ok(Vec::new());
    }
    let specs = crate::corpus::specs_in(&dir)?;
    if specs.is_empty() {
        r.corpus_note = Some(format!("`{label}` holds no specs: skipped"));
    } else {
        r.corpus_dir = Some(label);
    }
    Ok(specs)
}

/// Builds the large spec from the corpus specs that generate (or from this repository's specs
/// when none do) and writes it as YAML and as JSON; returns both paths.
fn large_spec(root: &Path, scratch: &Path, r: &mut Results) -> Result<(PathBuf, PathBuf)> {
    let mut sources = Vec::new();
    let corpus: Vec<&GenRow> = r
        .specs
        .iter()
        .filter(|g| g.kind == Kind::Corpus && g.error.is_none())
        .collect();
    let built_from = if !corpus.is_empty() {
        for row in &corpus {
            sources.push((row.name.clone(), read_value(&row.path)?));
        }
        format!("the {} corpus specs that generate, repeated", sources.len())
    } else {
        let spec = root.join(SPEC);
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
        "building the large spec (>= {LARGE_SPEC_BYTES} bytes) from {built_from}"
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
    r.large_from = Some(built_from);
    Ok((yaml_path, json_path))
}

/// Whole-process wall times (ms) of `BIN SPEC --out OUT/LABEL/NAME --quiet`, per binary: each
/// binary's own output folder, so every timed run regenerates over its own previous output;
/// warm-up runs first, then the timed runs of the binaries interleaved, the order reversed
/// every round (ABBA), so both see the same machine.
fn process_times(
    bins: &[(&str, &Path)],
    spec: &Path,
    out: &Path,
    name: &str,
    plan: Plan,
) -> Result<Vec<Vec<f64>>> {
    let outs: Vec<PathBuf> = bins.iter().map(|(l, _)| out.join(l).join(name)).collect();
    for ((_, bin), out) in bins.iter().zip(&outs) {
        for _ in 0..plan.warmups.max(1) {
            run_oasgen(bin, spec, out)?;
        }
    }
    let mut times = vec![Vec::new(); bins.len()];
    for round in 0..plan.process_runs {
        let mut order: Vec<usize> = (0..bins.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let start = Instant::now();
            run_oasgen(bins[i].1, spec, &outs[i])?;
            times[i].push(start.elapsed().as_secs_f64() * 1000.0);
        }
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
            "{} failed on {}: {}",
            oasgen.display(),
            spec.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// The in-process harness on `files`: a row per file, named by its file name (its stem for
/// the repository's and the corpus's specs).
fn in_process(
    root: &Path,
    harness: &Path,
    files: &[(Kind, PathBuf)],
    iters: usize,
    commands: &mut Vec<String>,
) -> Result<Vec<GenRow>> {
    let shown: Vec<String> = if files.len() > 3 {
        vec![
            rel(root, &files[0].1),
            format!("... ({} files)", files.len()),
        ]
    } else {
        files.iter().map(|(_, f)| rel(root, f)).collect()
    };
    commands.push(format!(
        "{} --iters {iters} {}",
        rel(root, harness),
        shown.join(" ")
    ));
    let mut args = vec!["--iters".to_string(), iters.to_string()];
    args.extend(files.iter().map(|(_, f)| f.display().to_string()));
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
        .map(|((kind, path), v)| gen_row(*kind, path, &v))
        .collect())
}

fn gen_row(kind: Kind, path: &Path, v: &Value) -> GenRow {
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let u = |k: &str| v[k].as_u64().unwrap_or(0);
    // Both forms of the large spec share a stem: they are named by their extension too.
    let name = match kind {
        Kind::Large => path.file_name(),
        Kind::Main | Kind::Corpus => path.file_stem(),
    };
    GenRow {
        name: name.unwrap_or_default().to_string_lossy().into_owned(),
        kind,
        path: path.to_path_buf(),
        bytes: u("bytes"),
        types: u("types"),
        operations: u("operations"),
        lines: u("lines"),
        total_ms: f("total_ms"),
        stages_ms: [f("parse_ms"), f("lower_ms"), f("emit_ms"), f("format_ms")],
        process_ms: Vec::new(),
        before_ms: None,
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
