//! Errors with a location in the spec.

use std::borrow::Cow;
use std::fmt;

/// A place in the spec: an RFC 6901 JSON pointer, and the line when it could be found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// JSON pointer, rendered with a leading `#` (`#/paths/~1me/get`).
    pub pointer: String,
    /// 1-based line in the spec text.
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} (line {line})", self.pointer),
            None => f.write_str(&self.pointer),
        }
    }
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Where.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Why a generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not valid YAML or JSON.
    #[error("{file}:{line}:{column}: the spec is not valid {format}: {message}")]
    Syntax {
        /// The file name given by the caller.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The document parsed but is not a spec we can generate from.
    #[error("{file}: {} problem(s) in the spec:\n{}", problems.len(), render(problems))]
    Invalid {
        /// The file name given by the caller.
        file: String,
        /// Every problem found, in document order.
        problems: Vec<Problem>,
    },
    /// Reading or writing files failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The output directory holds files the generator did not write.
    #[error("{dir} holds files the generator did not write ({}); refusing to replace it; choose an empty or generated directory", files.join(", "))]
    Foreign {
        /// The output directory.
        dir: String,
        /// The files that are not ours.
        files: Vec<String>,
    },
    /// A bug in the generator (emitted code that does not parse, ...).
    #[error("internal error (please report it): {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
    /// `--check` found output that differs from what would be generated.
    #[error("{} generated file(s) are stale: {}\nrun `cargo xtask codegen` (or the generator without --check) and commit the result", stale.len(), stale.join(", "))]
    Stale {
        /// Paths relative to the output directory.
        stale: Vec<String>,
    },
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Appends one RFC 6901 token to a pointer.
pub fn push_pointer(base: &str, token: &str) -> String {
    let mut pointer = String::with_capacity(base.len() + 1 + token.len());
    pointer.push_str(base);
    pointer.push('/');
    pointer.push_str(&escape_token(token));
    pointer
}

/// RFC 6901 escape of one token.
pub fn escape_token(token: &str) -> Cow<'_, str> {
    match token.contains(['~', '/']) {
        true => Cow::Owned(token.replace('~', "~0").replace('/', "~1")),
        false => Cow::Borrowed(token),
    }
}

/// RFC 6901 unescape of one token.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
