//! `BENCHMARKS.md`: rendering a run's [`Results`], and keeping the hand-written history.

use super::{baseline, median, GenRow, Kind, Results};
use serde_json::Value;
use std::fmt::Write as _;

/// The heading from which on `BENCHMARKS.md` is kept across runs.
pub const HISTORY: &str = "## History";

const HISTORY_INTRO: &str = "## History

Before/after numbers of changes made because of this report, newest first. `cargo xtask bench`
rewrites everything above this heading and keeps this section as it is.
";

/// The history section of an existing report (from its heading to the end).
pub fn history(old: &str) -> Option<String> {
    let start = old.find(&format!("\n{HISTORY}\n")).map(|i| i + 1)?;
    Some(old[start..].to_string())
}

/// One budget's verdict.
struct Budget {
    what: String,
    measured: String,
    pass: Option<bool>,
}

fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "not measured",
    }
}

pub(super) fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / 1024.0 / 1024.0)
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        mib(bytes)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Whether a spec is within its budget against before (`None`: not compared).
fn row_pass(g: &GenRow) -> Option<bool> {
    g.ratio().map(|x| x <= g.limit())
}

/// One budget over the time before of several specs: a miss if any is over, not measured
/// if any was not compared.
fn against_before(what: String, rows: &[&GenRow]) -> Budget {
    let compared: Vec<&&GenRow> = rows.iter().filter(|g| g.ratio().is_some()).collect();
    let over = compared
        .iter()
        .filter(|g| row_pass(g) == Some(false))
        .count();
    let missing = rows.len() - compared.len();
    let worst = compared
        .iter()
        .max_by(|a, b| a.ratio().unwrap().total_cmp(&b.ratio().unwrap()));
    let mut parts = Vec::new();
    if let Some(w) = worst {
        parts.push(format!(
            "{over} of {} over; worst {:.3}x ({})",
            compared.len(),
            w.ratio().unwrap(),
            w.name
        ));
    }
    if missing > 0 {
        parts.push(format!("{missing} without a time before"));
    }
    let measured = if parts.is_empty() {
        "-".into()
    } else {
        parts.join("; ")
    };
    Budget {
        what,
        measured,
        pass: match (over, missing, worst) {
            (0, 0, Some(_)) => Some(true),
            (0, _, _) => None,
            _ => Some(false),
        },
    }
}

fn budgets(r: &Results) -> Vec<Budget> {
    let mut out = Vec::new();
    let of = |kind: Kind| -> Vec<&GenRow> { r.specs.iter().filter(|g| g.kind == kind).collect() };
    let main = of(Kind::Main);
    let main_ms = main.first().and_then(|g| g.now_ms());
    out.push(Budget {
        what: "`specs/customer-managed.yaml`: whole `oasgen` process <= 20 ms".into(),
        measured: main_ms.map_or("-".into(), |v| format!("{} ms", ms(v))),
        pass: main_ms.map(|v| v <= 20.0),
    });
    let corpus = of(Kind::Corpus);
    let what = format!(
        "`specs/customer-managed.yaml` and each of the {} corpus specs: whole process <= 1.15x the time before issue 14",
        corpus.len()
    );
    let mut small = main;
    small.extend(corpus);
    out.push(against_before(what, &small));
    out.push(against_before(
        "the large spec, YAML and JSON: whole process <= 1.5x the time before issue 14".into(),
        &of(Kind::Large),
    ));
    for dep in &r.deps {
        out.push(Budget {
            what: format!(
                "`--features {}` alone keeps {} out",
                dep.features, dep.excluded
            ),
            measured: if dep.present {
                format!("{} is in `cargo tree -e normal`", dep.excluded)
            } else {
                format!("no {} in `cargo tree -e normal`", dep.excluded)
            },
            pass: Some(!dep.present),
        });
    }
    let runtime = r.runtime.as_ref();
    for e in runtime_rows(runtime, "server") {
        let ratio = e["ratio"].as_f64().unwrap_or(f64::NAN);
        out.push(Budget {
            what: format!(
                "server throughput, `{}`: >= 0.9x the hand-written app",
                e["endpoint"].as_str().unwrap_or("?")
            ),
            measured: format!("{ratio:.3}x"),
            pass: Some(ratio >= 0.9),
        });
    }
    for e in runtime_rows(runtime, "client") {
        let ratio = e["ratio"].as_f64().unwrap_or(f64::NAN);
        out.push(Budget {
            what: format!(
                "client time per call, `{}`: <= 1.1x raw reqwest",
                e["endpoint"].as_str().unwrap_or("?")
            ),
            measured: format!("{ratio:.3}x"),
            pass: Some(ratio <= 1.1),
        });
    }
    if runtime.is_none() {
        out.push(Budget {
            what: "runtime budgets (server >= 0.9x, client <= 1.1x)".into(),
            measured: r.runtime_error.clone().unwrap_or_else(|| "-".into()),
            pass: None,
        });
    }
    out
}

