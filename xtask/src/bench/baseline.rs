//! The times the generation budgets compare with: `baseline.tsv` beside this file holds, per
//! spec, the median whole-process time of the release `oasgen` before issue 14, with the file
//! size it was measured on (a changed file is not comparable) and, in `#` lines above, where
//! and how it was measured. `cargo xtask bench --before BIN` writes it.

use super::Options;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The baseline file, relative to the repository root.
pub const FILE: &str = "xtask/src/bench/baseline.tsv";

const COLUMNS: &str = "spec\tbytes\tms";

/// One spec's time before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub bytes: u64,
    pub ms: f64,
}

/// A parsed baseline file.
#[derive(Debug, Default)]
pub struct Baseline {
    /// The `#` lines, without the `#`: what was measured, where and how.
    pub about: Vec<String>,
    pub entries: BTreeMap<String, Entry>,
}

/// What a baseline written now says about itself.
pub fn about(opts: &Options, machine: &[(String, String)], runs: usize) -> Vec<String> {
    let fact = |key: &str| {
        machine
            .iter()
            .find(|(k, _)| k == key)
            .map_or("unknown", |(_, v)| v.as_str())
    };
    vec![
        "Whole-process wall times (median, ms) of the release `oasgen` before issue 14.".into(),
        format!(
            "measured by `cargo xtask bench --before {}`, interleaved with the binary of {}, {runs} runs each",
            opts.before.as_deref().unwrap_or("?".as_ref()).display(),
            fact("commit")
        ),
        format!(
            "machine: {}, {} cores, {}, {}; load average at start {}",
            fact("CPU"),
            fact("cores (nproc)"),
            fact("memory"),
            fact("OS"),
            fact("load average at start")
        ),
        format!("date: {}", fact("date")),
    ]
}

/// The file's text.
pub fn render(about: &[String], rows: &[(String, u64, f64)]) -> String {
    let mut s = String::new();
    for line in about {
        let _ = writeln!(s, "# {line}");
    }
    let _ = writeln!(s, "{COLUMNS}");
    for (name, bytes, ms) in rows {
        let _ = writeln!(s, "{name}\t{bytes}\t{ms:.2}");
    }
    s
}

/// Reads the file's text.
pub fn parse(text: &str) -> Result<Baseline> {
    let mut base = Baseline::default();
    for (i, line) in text.lines().enumerate() {
        let at = || format!("{FILE}:{}", i + 1);
        if let Some(comment) = line.strip_prefix('#') {
            base.about.push(comment.trim().to_string());
            continue;
        }
        if line.trim().is_empty() || line == COLUMNS {
            continue;
        }
        let [name, bytes, ms] = line.split('\t').collect::<Vec<_>>()[..] else {
            bail!("{}: expected `{}`", at(), COLUMNS.replace('\t', " TAB "));
        };
        let entry = Entry {
            bytes: bytes.parse().with_context(at)?,
            ms: ms.parse().with_context(at)?,
        };
        base.entries.insert(name.to_string(), entry);
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_baseline_reads_back() {
        let about = vec!["before issue 14".to_string(), "date: today".to_string()];
        let rows = vec![
            ("customer-managed".to_string(), 72_300, 13.704),
            ("large-spec.json".to_string(), 7_051_135, 510.2),
        ];
        let base = parse(&render(&about, &rows)).unwrap();
        assert_eq!(base.about, about);
        assert_eq!(
            base.entries["customer-managed"],
            Entry {
                bytes: 72_300,
                ms: 13.70
            }
        );
        assert_eq!(base.entries["large-spec.json"].ms, 510.2);
    }

    #[test]
    fn a_broken_line_names_its_place() {
        let err = parse("spec\tbytes\tms\nx\t12\n").unwrap_err();
        assert!(err.to_string().contains("baseline.tsv:2"), "{err}");
    }
}
