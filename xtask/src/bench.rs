//! `cargo xtask bench`.

use anyhow::{bail, Result};
use std::path::Path;

/// Runs the command.
pub fn run(root: &Path) -> Result<()> {
    let _ = root;
    bail!("`cargo xtask bench` is not implemented yet")
}