fn runtime_rows<'a>(runtime: Option<&'a Value>, side: &str) -> Vec<&'a Value> {
    runtime
        .and_then(|v| v[side].as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The cells of a spec's row in the before/after table: spec, size, before ms, now ms,
/// ratio, budget, verdict.
fn before_after_cells(g: &GenRow) -> [String; 7] {
    let ratio = g.ratio();
    [
        g.name.clone(),
        size(g.bytes),
        g.before_ms.map_or("-".into(), ms),
        match &g.error {
            Some(e) => format!("failed: {}", e.lines().next().unwrap_or_default()),
            None => g.now_ms().map_or("-".into(), ms),
        },
        ratio.map_or("-".into(), |x| format!("{x:.3}x")),
        format!("<= {:.2}x", g.limit()),
        verdict(row_pass(g)).into(),
    ]
}

const BEFORE_AFTER_HEAD: [&str; 7] = [
    "spec",
    "size",
    "before ms",
    "now ms",
    "ratio",
    "budget",
    "verdict",
];

/// The budget table and the before/after table, for the terminal.
pub fn summary(r: &Results) -> String {
    let mut s = String::new();
    let rows: Vec<[String; 7]> = std::iter::once(BEFORE_AFTER_HEAD.map(String::from))
        .chain(r.specs.iter().map(before_after_cells))
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|c| c[i].len()).max().unwrap_or(0))
        .collect();
    for cells in &rows {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| match i {
                0 => format!("{c:<w$}"),
                _ => format!("{c:>w$}"),
            })
            .collect();
        let _ = writeln!(s, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(s);
    for b in budgets(r) {
        let _ = writeln!(s, "{:<5} {}: {}", verdict(b.pass), b.what, b.measured);
    }
    s
}

/// The whole report; `history` is the kept section of the previous one.
pub fn render(r: &Results, history: Option<&str>) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `cargo xtask bench{}`; everything above \"History\" is rewritten by each run.",
        if r.quick { " --quick" } else { "" }
    );
    if r.quick {
        let _ = writeln!(
            w,
            "\n**This is a `--quick` smoke run: too few iterations to trust the numbers.**"
        );
    }
    let _ = writeln!(
        w,
        "Times are medians. Release builds for everything measured except build cost, which is\n\
         the debug build a user's edit loop pays. The machine is shared: read ratios (measured\n\
         side by side in one run) before absolute times.\n"
    );
    let _ = writeln!(w, "## Machine\n\n| | |\n| --- | --- |");
    for (k, v) in &r.machine {
        let _ = writeln!(w, "| {k} | {v} |");
    }

    let _ = writeln!(
        w,
        "\n## Budgets\n\n| budget | measured | verdict |\n| --- | --- | --- |"
    );
    for b in budgets(r) {
        let _ = writeln!(w, "| {} | {} | {} |", b.what, b.measured, verdict(b.pass));
    }

    generation(w, r);
    build_cost(w, r);
    runtime(w, r);

    let _ = writeln!(w, "\n## Commands\n\n```sh");
    for c in &r.commands {
        let _ = writeln!(w, "{c}");
    }
    let _ = writeln!(w, "```\n");
    s.push_str(history.unwrap_or(HISTORY_INTRO));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn generation(w: &mut String, r: &Results) {
    let (warmups, runs, iters) = r.plan.map_or((0, 0, 0), |p| {
        (p.warmups, p.process_runs, p.in_process_iters)
    });
    let _ = writeln!(
        w,
        "\n## Generation\n\n\
         `oasgen SPEC --out DIR`, the whole process (parse, generate and write the crate over\n\
         the one it wrote before), median of {runs} runs after {warmups} warm-up, against the\n\
         time before issue 14 (\"one straight pipeline\") that `{}` records:\n",
        baseline::FILE
    );
    for line in &r.before_note {
        let _ = writeln!(w, "- {line}");
    }
    match (&r.corpus_dir, &r.corpus_note) {
        (Some(dir), _) => {
            let _ = writeln!(w, "\nCorpus: `{dir}`.");
        }
        (None, Some(note)) => {
            let _ = writeln!(w, "\nCorpus: {note}.");
        }
        (None, None) => {}
    }
    let _ = writeln!(
        w,
        "\n| {} |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        BEFORE_AFTER_HEAD.join(" | ")
    );
    for g in &r.specs {
        let _ = writeln!(
            w,
            "| {} |",
            before_after_cells(g).join(" | ").replace('\n', " ")
        );
    }

    let _ = writeln!(
        w,
        "\nIn process (`generator/examples/bench_generate.rs`), median of {iters} ({} for the large\n\
         spec): `oasgen::generate` and the wall time of each of its stages.\n\n\
         | spec | ops | types | lines | in process ms | parse | lower | emit | format |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        r.plan.map_or(0, |p| p.large_iters)
    );
    for g in r.specs.iter().filter(|g| g.error.is_none()) {
        let [parse, lower, emit, format] = g.stages_ms.map(ms);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {parse} | {lower} | {emit} | {format} |",
            g.name,
            g.operations,
            g.types,
            g.lines,
            ms(g.total_ms)
        );
    }

    if let Some(from) = &r.large_from {
        let _ = writeln!(
            w,
            "\nThe large spec is built by `cargo xtask bench` from {from} under new names (every\n\
             component, path and operationId renamed per copy, references rewritten), written as\n\
             YAML and as the same document in pretty JSON. Its peak memory, for information\n\
             (one generation in a fresh process, VmHWM):\n\n\
             | file | size | peak memory | memory / size |\n| --- | ---: | ---: | ---: |"
        );
        for (name, bytes, kib) in &r.memory {
            let _ = writeln!(
                w,
                "| {name} | {} | {} | {:.1}x |",
                mib(*bytes),
                mib(kib * 1024),
                *kib as f64 * 1024.0 / *bytes as f64
            );
        }
    }
}

