//! The API change report: what a regeneration changes in the public API of the generated
//! crate, and whether that breaks its users.
//!
//! [`Surface::from_files`] reads the public surface of a generated crate from its files
//! (parsed with `syn`; only public items and signatures, never function bodies):
//! model types (structs with their fields, enums with their variants, type aliases), the
//! operations (the methods of `Client` and the methods of the server trait `Api`, with
//! the per-operation types their signatures name: `<Op>Request`, `<Op>Response`, `<Op>Error`,
//! `<Op>Body`, `<Op>Headers`; a client method returns its request builder,
//! `client::<Op>Request`, whose setters are the optional parameters and whose `send` gives
//! the output), other public types, traits, functions and re-exports. [`diff`] compares two
//! surfaces; [`report`] does both for two sets of files and never fails: an old tree that is
//! missing or does not parse gives a report that says there is no previous API.
//! [`report_for_dir`] is what `oasgen` and `cargo xtask codegen` call, before they write.
//!
//! Reading only signatures is also what keeps it cheap: a text pre-pass (`strip.rs`) empties
//! function bodies and drops comments, attributes the surface does not read and trait impls
//! before `syn` parses the file (a fifth of the text remains), and a file that did not change
//! is parsed once for both sides. Response statuses come from variant names
//! (`naming::status_name`), not docs.
//!
//! # Classification
//!
//! Every change is `breaking` or `additive`, judged for the users of the generated crate
//! (Rust semver: client users, server implementors) and of the HTTP API. The rules, in one
//! place:
//!
//! | change | class | why |
//! | --- | --- | --- |
//! | operation removed | breaking | its client method and `Api` method are gone |
//! | operation added | breaking | server implementors must implement the new required `Api` method (additive for client users) |
//! | operation added, `Api` method with a default body | additive | |
//! | parameter added, required | breaking | the client method takes a new positional argument, and HTTP callers that omit it are rejected |
//! | parameter added, optional | additive | the client's request builder gains a setter; the router fills the new `<Op>Request` field |
//! | parameter removed, retyped, made required or optional | breaking | the argument's Rust type changes |
//! | client arguments reordered, return type changed | breaking | |
//! | `Api` method arguments changed (credentials now required or no longer) | breaking | implementors must change the method |
//! | response status added | breaking | `<Op>Error` (or `<Op>Response`) gains a variant: exhaustive matches fail |
//! | response status added, server only | additive | implementors may return it |
//! | response status removed or its body retyped | breaking | |
//! | type removed, or changed between struct, enum and alias | breaking | |
//! | type added | additive | |
//! | field removed, retyped, made required (`Option<T>` -> `T`) or optional (`T` -> `Option<T>`) | breaking | code naming the field no longer compiles |
//! | required field added | breaking | struct literals must set it, and JSON without it is rejected |
//! | optional field added to a struct with `Default` | additive | literals written with `..Default::default()` keep compiling |
//! | optional field added to a struct without `Default` | breaking | struct literals must name it |
//! | struct no longer implements `Default` | breaking | `..Default::default()` no longer compiles |
//! | enum variant added | breaking | exhaustive `match`es need a new arm (string enums already kept the value as `Other`) |
//! | enum variant added to a `#[non_exhaustive]` enum | additive | |
//! | enum variant removed or its payload retyped | breaking | |
//! | function, trait or re-export removed or changed | breaking | |
//! | function, trait or re-export added, item newly `#[deprecated]` | additive | users get a warning at most |
//!
//! Changes to docs and function bodies are not API changes. The report is sorted (breaking
//! first, then by subject) and deterministic.

mod classify;
mod render;
mod strip;
mod surface;

pub use classify::diff;
pub use surface::{
    ClientMethod, Field, Operation, Param, Response, ServerMethod, Shape, Surface, TypeDef, Variant,
};

use crate::write::Files;
use std::fmt;
use std::path::Path;
use surface::{build, module_name, parse_modules};

/// Whether a change breaks users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Code or HTTP callers written against the old API may stop working.
    Breaking,
    /// Only adds to the API.
    Additive,
}

