//! What a failing golden test prints: the start of a unified diff of each differing file, so
//! a CI log shows what changed, not only where.

/// Lines of one file's diff that a failure prints; the rest is counted.
const LINES: usize = 40;

/// The first [`LINES`] lines of a unified diff from `expected` (checked in) to `actual`,
/// indented to sit under the failure's heading.
pub fn excerpt(label: &str, expected: &str, actual: &str) -> String {
    let diff = similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header(&format!("{label} (checked in)"), &format!("{label} (now)"))
        .to_string();
    let mut lines = diff.lines();
    let mut out: String = lines
        .by_ref()
        .take(LINES)
        .map(|l| format!("    {l}\n"))
        .collect();
    let rest = lines.count();
    if rest > 0 {
        out.push_str(&format!("    ... {rest} more lines of diff\n"));
    }
    out
}
