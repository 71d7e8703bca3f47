//! In-process measurements for `cargo xtask bench` (run in release):
//!
//! ```text
//! bench_generate [--iters N] FILE...     parse floor and generation, median of N, per file
//! bench_generate --memory FILE           one generation; the process's peak resident memory
//! bench_generate --floor-memory FILE     the parse floor alone; the process's peak memory
//! ```
//!
//! Prints one JSON object per line and file. The parse floor is the time to type the same text
//! as an `openapiv3::OpenAPI` with serde alone (serde_json for JSON, serde_yaml for YAML; the
//! loader reads YAML with its own streaming parser, `oasgen::yaml`): the faster of straight into
//! the typed document and through a `serde_json::Value` (see [`parse_floor`]).

use serde_json::json;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// The `oasgen` binary's allocator, so in-process times and memory match the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut iters = 10usize;
    let mut memory = false;
    let mut floor_memory = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iters" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => iters = n,
                _ => return usage(),
            },
            "--memory" => memory = true,
            "--floor-memory" => floor_memory = true,
            // `cargo bench` and test runners pass this; it means nothing here.
            "--bench" => {}
            _ if arg.starts_with("--") => return usage(),
            _ => files.push(arg),
        }
    }
    if files.is_empty() || ((memory || floor_memory) && files.len() != 1) {
        return usage();
    }
    for file in &files {
        let line = if memory {
            measure_memory(file)
        } else if floor_memory {
            measure_floor_memory(file)
        } else {
            measure(file, iters)
        };
        println!("{line}");
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: bench_generate [--iters N] FILE... | bench_generate --memory FILE | bench_generate --floor-memory FILE"
    );
    ExitCode::from(2)
}

fn options(file: &str) -> oasgen::CrateOptions {
    oasgen::CrateOptions {
        crate_name: "bench-crate".into(),
        command: "bench_generate".into(),
        spec_label: file.into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    }
}

/// Medians of `iters` rounds of (parse floor, generation), after one unmeasured warm-up round.
fn measure(file: &str, iters: usize) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return json!({ "file": file, "error": e.to_string() }),
    };
    let opts = options(file);
    let mut direct = Vec::new();
    let mut via_value = Vec::new();
    let mut total = Vec::new();
    let mut stages: [Vec<Duration>; 5] = Default::default();
    let mut workers = 0;
    let mut summary = json!({});
    for round in 0..=iters {
        let (typed, value) = match parse_floor(&text) {
            Ok(x) => x,
            Err(e) => return json!({ "file": file, "bytes": text.len(), "error": e }),
        };
        let start = Instant::now();
        let generated = match oasgen::generate(file, &text, &opts) {
            Ok(g) => g,
            Err(e) => {
                let first = e.to_string().lines().next().unwrap_or("").to_string();
                return json!({ "file": file, "bytes": text.len(), "error": first });
            }
        };
        let elapsed = start.elapsed();
        if round == 0 {
            let lines: usize = generated
                .files
                .iter()
                .filter(|(path, _)| path.ends_with(".rs"))
                .map(|(_, text)| text.lines().count())
                .sum();
            summary = json!({
                "types": generated.api.types.len(),
                "operations": generated.api.operations.len(),
                "lines": lines,
                "format_floor_cpu_ms": format_floor(&generated.files),
            });
            continue;
        }
        direct.extend(typed);
        via_value.push(value);
        total.push(elapsed);
        let t = generated.timings;
        workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        for (v, d) in stages
            .iter_mut()
            .zip([t.parse, t.lower, t.emit, t.format, t.emit + t.format])
        {
            v.push(d);
        }
        drop(black_box(generated));
    }
    let [parse, lower, emit, format, render] = stages.map(|mut v| median_ms(&mut v));
    let direct = (direct.len() == iters).then(|| median_ms(&mut direct));
    let via_value = median_ms(&mut via_value);
    let (floor_kind, floor) = match direct {
        Some(d) if d <= via_value => ("direct", d),
        _ if direct.is_none() => ("value+normalize", via_value),
        _ => ("via Value", via_value),
    };
    json!({
        "file": file,
        "bytes": text.len(),
        "iters": iters,
        "types": summary["types"],
        "operations": summary["operations"],
        "lines": summary["lines"],
        "format_floor_cpu_ms": summary["format_floor_cpu_ms"],
        "floor_kind": floor_kind,
        "floor_ms": floor,
        "floor_direct_ms": direct,
        "floor_value_ms": via_value,
        "total_ms": median_ms(&mut total),
        "parse_ms": parse,
        "lower_ms": lower,
        "emit_ms": emit,
        "format_ms": format,
        "render_ms": render,
        "workers": workers,
    })
}

