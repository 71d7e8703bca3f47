//! Which checkout xtask works on, found when it runs.
//!
//! The root is never baked in at compile time (`env!("CARGO_MANIFEST_DIR")`): clones that share
//! one `CARGO_TARGET_DIR` share one xtask binary, and a compiled-in path would make
//! `cargo xtask codegen` in one clone regenerate another.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: the parent of xtask's package when cargo runs it (`cargo xtask` is
/// `cargo run --package xtask`, and cargo sets `CARGO_MANIFEST_DIR` and `CARGO_PKG_NAME` for
/// the program it runs), otherwise the workspace cargo finds from the current directory.
pub fn find() -> Result<PathBuf> {
    if let Some(root) = from_cargo_run() {
        return Ok(root);
    }
    match locate_workspace() {
        Ok(root) => Ok(root),
        Err(e) => bail!(
            "cannot find the repository root ({e:#}); run `cargo xtask <command>` from inside a checkout of the repository"
        ),
    }
}

/// The root `cargo run --package xtask` names through its environment. Another program's
/// `CARGO_MANIFEST_DIR` (xtask started by a test, say) is not taken for xtask's own.
fn from_cargo_run() -> Option<PathBuf> {
    if std::env::var_os("CARGO_PKG_NAME")? != "xtask" {
        return None;
    }
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let root = dir.parent()?;
    root.join("Cargo.toml")
        .is_file()
        .then(|| root.to_path_buf())
}

/// `cargo locate-project --workspace` from the current directory.
fn locate_workspace() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .context("running `cargo locate-project`")?;
    if !out.status.success() {
        bail!(
            "`cargo locate-project --workspace` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    match manifest.parent() {
        Some(root) if root != Path::new("") => Ok(root.to_path_buf()),
        _ => bail!(
            "`cargo locate-project` gave no directory: {}",
            manifest.display()
        ),
    }
}
