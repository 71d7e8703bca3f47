//! `cargo xtask serve [--addr HOST:PORT]`: runs the reference in-memory Customer Service.
//!
//! The server is the tests crate's `reference-server` binary, run through cargo, so that xtask
//! itself never compiles axum or tokio. On Unix, cargo replaces this process (and `cargo run`
//! replaces itself with the server), so a SIGTERM sent to `cargo xtask serve` stops the server
//! instead of leaving it running without its parent.

use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// Builds and runs the reference server on `addr` until it is interrupted.
pub fn run(root: &Path, addr: &str) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Which checkout is served, since clones sharing a target directory share this binary.
    eprintln!("serving the reference service of {}", root.display());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["run", "--quiet", "--package", "oasgen-tests"])
        .args(["--bin", "reference-server", "--", "--addr", addr]);
    crate::mock::exec(command, "the reference server")
}