/// The formatter's own floor: CPU time (median of 3) for `syn` to parse and `prettyplease` to
/// print the generated Rust code, as the format stage does, file by file. Doc comments are left
/// out, since the format stage keeps them aside too, and lexing the text is not counted (the
/// stage gets tokens). Whatever the emitters do, formatting this output costs at least this
/// much CPU time.
fn format_floor(files: &oasgen::write::Files) -> f64 {
    let tokens: Vec<proc_macro2::TokenStream> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .filter_map(|(_, text)| text.parse().ok())
        .map(without_docs)
        .collect();
    let mut runs: Vec<Duration> = (0..3)
        .map(|_| {
            let tokens = tokens.clone();
            let start = Instant::now();
            for ts in tokens {
                if let Ok(file) = syn::parse2::<syn::File>(ts) {
                    black_box(prettyplease::unparse(&file));
                }
            }
            start.elapsed()
        })
        .collect();
    median_ms(&mut runs)
}

/// `tokens` without `#[doc = ...]` and `#![doc = ...]` attributes, at any depth.
fn without_docs(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, TokenTree};
    let is_doc = |t: Option<&TokenTree>| {
        matches!(t, Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Bracket
            && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc"))
    };
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#') {
            let bang = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
            let at = i + 1 + usize::from(bang);
            if is_doc(trees.get(at)) {
                i = at + 1;
                continue;
            }
        }
        out.push(match &trees[i] {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), without_docs(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// Types `text` as `openapiv3::OpenAPI` with serde alone, both ways the format allows: straight
/// into the typed document, and through a `serde_json::Value` (which is what the loader does,
/// and is often faster, since `openapiv3`'s untagged enums make serde buffer the input). A
/// document that only types after the loader's repairs (e.g. a missing `info.version`) gets
/// them on the second way; the first way is then `None`.
fn parse_floor(text: &str) -> Result<(Option<Duration>, Duration), String> {
    let is_json = text.trim_start().starts_with('{');
    let start = Instant::now();
    let typed: Result<openapiv3::OpenAPI, String> = if is_json {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str(text).map_err(|e| e.to_string())
    };
    let direct = typed.map(|doc| {
        let took = start.elapsed();
        drop(black_box(doc));
        took
    });
    let start = Instant::now();
    let mut value: serde_json::Value = if is_json {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(text).map_err(|e| e.to_string())?
    };
    if direct.is_err() {
        oasgen::normalize::normalize(&mut value, &mut Vec::new());
    }
    let doc: openapiv3::OpenAPI = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let via_value = start.elapsed();
    drop(black_box(doc));
    Ok((direct.ok(), via_value))
}

/// One generation in this fresh process; reports the peak resident set (`VmHWM`).
fn measure_memory(file: &str) -> serde_json::Value {
    let before = peak_kib();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return json!({ "file": file, "error": e.to_string() }),
    };
    let start = Instant::now();
    let result = oasgen::generate(file, &text, &options(file));
    let elapsed = start.elapsed();
    let error = result.as_ref().err().map(|e| e.to_string());
    drop(black_box(result));
    json!({
        "file": file,
        "bytes": text.len(),
        "error": error,
        "total_ms": elapsed.as_secs_f64() * 1000.0,
        "baseline_kib": before,
        "peak_kib": peak_kib(),
    })
}

/// The parse floor alone (straight into `openapiv3`) in this fresh process; reports the peak
/// resident set, the floor of the memory budget.
fn measure_floor_memory(file: &str) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return json!({ "file": file, "error": e.to_string() }),
    };
    let typed: Result<openapiv3::OpenAPI, String> = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())
    };
    let error = typed.as_ref().err().cloned();
    drop(black_box(typed));
    json!({ "file": file, "bytes": text.len(), "error": error, "peak_kib": peak_kib() })
}

/// `VmHWM` from `/proc/self/status`, in KiB (`None` where there is no procfs).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median_ms(v: &mut [Duration]) -> f64 {
    v.sort();
    let n = v.len();
    let mid = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    mid.as_secs_f64() * 1000.0
}
