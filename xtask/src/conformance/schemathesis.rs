//! The server side: Schemathesis fuzzes the reference server (the tests crate's
//! `reference-server` binary) from `specs/customer-managed.yaml`, with every check on.
//!
//! Schemathesis comes from PyPI, pinned, installed into a venv under `target/conformance/pyenv`
//! (never globally). The server runs on a free loopback port with a seed token, which it accepts
//! as both an anonymous and a customer token, so the fuzzer reaches past authentication.

use super::Summary;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The pinned `schemathesis` version.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const SPEC: &str = "specs/customer-managed.yaml";
/// Test cases per operation and phase; bounds the run to a few minutes on two cores.
const MAX_EXAMPLES: &str = "25";
/// Fixed, so a failure reproduces.
const SEED: &str = "20250910";
/// The credential the server is started with; it only ever lives on a loopback port.
const SEED_TOKEN: &str = "schemathesis-seed-token";

/// Installs Schemathesis if needed, starts the server, runs the fuzzer and stops the server.
pub fn run(root: &Path) -> Result<Summary> {
    let dir = root.join("target/conformance");
    let st = install(&dir.join("pyenv"))?;
    let server_bin = build_server(root)?;
    let server = Server::start(&server_bin)?;
    let output = fuzz(root, &st, &server.base_url);
    drop(server);
    let (success, text) = output?;
    Ok(summarize(success, &text))
}

/// `pyenv/bin/st` of the pinned version, installed with pip when missing.
fn install(venv: &Path) -> Result<PathBuf> {
    let st = venv.join("bin/st");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args(["-m", "pip", "show", "schemathesis"])
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            text.lines()
                .any(|l| l == format!("Version: {SCHEMATHESIS_VERSION}"))
        })
        .unwrap_or(false);
    if installed && st.exists() {
        return Ok(st);
    }
    eprintln!(
        "installing schemathesis=={SCHEMATHESIS_VERSION} into {}",
        venv.display()
    );
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .context("running python3 -m venv (is Python 3 installed?)")?;
    if !status.success() {
        bail!("python3 could not create {}", venv.display());
    }
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .status()
        .context("running pip")?;
    if !status.success() || !st.exists() {
        bail!("pip could not install schemathesis=={SCHEMATHESIS_VERSION}");
    }
    Ok(st)
}

/// Builds the reference server and returns the path of its binary.
fn build_server(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "--package",
            "oasgen-tests",
            "--bin",
            "reference-server",
        ])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building the reference server failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("debug/reference-server"))
}

/// The running reference server; dropping it stops the process.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    fn start(bin: &Path) -> Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut child = Command::new(bin)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("OASGEN_REFERENCE_SEED_TOKEN", SEED_TOKEN)
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        // The server prints `listening on <url>` once it accepts connections.
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(base_url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("the reference server did not start: {line:?}");
        };
        let base_url = base_url.to_string();
        Ok(Server { child, base_url })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs Schemathesis; returns whether it passed and what it printed.
fn fuzz(root: &Path, st: &Path, base_url: &str) -> Result<(bool, String)> {
    // One worker: CPython 3.11's parser is not thread-safe (hypothesis parses lambda sources
    // while describing strategies), which shows up as a spurious "AST constructor recursion
    // depth mismatch" error with several workers.
    // Run inside target/ so that Schemathesis's cache directory stays out of the work tree.
    let output = Command::new(st)
        .current_dir(root.join("target/conformance"))
        .arg("run")
        .arg(root.join(SPEC))
        .args(["--url", base_url, "--checks", "all"])
        .args(["--header", &format!("Authorization: Bearer {SEED_TOKEN}")])
        .args([
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--workers",
            "1",
        ])
        .env("NO_COLOR", "1")
        .output()
        .context("running schemathesis")?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok((output.status.success(), text))
}

/// Prints Schemathesis's own summary and turns its counts into a [`Summary`].
fn summarize(success: bool, text: &str) -> Summary {
    let from_summary = text
        .lines()
        .position(|l| l.contains(" SUMMARY "))
        .unwrap_or(0);
    let start = if success { from_summary } else { 0 };
    for line in text.lines().skip(start) {
        println!("{line}");
    }
    // "Test cases:" is followed by e.g. "2075 generated, 2075 passed, 37 skipped".
    let counts = text
        .lines()
        .skip_while(|l| l.trim() != "Test cases:")
        .nth(1)
        .unwrap_or("");
    let passed = count_before(counts, "passed");
    let mut failed = count_before(counts, "failed") + count_before(counts, "unique failures");
    if !success && failed == 0 {
        // An error (not a failed check) also fails the run.
        failed = 1;
    }
    Summary {
        name: "schemathesis",
        passed,
        failed,
    }
}

/// The number just before `word` in `line` (`"12 passed"` -> 12), or 0.
fn count_before(line: &str, word: &str) -> usize {
    line.split(',')
        .filter_map(|part| part.trim().strip_suffix(word))
        .filter_map(|n| n.split_whitespace().last()?.parse::<usize>().ok())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_from_the_summary() {
        let text = "x\n=== SUMMARY ===\nTest cases:\n  2075 generated, 2070 passed, 5 failed, 37 skipped\n";
        let s = summarize(false, text);
        assert_eq!((s.passed, s.failed), (2070, 5));
        let text = "Test cases:\n  10 generated, 8 found 2 unique failures\n";
        assert_eq!(summarize(false, text).failed, 2);
        let text = "Test cases:\n  10 generated, 10 passed\n";
        assert_eq!(summarize(true, text).failed, 0);
        assert_eq!(summarize(false, text).failed, 1);
    }
}