/// One change, with what it is and why it is classified so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking or additive.
    pub severity: Severity,
    /// What changed: "type `Address`", "operation `login`".
    pub subject: String,
    /// How: "field `street` removed".
    pub what: String,
    /// Why it has its class (may be empty).
    pub why: String,
}

/// The result of comparing the API of the files on disk with the API of the new files.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Why the change is unknown, if it is: there is no previous API to compare with (none
    /// on disk, or it does not parse), or the new files cannot be read.
    pub unknown: Option<String>,
    /// The changes, sorted: breaking first, then by subject.
    pub changes: Vec<Change>,
    /// Operations in the new API (0 when there was no old crate, so the new one was not read).
    pub operations: usize,
    /// Public types in the new API, besides the per-operation ones (0 likewise).
    pub types: usize,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.severity == Severity::Breaking)
    }

    fn count(&self, severity: Severity) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == severity)
            .count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(reason) = &self.unknown {
            write!(f, "API change: unknown ({reason})")?;
            if self.operations + self.types > 0 {
                write!(
                    f,
                    "; the new API has {} operation(s) and {} other public type(s)",
                    self.operations, self.types
                )?;
            }
            return Ok(());
        }
        let (breaking, additive) = (
            self.count(Severity::Breaking),
            self.count(Severity::Additive),
        );
        if breaking > 0 {
            write!(
                f,
                "API change: breaking ({breaking} breaking, {additive} additive):"
            )?;
        } else if additive > 0 {
            let s = if additive == 1 { "" } else { "s" };
            write!(
                f,
                "API change: non-breaking (additive; {additive} change{s}):"
            )?;
        } else {
            return f.write_str(
                "API change: none (no API change: public items and signatures are the same; only docs or bodies differ)",
            );
        }
        for c in &self.changes {
            let class = match c.severity {
                Severity::Breaking => "breaking",
                Severity::Additive => "additive",
            };
            write!(f, "\n  {class:<8}  {}: {}", c.subject, c.what)?;
            if !c.why.is_empty() {
                write!(f, "; {}", c.why)?;
            }
        }
        Ok(())
    }
}

/// Compares the API of `old` files with that of `new` ones. Never fails: when `old` holds no
/// generated Rust file, or one does not parse, the report says there is no previous API.
pub fn report(old: &Files, new: &Files) -> Report {
    let mut report = Report {
        unknown: None,
        changes: Vec::new(),
        operations: 0,
        types: 0,
    };
    if !old.keys().any(|path| module_name(path).is_some()) {
        // Nothing to compare with: a new crate, not worth parsing.
        report.unknown = Some("no previous API: no generated crate there yet".into());
        return report;
    }
    let new_parsed = match parse_modules(new, |_, _| false) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.unknown = Some(format!("the new files cannot be read: {e}"));
            return report;
        }
    };
    let new_refs: Vec<(&str, &syn::File)> = new_parsed.iter().map(|(m, f)| (*m, f)).collect();
    let Some(next) = build(&new_refs) else {
        report.unknown = Some("the new files hold no Rust module".into());
        return report;
    };
    report.operations = next.operations.len();
    report.types = next.types.len();
    // A file that did not change is parsed once, for both sides.
    let same = |path: &str, text: &str| new.get(path).is_some_and(|t| t == text);
    let old_parsed = match parse_modules(old, same) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.unknown = Some(format!("no previous API: {e}"));
            return report;
        }
    };
    let mut old_refs: Vec<(&str, &syn::File)> = old_parsed.iter().map(|(m, f)| (*m, f)).collect();
    for (path, text) in old {
        if let (Some(name), true) = (module_name(path), same(path, text)) {
            if let Some((_, f)) = new_parsed.iter().find(|(m, _)| *m == name) {
                old_refs.push((name, f));
            }
        }
    }
    old_refs.sort_by_key(|(m, _)| *m);
    match build(&old_refs) {
        Some(prev) => report.changes = diff(&prev, &next),
        None => report.unknown = Some("no previous API: no generated crate there yet".into()),
    }
    report
}

/// [`report`] against the crate in `dir`: reads the `.rs` files named in `new` from `dir`,
/// skipping any that are missing or were not written by the generator.
pub fn report_for_dir(dir: &Path, new: &Files) -> Report {
    report(&read_generated(dir, new), new)
}

