//! Writing the generated crate: all or nothing, and only when something changed.
//!
//! **Invariant:** a failed run writes nothing. Generation happens in memory first; the new crate
//! is then written next to the old one and swapped in with renames, so a reader never sees half
//! of each. `check` mode never writes.

use crate::error::Error;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Files of a crate: path relative to the crate root -> contents.
pub type Files = BTreeMap<String, String>;

/// What differs between the generated files and a directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Files that would be created or changed.
    pub changed: Vec<String>,
    /// Generated files on disk that would be removed.
    pub removed: Vec<String>,
}

impl Diff {
    /// Whether the directory already holds exactly these files.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// All stale paths.
    pub fn paths(&self) -> Vec<String> {
        self.changed.iter().chain(&self.removed).cloned().collect()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Every file below `dir`, relative, with `/` separators, sorted.
fn list(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        for entry in fs::read_dir(&abs).map_err(io(&abs))? {
            let entry = entry.map_err(io(&abs))?;
            let rel = rel.join(entry.file_name());
            if entry.file_type().map_err(io(&abs))?.is_dir() {
                stack.push(rel);
            } else {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compares `files` with the contents of `dir`.
pub fn diff(dir: &Path, files: &Files) -> Result<Diff, Error> {
    let mut d = Diff::default();
    for (rel, text) in files {
        let path = dir.join(rel);
        match fs::read_to_string(&path) {
            Ok(old) if &old == text => {}
            _ => d.changed.push(rel.clone()),
        }
    }
    for rel in list(dir)? {
        if !files.contains_key(&rel) {
            d.removed.push(rel);
        }
    }
    Ok(d)
}

/// Makes `dir` hold exactly `files`, atomically; returns what changed.
///
/// Refuses to touch a directory holding files the generator did not write (no `@generated`
/// marker), so pointing `--out` at the wrong directory cannot delete anything.
pub fn write_crate(dir: &Path, files: &Files) -> Result<Diff, Error> {
    let d = diff(dir, files)?;
    if d.is_empty() {
        return Ok(d);
    }
    let foreign: Vec<String> = d
        .removed
        .iter()
        .filter(|rel| {
            let text = fs::read_to_string(dir.join(rel)).unwrap_or_default();
            !text.lines().take(3).any(|l| l.contains("@generated"))
        })
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(Error::Foreign {
            dir: dir.display().to_string(),
            files: foreign,
        });
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated".into());
    let parent = dir.parent().unwrap_or(Path::new("."));
    let fresh = parent.join(format!(".{name}.new"));
    let old = parent.join(format!(".{name}.old"));
    for stale in [&fresh, &old] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(io(stale))?;
        }
    }
    for (rel, text) in files {
        let path = fresh.join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(io(p))?;
        }
        fs::write(&path, text).map_err(io(&path))?;
    }
    if dir.exists() {
        fs::rename(dir, &old).map_err(io(dir))?;
    }
    if let Err(e) = fs::rename(&fresh, dir) {
        // Put the old crate back, so a failure leaves what was there.
        let _ = fs::rename(&old, dir);
        return Err(io(dir)(e));
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(d)
}