fn build_cost(w: &mut String, r: &Results) {
    let _ = writeln!(
        w,
        "\n## Build cost\n\n\
         The generated crate alone (`cargo build -p customer-managed`, debug, its dependencies\n\
         already built), in a target directory of its own (`target/bench/build-target`). Clean:\n\
         after `cargo clean -p customer-managed`. Incremental: after touching\n\
         `generated/src/models.rs`. Wall time of the cargo process, median.\n"
    );
    let _ = writeln!(
        w,
        "| features | cargo flags | clean s | incremental s | samples (clean; incremental) |\n| --- | --- | ---: | ---: | --- |"
    );
    for b in &r.builds {
        let fmt = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            w,
            "| {} | `{}` | {:.1} | {:.1} | {}; {} |",
            b.features,
            b.args.join(" "),
            median(&b.clean_s),
            median(&b.incremental_s),
            fmt(&b.clean_s),
            fmt(&b.incremental_s)
        );
    }
    if !r.deps.is_empty() {
        let _ = writeln!(w);
        for d in &r.deps {
            let _ = writeln!(
                w,
                "- `--no-default-features --features {}`: {} {} in `cargo tree -e normal`.",
                d.features,
                d.excluded,
                if d.present { "**is**" } else { "is not" }
            );
        }
    }
    if !r.loc.is_empty() {
        let ops = r.operations.max(1);
        let total: u64 = r.loc.iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            w,
            "\nGenerated lines ({} operations):\n\n| file | lines | lines per operation |\n| --- | ---: | ---: |",
            r.operations
        );
        for (file, n) in &r.loc {
            let _ = writeln!(w, "| `{file}` | {n} | {:.0} |", *n as f64 / ops as f64);
        }
        let _ = writeln!(w, "| total | {total} | {:.0} |", total as f64 / ops as f64);
    }
}

