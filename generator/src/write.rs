//! Writing the generated crate: all or nothing, and only when something changed.
//!
//! **Invariant:** a failed run writes nothing. Generation happens in memory first; the new crate
//! is then written next to the old one and swapped in with renames, so a reader never sees half
//! of each. `check` mode never writes.

use crate::error::Error;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
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

/// Whether the file at `path` holds exactly `text`. Reads it a block at a time, so comparing a
/// large crate does not hold a second copy of it; a file of another length is not read at all.
fn holds(path: &Path, text: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    if file
        .metadata()
        .map_or(true, |m| m.len() != text.len() as u64)
    {
        return false;
    }
    let mut block = [0u8; 64 * 1024];
    let mut rest = text;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if rest.len() >= n && rest[..n] == block[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Compares `files` with the contents of `dir`.
pub fn diff(dir: &Path, files: &Files) -> Result<Diff, Error> {
    let mut d = Diff::default();
    for (rel, text) in files {
        if !holds(&dir.join(rel), text.as_bytes()) {
            d.changed.push(rel.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_compares_contents_byte_for_byte() {
        let dir = std::env::temp_dir().join(format!("oasgen-write-diff-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        // Longer than one read block, so the comparison spans several.
        let big: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let mut changed_at_end = big.clone();
        changed_at_end.pop();
        changed_at_end.push('!');
        let mut changed_early = big.clone();
        changed_early.replace_range(3..4, "E");
        let write = |rel: &str, text: &str| fs::write(dir.join(rel), text).unwrap();
        write("same.rs", &big);
        write("end.rs", &big);
        write("early.rs", &big);
        write("shorter.rs", &big[..big.len() - 1]);
        write("src/empty.rs", "");
        write("stray.rs", "// @generated\n");
        let files: Files = [
            ("same.rs", big.clone()),
            ("end.rs", changed_at_end),
            ("early.rs", changed_early),
            ("shorter.rs", big.clone()),
            ("src/empty.rs", String::new()),
            ("missing.rs", String::new()),
        ]
        .into_iter()
        .map(|(rel, text)| (rel.to_string(), text))
        .collect();
        let d = diff(&dir, &files).unwrap();
        assert_eq!(
            d.changed,
            ["early.rs", "end.rs", "missing.rs", "shorter.rs"]
        );
        assert_eq!(d.removed, ["stray.rs"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
