//! `cargo xtask serve`.

use anyhow::{bail, Result};
use std::path::Path;

/// Runs the command.
pub fn run(root: &Path, addr: &str) -> Result<()> {
    let _ = (root, addr);
    bail!("`cargo xtask serve` is not implemented yet")
}