/// The files of `dir` at the Rust paths of `files` that carry the `@generated` marker.
fn read_generated(dir: &Path, files: &Files) -> Files {
    files
        .keys()
        .filter(|p| p.ends_with(".rs"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(dir.join(p)).ok()?;
            let ours = text.lines().take(3).any(|l| l.contains("@generated"));
            ours.then(|| (p.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(models: &str) -> Files {
        let mut f = Files::new();
        f.insert("src/models.rs".into(), models.into());
        f
    }

    #[test]
    fn missing_or_broken_old_tree_means_no_previous_api() {
        let new = files("pub struct A { pub x: ::std::option::Option<i64> }");
        let r = report(&Files::new(), &new);
        assert!(r.unknown.is_some());
        assert!(r.to_string().contains("no previous API"), "{r}");
        let r = report(&files("pub struct A { pub x: "), &new);
        let text = r.to_string();
        assert!(text.contains("no previous API"), "{text}");
        assert!(text.contains("src/models.rs does not parse"), "{text}");
        let r = report_for_dir(Path::new("/nonexistent/oasgen/apidiff"), &new);
        assert!(r.unknown.is_some());
    }

    #[test]
    fn doc_and_body_changes_are_no_api_change() {
        let a = files("/// A.\n#[derive(Default)] pub struct A { pub x: Option<i64> }\nimpl A { fn f() { 1; } }");
        let b = files("/// B.\n#[derive(Default)] pub struct A {\n /// x\n pub x: Option<i64> }\nimpl A { fn f() { 2; } }");
        let r = report(&a, &b);
        assert!(r.changes.is_empty());
        assert!(r.to_string().contains("no API change"));
    }

    #[test]
    fn field_changes_are_classified() {
        let a = files(
            "#[derive(Default)] pub struct A { pub x: Option<i64>, pub y: String, pub z: i64 }",
        );
        let b = files("#[derive(Default)] pub struct A { pub x: i64, pub y: Option<String>, pub w: Option<i64> }");
        let r = report(&a, &b);
        let text = r.to_string();
        assert!(
            text.starts_with("API change: breaking (3 breaking, 1 additive):"),
            "{text}"
        );
        assert!(text.contains("field `x` made required"), "{text}");
        assert!(text.contains("field `y` made optional"), "{text}");
        assert!(text.contains("field `z` removed"), "{text}");
        assert!(
            text.contains("additive  type `A`: optional field `w` added"),
            "{text}"
        );
    }

    #[test]
    fn functions_traits_and_reexports_are_compared() {
        let mut a = Files::new();
        a.insert(
            "src/server.rs".into(),
            "pub use ::rt::{A, B};\npub trait Auth { type P; fn f(&self); }\npub fn router<S: Api>(s: S) -> R { todo!() }".into(),
        );
        let mut b = Files::new();
        b.insert(
            "src/server.rs".into(),
            "pub use ::rt::{A, C};\npub trait Auth { type P; fn f(&self, x: u8); }\npub fn router<S: Api + Clone>(s: S) -> R { todo!() }".into(),
        );
        let text = report(&a, &b).to_string();
        assert!(
            text.starts_with("API change: breaking (3 breaking, 1 additive):"),
            "{text}"
        );
        assert!(text.contains("function `server::router`: changed from `fn router<S:Api>(s: S) -> R` to `fn router<S:Api+Clone>(s: S) -> R`"), "{text}");
        assert!(text.contains("trait `server::Auth`: changed"), "{text}");
        assert!(
            text.contains("breaking  re-export `server::B`: removed"),
            "{text}"
        );
        assert!(
            text.contains("additive  re-export `server::C`: added"),
            "{text}"
        );
    }

    #[test]
    fn losing_default_is_breaking_and_makes_optional_fields_breaking() {
        let a = files("#[derive(Debug, Default)] pub struct A { pub x: Option<i64> }");
        let b = files("#[derive(Debug)] pub struct A { pub x: Option<i64>, pub y: Option<i64> }");
        let text = report(&a, &b).to_string();
        assert!(
            text.contains("type `A`: no longer implements `Default`"),
            "{text}"
        );
        assert!(
            text.contains("breaking  type `A`: optional field `y` added"),
            "{text}"
        );
    }
}
