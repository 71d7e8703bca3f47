//! `codegen.toml`: the targets of `cargo xtask codegen`, one `[[target]]` table per spec.
//!
//! Paths in the manifest are relative to the directory that holds it (the repository root).
//! Loading checks everything that can be checked before generating: the TOML, its keys, that
//! each spec exists and that no two targets write one directory. All problems are collected,
//! each with the line it is on, so one run names every mistake.

use serde::Deserialize;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// The manifest's file name, at the repository root.
pub const FILE: &str = "codegen.toml";

/// The command named in generated headers when a target does not name one.
pub const DEFAULT_COMMAND: &str = "cargo xtask codegen";

/// The manifest as written; `Spanned` keeps the place of the values later checks complain about.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTarget {
    spec: Spanned<String>,
    out: Spanned<String>,
    crate_name: Spanned<String>,
    runtime_path: Option<String>,
    command: Option<String>,
}

/// One spec and the crate generated from it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The spec, relative to the manifest's directory, as written (it is also the header's label).
    pub spec: String,
    /// The crate directory, relative to the manifest's directory.
    pub out: String,
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Path of `oasgen-runtime` as written into the crate's Cargo.toml (relative to `out`).
    pub runtime_path: String,
    /// The command named in each generated file's header.
    pub command: String,
    /// The line of the target's `spec` key, for messages about the target.
    pub line: usize,
    /// The line of its `out` key, for messages about its directory.
    pub out_line: usize,
}

impl Target {
    /// The generator options of this target.
    pub fn options(&self) -> oasgen::CrateOptions {
        oasgen::CrateOptions {
            crate_name: self.crate_name.clone(),
            command: self.command.clone(),
            spec_label: self.spec.clone(),
            runtime_dependency: format!("path = {}", oasgen::emit::toml_string(&self.runtime_path)),
        }
    }
}

/// A loaded, checked manifest.
#[derive(Debug)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// The directory the targets' paths are relative to.
    pub base: PathBuf,
    /// The targets, in file order.
    pub targets: Vec<Target>,
}

impl Manifest {
    /// The target that generates the crate `name`.
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.crate_name == name)
    }
}

/// One problem in the manifest, at a line when the parser gave one.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

/// Why a manifest could not be used: every problem found, each rendered as `file:line: message`.
#[derive(Debug)]
pub struct Error {
    /// The manifest file.
    pub file: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.line {
                Some(line) => write!(f, "{}:{line}: {}", self.file.display(), p.message)?,
                None => write!(f, "{}: {}", self.file.display(), p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Reads and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<Manifest, Error> {
    let fail = |problems| Error {
        file: path.to_path_buf(),
        problems,
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(vec![Problem {
            line: None,
            message: format!(
                "cannot read the codegen manifest ({e}); it lists the specs `cargo xtask codegen` generates"
            ),
        }])
    })?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let targets = parse(&text, &base).map_err(fail)?;
    Ok(Manifest {
        path: path.to_path_buf(),
        base,
        targets,
    })
}

/// Parses and checks manifest text whose paths are relative to `base`.
pub fn parse(text: &str, base: &Path) -> Result<Vec<Target>, Vec<Problem>> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        vec![Problem {
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().trim_end().to_string(),
        }]
    })?;
    if raw.target.is_empty() {
        return Err(vec![Problem {
            line: None,
            message: "no targets: add a `[[target]]` table with `spec`, `out` and `crate-name`"
                .into(),
        }]);
    }
    let mut problems = Vec::new();
    let targets: Vec<Target> = raw
        .target
        .into_iter()
        .map(|t| target(text, base, t, &mut problems))
        .collect();
    clashes(&targets, &mut problems);
    problems.sort_by_key(|p| p.line);
    match problems.is_empty() {
        true => Ok(targets),
        false => Err(problems),
    }
}

/// Checks one target's paths and fills in its defaults.
fn target(text: &str, base: &Path, raw: RawTarget, problems: &mut Vec<Problem>) -> Target {
    let line = line_of(text, raw.spec.span().start);
    let out_line = line_of(text, raw.out.span().start);
    let mut problem = |line, message| {
        problems.push(Problem {
            line: Some(line),
            message,
        })
    };
    let (spec, out) = (raw.spec.into_inner(), raw.out.into_inner());
    if let Err(why) = inside(&spec) {
        problem(line, format!("spec `{spec}` {why}"));
    } else if !base.join(&spec).is_file() {
        problem(
            line,
            format!(
                "spec `{spec}` not found in {}; paths are relative to the manifest's directory",
                base.display()
            ),
        );
    }
    if let Err(why) = inside(&out) {
        problem(out_line, format!("out `{out}` {why}"));
    }
    let crate_line = line_of(text, raw.crate_name.span().start);
    let crate_name = raw.crate_name.into_inner();
    if crate_name.is_empty() {
        problem(crate_line, "crate-name is empty".into());
    }
    let runtime_path = raw
        .runtime_path
        .unwrap_or_else(|| default_runtime_path(&out));
    Target {
        spec,
        out,
        crate_name,
        runtime_path,
        command: raw.command.unwrap_or_else(|| DEFAULT_COMMAND.into()),
        line,
        out_line,
    }
}

/// A target path must be relative and stay inside the manifest's directory: `out` is replaced
/// as a whole, so it must never reach outside the repository.
fn inside(path: &str) -> Result<(), &'static str> {
    let p = Path::new(path);
    if path.is_empty() || p.components().all(|c| c == Component::CurDir) {
        return Err("is empty; give a path relative to the manifest's directory");
    }
    match p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        true => Ok(()),
        false => {
            Err("must be a relative path inside the manifest's directory (no `..`, not absolute)")
        }
    }
}

