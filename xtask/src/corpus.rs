//! `cargo xtask corpus`.

use anyhow::{bail, Result};
use std::path::Path;

/// Runs the command.
pub fn run(root: &Path, dir: &Path) -> Result<()> {
    let _ = (root, dir);
    bail!("`cargo xtask corpus` is not implemented yet")
}
