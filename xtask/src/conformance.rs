//! `cargo xtask conformance`.

use anyhow::{bail, Result};
use std::path::Path;

/// Runs the command.
pub fn run(root: &Path, only: Option<&str>) -> Result<()> {
    let _ = (root, only);
    bail!("`cargo xtask conformance` is not implemented yet")
}