/// Two targets writing one directory (or one inside the other), or naming one crate, would
/// overwrite each other: the second is reported, naming the line of the first.
fn clashes(targets: &[Target], problems: &mut Vec<Problem>) {
    for (i, t) in targets.iter().enumerate() {
        let clash = targets[..i].iter().find_map(|earlier| clash(earlier, t));
        if let Some((line, message)) = clash {
            problems.push(Problem {
                line: Some(line),
                message,
            });
        }
    }
}

/// Why `t` cannot live beside the `earlier` target, if it cannot, and the line to blame.
fn clash(earlier: &Target, t: &Target) -> Option<(usize, String)> {
    let (a, b) = (normal(&earlier.out), normal(&t.out));
    if a == b {
        Some((t.out_line, format!(
            "out `{}` is also the out of the target at line {}; each target needs its own directory",
            t.out, earlier.line
        )))
    } else if a.starts_with(&b) || b.starts_with(&a) {
        Some((t.out_line, format!(
            "out `{}` and the out `{}` of the target at line {} are nested; each crate is replaced as a whole, so their directories must not contain each other",
            t.out, earlier.out, earlier.line
        )))
    } else if earlier.crate_name == t.crate_name {
        Some((
            t.line,
            format!(
                "crate-name `{}` is also the crate of the target at line {}",
                t.crate_name, earlier.line
            ),
        ))
    } else {
        None
    }
}

/// A checked relative path without `.` components, for comparing directories.
fn normal(path: &str) -> PathBuf {
    Path::new(path)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}

/// The repository's `runtime/` as seen from `out`, both relative to the manifest's directory.
fn default_runtime_path(out: &str) -> String {
    let depth = normal(out).components().count();
    let mut path = "../".repeat(depth);
    path.push_str("runtime");
    path
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory holding `specs/a.yaml` and `specs/b.yaml`.
    fn base(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-manifest-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("specs")).unwrap();
        for spec in ["a", "b"] {
            std::fs::write(dir.join(format!("specs/{spec}.yaml")), "openapi: 3.0.3\n").unwrap();
        }
        dir
    }

    fn problems(name: &str, text: &str) -> Vec<Problem> {
        let dir = base(name);
        let result = parse(text, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        result.unwrap_err()
    }

    fn at(line: usize, problems: &[Problem], needle: &str) {
        assert!(
            problems
                .iter()
                .any(|p| p.line == Some(line) && p.message.contains(needle)),
            "no problem at line {line} containing {needle:?}: {problems:?}"
        );
    }

    #[test]
    fn targets_get_their_defaults() {
        let dir = base("defaults");
        let text =
            "[[target]]\nspec = \"specs/a.yaml\"\nout = \"crates/a\"\ncrate-name = \"a\"\n\n\
                    [[target]]\nspec = \"specs/b.yaml\"\nout = \"b\"\ncrate-name = \"b\"\n\
                    runtime-path = \"../rt\"\ncommand = \"make api\"\n";
        let targets = parse(text, &dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].runtime_path, "../../runtime");
        assert_eq!(targets[0].command, DEFAULT_COMMAND);
        assert_eq!(targets[0].line, 2);
        assert_eq!(targets[1].runtime_path, "../rt");
        assert_eq!(targets[1].options().runtime_dependency, "path = \"../rt\"");
        assert_eq!(targets[1].options().spec_label, "specs/b.yaml");
        assert_eq!(targets[1].line, 7);
    }

    #[test]
    fn bad_toml_names_its_line() {
        let p = problems(
            "syntax",
            "[[target]]\nspec = \"specs/a.yaml\"\nout = generated\n",
        );
        at(3, &p, "");
    }

    #[test]
    fn an_unknown_key_names_its_line() {
        let p = problems(
            "unknown",
            "[[target]]\nspec = \"specs/a.yaml\"\nout = \"a\"\ncrate-name = \"a\"\nruntime = \"x\"\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("unknown field `runtime`"), "{p:?}");
        assert!(matches!(p[0].line, Some(1..=5)), "{p:?}");
    }

    #[test]
    fn a_missing_key_is_named() {
        let p = problems(
            "missing",
            "[[target]]\nspec = \"specs/a.yaml\"\nout = \"a\"\n",
        );
        assert!(p[0].message.contains("crate-name"), "{p:?}");
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "[[target]]\nspec = \"specs/nope.yaml\"\nout = \"a\"\ncrate-name = \"a\"\n\n\
                    [[target]]\nspec = \"specs/b.yaml\"\nout = \"./a\"\ncrate-name = \"b\"\n\n\
                    [[target]]\nspec = \"../b.yaml\"\nout = \"/tmp/c\"\ncrate-name = \"c\"\n\n\
                    [[target]]\nspec = \"specs/a.yaml\"\nout = \"a/inner\"\ncrate-name = \"d\"\n";
        let p = problems("several", text);
        at(2, &p, "spec `specs/nope.yaml` not found");
        at(8, &p, "also the out of the target at line 2");
        at(12, &p, "spec `../b.yaml` must be a relative path");
        at(13, &p, "out `/tmp/c` must be a relative path");
        at(18, &p, "are nested");
        assert_eq!(p.len(), 5, "{p:?}");
    }

    #[test]
    fn an_empty_manifest_asks_for_a_target() {
        let p = problems("empty", "# nothing yet\n");
        assert!(p[0].message.contains("[[target]]"), "{p:?}");
    }

    #[test]
    fn errors_render_as_file_and_line() {
        let e = Error {
            file: PathBuf::from("codegen.toml"),
            problems: vec![
                Problem {
                    line: Some(3),
                    message: "first".into(),
                },
                Problem {
                    line: None,
                    message: "second".into(),
                },
            ],
        };
        assert_eq!(e.to_string(), "codegen.toml:3: first\ncodegen.toml: second");
    }
}
