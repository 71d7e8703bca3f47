//! `BENCHMARKS.md`: rendering a run's [`Results`], and keeping the hand-written history.

use super::{median, GenRow, Results};
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

impl Budget {
    fn verdict(&self) -> &'static str {
        match self.pass {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "not measured",
        }
    }
}

fn ms(v: f64) -> String {
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

/// Every row measured against the parse floor.
fn all_rows(r: &Results) -> Vec<&GenRow> {
    let mut rows: Vec<&GenRow> = r.main.iter().collect();
    rows.extend(r.corpus.iter());
    if let Some(l) = &r.large {
        rows.extend(l.rows.iter());
    }
    rows.into_iter().filter(|g| g.error.is_none()).collect()
}

/// The rows over 5x their parse floor.
fn over_five(r: &Results) -> Vec<&GenRow> {
    all_rows(r)
        .into_iter()
        .filter(|g| g.ratio() > 5.0)
        .collect()
}

fn budgets(r: &Results) -> Vec<Budget> {
    let mut out = Vec::new();
    let main_ms = r.main.as_ref().and_then(|m| m.process_ms);
    out.push(Budget {
        what: "`specs/customer-managed.yaml`: whole `oasgen` process < 15 ms".into(),
        measured: main_ms.map_or("-".into(), |v| format!("{} ms", ms(v))),
        pass: main_ms.map(|v| v < 15.0),
    });
    let corpus_n = r.corpus.len();
    out.push(Budget {
        what: if corpus_n == 0 {
            "all corpus specs together (whole processes, in turn) < 1 s".into()
        } else {
            format!("all {corpus_n} corpus specs together (whole processes, in turn) < 1 s")
        },
        measured: if r.corpus_loops.is_empty() {
            r.corpus_note.clone().unwrap_or_else(|| "-".into())
        } else {
            format!("{} ms", ms(median(&r.corpus_loops)))
        },
        pass: (!r.corpus_loops.is_empty()).then(|| median(&r.corpus_loops) < 1000.0),
    });
    let rows = all_rows(r);
    let over = over_five(r);
    let worst = rows.iter().max_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    out.push(Budget {
        what: "generation (in process) <= 5x the parse floor, on every spec".into(),
        measured: match worst {
            Some(w) => format!(
                "{} of {} specs over; worst {:.1}x ({}), best {:.1}x; {} over it before any emitter runs (parse + lower + formatter floor)",
                over.len(),
                rows.len(),
                w.ratio(),
                w.name,
                rows.iter().map(|g| g.ratio()).fold(f64::INFINITY, f64::min),
                over.iter().filter(|g| over_five_at_least(g)).count(),
            ),
            None => "-".into(),
        },
        pass: worst.map(|_| over.is_empty()),
    });
    let large = r.large.as_ref();
    let yaml = large
        .and_then(|l| l.rows.first())
        .filter(|g| g.error.is_none());
    out.push(Budget {
        what: "the large (>= 5 MiB) spec, YAML: whole `oasgen` process < 500 ms".into(),
        measured: yaml.and_then(|g| g.process_ms).map_or("-".into(), |v| {
            format!("{} ms ({})", ms(v), mib(yaml.map_or(0, |g| g.bytes)))
        }),
        pass: yaml.and_then(|g| g.process_ms).map(|v| v < 500.0),
    });
    let memory = large.and_then(|l| l.memory.first().copied().flatten());
    out.push(Budget {
        what: "the large spec, YAML: peak memory < 20x the file size".into(),
        measured: memory.map_or("-".into(), |(kib, bytes)| {
            format!(
                "{:.1}x ({} peak for {})",
                kib as f64 * 1024.0 / bytes as f64,
                mib(kib * 1024),
                mib(bytes)
            )
        }),
        pass: memory.map(|(kib, bytes)| (kib as f64 * 1024.0) < 20.0 * bytes as f64),
    });
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

/// The budget table, for the terminal.
pub fn summary(r: &Results) -> String {
    let mut s = String::new();
    for b in budgets(r) {
        let _ = writeln!(s, "{:<5} {}: {}", b.verdict(), b.what, b.measured);
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
        let _ = writeln!(w, "| {} | {} | {} |", b.what, b.measured, b.verdict());
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

/// The least a generation of `g` printed by `prettyplease` can take: the parse and lower
/// stages, and the formatter floor spread evenly over the workers.
fn least_ms(g: &GenRow) -> f64 {
    g.stages_ms[0] + g.stages_ms[1] + g.format_floor_cpu_ms / g.workers.max(1) as f64
}

/// Whether `g` is over 5x its parse floor before any emitter runs.
fn over_five_at_least(g: &GenRow) -> bool {
    least_ms(g) > 5.0 * g.floor_ms
}

/// For the specs over 5x the parse floor: how much of the time is fixed by the formatter.
fn formatter_floor(w: &mut String, r: &Results) {
    let over = over_five(r);
    if over.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "\nThe specs over 5x, against what no emitter can save: the formatter floor is the CPU\n\
         time `syn` and `prettyplease` alone take to parse and print this output (doc comments\n\
         aside, as the format stage keeps them aside; the text's lexing not counted), spread\n\
         evenly over the workers. With this run's parse and lower stages it is the least a\n\
         generation printed by `prettyplease` can take; what is left above it is the emitters\n\
         and the per-part overheads.\n\n\
         | spec | 5x parse floor ms | generation ms | formatter floor cpu ms | workers | parse + lower + formatter floor ms | emit cpu ms |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for g in over {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {}{} | {} |",
            g.name,
            ms(5.0 * g.floor_ms),
            ms(g.total_ms),
            ms(g.format_floor_cpu_ms),
            g.workers,
            ms(least_ms(g)),
            if over_five_at_least(g) {
                " (over 5x)"
            } else {
                ""
            },
            ms(g.stages_ms[2]),
        );
    }
}

fn generation(w: &mut String, r: &Results) {
    let _ = writeln!(w, "\n## Generation\n");
    if let Some(m) = &r.main {
        let _ = writeln!(
            w,
            "`oasgen specs/customer-managed.yaml --out DIR` (parse, generate and write the crate):\n\
             median **{} ms** over {} runs of the whole process (min {} ms, max {} ms); in process\n\
             {} ms, of which parse {} / lower {} / emit and format {} ms (on {} threads; CPU time\n\
             emit {} / format {} ms); {} operations, {} types, {} generated lines.\n",
            ms(median(&r.main_process)),
            r.main_process.len(),
            ms(r.main_process.iter().copied().fold(f64::INFINITY, f64::min)),
            ms(r.main_process.iter().copied().fold(0.0, f64::max)),
            ms(m.total_ms),
            ms(m.stages_ms[0]),
            ms(m.stages_ms[1]),
            ms(m.stages_ms[4]),
            m.workers,
            ms(m.stages_ms[2]),
            ms(m.stages_ms[3]),
            m.operations,
            m.types,
            m.lines
        );
    }
    match (&r.corpus_dir, &r.corpus_note) {
        (Some(dir), _) => {
            let _ = writeln!(
                w,
                "Corpus `{}`: all {} specs, one `oasgen` process each, in turn: median **{} ms** per\n\
                 loop over {} loops.\n",
                dir,
                r.corpus.len(),
                ms(median(&r.corpus_loops)),
                r.corpus_loops.len()
            );
        }
        (None, Some(note)) => {
            let _ = writeln!(w, "Corpus: {note}.\n");
        }
        (None, None) => {}
    }
    let _ = writeln!(
        w,
        "The parse floor is the time serde alone takes to type the same text as an\n\
         `openapiv3::OpenAPI` (serde_yaml for YAML, serde_json for JSON): the faster of\n\
         straight into `openapiv3` (\"direct\") and through a `serde_json::Value` (\"via Value\",\n\
         as the loader goes). Ratio = in-process generation / floor. Stage columns: parse and\n\
         lower are wall time; \"emit+format\" is the wall time of those two stages, which run\n\
         together part by part on several threads; \"emit cpu\" and \"format cpu\" are their\n\
         times added up over the threads.\n"
    );
    let _ = writeln!(
        w,
        "| spec | size | ops | types | lines | process ms | in-process ms | parse | lower | emit+format | emit cpu | format cpu | floor ms | floor | ratio |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    );
    let mut rows: Vec<&GenRow> = r.main.iter().collect();
    rows.extend(r.corpus.iter());
    if let Some(l) = &r.large {
        rows.extend(l.rows.iter());
    }
    for g in rows {
        if let Some(e) = &g.error {
            let _ = writeln!(
                w,
                "| {} | {} | failed: {} ||||||||||||",
                g.name,
                g.bytes,
                e.replace('|', "\\|")
            );
            continue;
        }
        let size = if g.bytes >= 1024 * 1024 {
            mib(g.bytes)
        } else {
            format!("{:.1} KiB", g.bytes as f64 / 1024.0)
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1}x |",
            g.name,
            size,
            g.operations,
            g.types,
            g.lines,
            g.process_ms.map_or("-".into(), ms),
            ms(g.total_ms),
            ms(g.stages_ms[0]),
            ms(g.stages_ms[1]),
            ms(g.stages_ms[4]),
            ms(g.stages_ms[2]),
            ms(g.stages_ms[3]),
            ms(g.floor_ms),
            g.floor_kind,
            g.ratio()
        );
    }
    formatter_floor(w, r);
    if let Some(l) = &r.large {
        let _ = writeln!(
            w,
            "\nThe large spec is built by `cargo xtask bench` from {} under new names (every\n\
             component, path and operationId renamed per copy, references rewritten), written as\n\
             YAML and as the same document in pretty JSON.\n",
            l.built_from
        );
        let _ = writeln!(
            w,
            "| file | size | peak memory (fresh process, VmHWM) | memory / size | parse floor alone: peak | floor / size | generation / floor |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for ((g, m), f) in l.rows.iter().zip(&l.memory).zip(&l.floor_memory) {
            let name = &g.name;
            let per_size = |kib: u64| format!("{:.1}x", kib as f64 * 1024.0 / g.bytes as f64);
            let (peak, ratio) = match m {
                Some((kib, _)) => (mib(kib * 1024), per_size(*kib)),
                None => ("-".into(), "-".into()),
            };
            let (floor, floor_ratio) = match f {
                Some(kib) => (mib(kib * 1024), per_size(*kib)),
                None => ("-".into(), "-".into()),
            };
            let against_floor = match (m, f) {
                (Some((kib, _)), Some(floor)) if *floor > 0 => {
                    format!("{:.2}x", *kib as f64 / *floor as f64)
                }
                _ => "-".into(),
            };
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} |",
                name,
                mib(g.bytes),
                peak,
                ratio,
                floor,
                floor_ratio,
                against_floor
            );
        }
        let _ = writeln!(
            w,
            "\nThe parse floor column is a fresh process that only types the file as an\n\
             `openapiv3::OpenAPI` (serde_yaml or serde_json): the memory any generator built on\n\
             `openapiv3` needs before it generates anything."
        );
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
