//! In-process measurements for `cargo xtask bench` (run in release):
//!
//! ```text
//! bench_generate [--iters N] FILE...     per file: generation and each stage, median of N
//! bench_generate --memory FILE           one generation; the process's peak resident memory
//! ```
//!
//! Prints one JSON object per line and file.

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
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iters" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => iters = n,
                _ => return usage(),
            },
            "--memory" => memory = true,
            // `cargo bench` and test runners pass this; it means nothing here.
            "--bench" => {}
            _ if arg.starts_with("--") => return usage(),
            _ => files.push(arg),
        }
    }
    if files.is_empty() || (memory && files.len() != 1) {
        return usage();
    }
    for file in &files {
        let line = if memory {
            measure_memory(file)
        } else {
            measure(file, iters)
        };
        println!("{line}");
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: bench_generate [--iters N] FILE... | bench_generate --memory FILE");
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

/// Medians of `iters` generations, after one unmeasured warm-up round.
fn measure(file: &str, iters: usize) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return json!({ "file": file, "error": e.to_string() }),
    };
    let opts = options(file);
    let mut total = Vec::new();
    let mut stages: [Vec<Duration>; 4] = Default::default();
    let mut summary = json!({});
    for round in 0..=iters {
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
            });
            continue;
        }
        total.push(elapsed);
        let t = generated.timings;
        for (v, d) in stages.iter_mut().zip([t.parse, t.lower, t.emit, t.format]) {
            v.push(d);
        }
        drop(black_box(generated));
    }
    let [parse, lower, emit, format] = stages.map(|mut v| median_ms(&mut v));
    json!({
        "file": file,
        "bytes": text.len(),
        "iters": iters,
        "types": summary["types"],
        "operations": summary["operations"],
        "lines": summary["lines"],
        "total_ms": median_ms(&mut total),
        "parse_ms": parse,
        "lower_ms": lower,
        "emit_ms": emit,
        "format_ms": format,
    })
}

/// One generation in this fresh process; reports the peak resident set (`VmHWM`).
fn measure_memory(file: &str) -> serde_json::Value {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return json!({ "file": file, "error": e.to_string() }),
    };
    let result = oasgen::generate(file, &text, &options(file));
    let error = result.as_ref().err().map(|e| e.to_string());
    drop(black_box(result));
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