fn runtime(w: &mut String, r: &Results) {
    let _ = writeln!(w, "\n## Runtime\n");
    let Some(v) = &r.runtime else {
        let _ = writeln!(
            w,
            "Not measured: {}.",
            r.runtime_error.as_deref().unwrap_or("skipped")
        );
        return;
    };
    let c = &v["config"];
    let _ = writeln!(
        w,
        "`tests/benches/runtime.rs`, release. {} measured rounds; every round gets fresh\n\
         services, servers and connections.\n",
        c["rounds"]
    );
    let _ = writeln!(
        w,
        "**Server**: requests/s over loopback from a minimal HTTP/1.1 load generator on one\n\
         current-thread tokio runtime, {} keep-alive connections per app, each sending its next\n\
         request when the last answer is read; both servers on one multi-threaded runtime with\n\
         {} workers, in the same process. Slices of 100 ms alternate between the two apps for\n\
         {} s per app per round (after a warm-up round), so both see the same machine; a round's\n\
         number is its median slice, the table's the median round. With 2 cores the load\n\
         generator competes with the server for CPU, equally for both apps: the ratio is the\n\
         number to read. The generated side is `customer_managed::server::router` over the\n\
         reference implementation (`tests/src/reference`); the hand-written side is a minimal\n\
         axum app calling the same service methods (bearer check through the same\n\
         `Authenticator`, axum's `Json`/`Path`/`Query` extractors, the same statuses and\n\
         bodies; their answers are checked first, equal for `GET`). The generated side also\n\
         validates the request against the spec, which the hand-written one does not.\n",
        c["connections"], c["server_threads"], c["secs"]
    );
    let _ = writeln!(
        w,
        "| endpoint | generated req/s | hand-written req/s | ratio | samples (generated; hand-written) |\n| --- | ---: | ---: | ---: | --- |"
    );
    for e in runtime_rows(Some(v), "server") {
        let _ = writeln!(
            w,
            "| `{}` | {:.0} | {:.0} | {:.3}x | {}; {} |",
            e["endpoint"].as_str().unwrap_or("?"),
            e["generated_median"].as_f64().unwrap_or(f64::NAN),
            e["handwritten_median"].as_f64().unwrap_or(f64::NAN),
            e["ratio"].as_f64().unwrap_or(f64::NAN),
            samples(&e["generated_rps"], 0),
            samples(&e["handwritten_rps"], 0)
        );
    }
    let _ = writeln!(
        w,
        "\n**Client**: time per call, one call at a time, against the hand-written server in the\n\
         same process. Generated: `Client::get_customer_profile` / `Client::add_address` with the\n\
         default `Config`. Raw: a `reqwest::Client` with the same timeouts and User-Agent, the same\n\
         bearer header and body, the answer decoded into the same model type. Batches of 50 calls\n\
         alternate between the two sides for {} s per round (after a warm-up round); a round's\n\
         number is its median batch, the table's the median round.\n",
        c["secs"]
    );
    let _ = writeln!(
        w,
        "| endpoint | generated us/call | raw reqwest us/call | ratio | samples (generated; raw) |\n| --- | ---: | ---: | ---: | --- |"
    );
    for e in runtime_rows(Some(v), "client") {
        let _ = writeln!(
            w,
            "| `{}` | {:.1} | {:.1} | {:.3}x | {}; {} |",
            e["endpoint"].as_str().unwrap_or("?"),
            e["generated_median"].as_f64().unwrap_or(f64::NAN),
            e["raw_median"].as_f64().unwrap_or(f64::NAN),
            e["ratio"].as_f64().unwrap_or(f64::NAN),
            samples(&e["generated_us"], 1),
            samples(&e["raw_us"], 1)
        );
    }
}

fn samples(v: &Value, decimals: usize) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_f64)
                .map(|x| format!("{x:.decimals$}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, kind: Kind, before_ms: Option<f64>, now_ms: f64) -> GenRow {
        GenRow {
            name: name.into(),
            kind,
            path: name.into(),
            bytes: 1,
            types: 0,
            operations: 0,
            lines: 0,
            total_ms: 0.0,
            stages_ms: [0.0; 4],
            process_ms: vec![now_ms],
            before_ms,
            error: None,
        }
    }

    #[test]
    fn each_spec_is_held_to_its_own_ratio() {
        let mut r = Results {
            specs: vec![
                row("customer-managed", Kind::Main, Some(10.0), 11.0),
                row("order", Kind::Corpus, Some(10.0), 12.0),
                row("large-spec.yaml", Kind::Large, Some(100.0), 140.0),
            ],
            ..Results::default()
        };
        let b = budgets(&r);
        assert_eq!(b[0].pass, Some(true), "11 ms <= 20 ms");
        assert_eq!(b[1].pass, Some(false));
        assert_eq!(b[1].measured, "1 of 2 over; worst 1.200x (order)");
        assert_eq!(b[2].pass, Some(true), "1.4x <= 1.5x");

        r.specs[1].before_ms = Some(11.0);
        r.specs[2].before_ms = None;
        let b = budgets(&r);
        assert_eq!(b[1].pass, Some(true));
        assert_eq!(b[2].pass, None);
        assert_eq!(b[2].measured, "1 without a time before");
    }

    #[test]
    fn the_history_section_survives_a_rewrite() {
        let old = "# Benchmarks\n\nold numbers\n\n## History\n\n- fix: 80 ms -> 9 ms\n";
        let kept = history(old).unwrap();
        assert_eq!(kept, "## History\n\n- fix: 80 ms -> 9 ms\n");
        let new = render(&Results::default(), Some(&kept));
        assert!(new.ends_with("## History\n\n- fix: 80 ms -> 9 ms\n"));
        assert!(!new.contains("old numbers"));
        assert_eq!(history(&new).unwrap(), kept);
    }
}
