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
    let headers = [format!("Authorization: Bearer {SEED_TOKEN}")];
    let output = fuzz(
        root,
        &st,
        &root.join(SPEC),
        &server.base_url,
        &headers,
        MAX_EXAMPLES,
    );
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
        let mut command = Command::new(bin);
        command
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("OASGEN_REFERENCE_SEED_TOKEN", SEED_TOKEN);
        Server::spawn(command)
    }

    /// Runs `command`, a server that prints `listening on <url>` once it accepts connections.
    fn spawn(mut command: Command) -> Result<Server> {
        let bin = PathBuf::from(command.get_program());
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        // The server prints `listening on <url>` once it accepts connections.
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(base_url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("{} did not start: {line:?}", bin.display());
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

/// Runs Schemathesis on `spec` against `base_url`, sending `headers` with every request;
/// returns whether it passed and what it printed.
fn fuzz(
    root: &Path,
    st: &Path,
    spec: &Path,
    base_url: &str,
    headers: &[String],
    max_examples: &str,
) -> Result<(bool, String)> {
    // One worker: CPython 3.11's parser is not thread-safe (hypothesis parses lambda sources
    // while describing strategies), which shows up as a spurious "AST constructor recursion
    // depth mismatch" error with several workers.
    // Run inside target/ so that Schemathesis's cache directory stays out of the work tree.
    let mut command = Command::new(st);
    command
        .current_dir(root.join("target/conformance"))
        .arg("run")
        .arg(spec)
        .args(["--url", base_url, "--checks", "all"]);
    for header in headers {
        command.args(["--header", header]);
    }
    let output = command
        .args([
            "--max-examples",
            max_examples,
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

/// Test cases per operation and phase for each corpus spec: fewer than for the reference
/// service, so that a folder of specs runs in tens of minutes.
const CORPUS_MAX_EXAMPLES: &str = "10";

/// One spec's result against its mock.
pub struct SpecResult {
    /// The spec's file name.
    pub name: String,
    /// Test cases Schemathesis generated and passed, and the failures it found.
    pub cases: usize,
    /// Failed checks (or `1` for a run that ended in an error).
    pub failed: usize,
    /// Why the spec could not be run, if it could not.
    pub error: Option<String>,
}

/// Schemathesis against the generated mock of each spec, one after another.
pub fn run_corpus(root: &Path, specs: &[PathBuf]) -> Result<Vec<SpecResult>> {
    let st = install(&root.join("target/conformance/pyenv"))?;
    let bins = crate::mock::build(root, specs)?;
    let mut results = Vec::new();
    for (spec, bin) in specs.iter().zip(bins) {
        let name = spec
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!("schemathesis: {name}");
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Command::new(&bin);
        // Only the token sent below: Schemathesis checks that other credentials are refused.
        command
            .arg(format!("127.0.0.1:{port}"))
            .env("OASGEN_MOCK_TOKENS", "mock-token");
        let run = Server::spawn(command).and_then(|server| {
            let headers = auth_headers(spec);
            let out = fuzz(
                root,
                &st,
                spec,
                &server.base_url,
                &headers,
                CORPUS_MAX_EXAMPLES,
            );
            drop(server);
            out
        });
        results.push(match run {
            Ok((success, text)) => {
                let log = root.join("target/conformance").join(format!("{name}.log"));
                std::fs::write(&log, &text)?;
                let counts = text
                    .lines()
                    .skip_while(|l| l.trim() != "Test cases:")
                    .nth(1)
                    .unwrap_or("");
                let failed =
                    count_before(counts, "failed") + count_before(counts, "unique failures");
                SpecResult {
                    name,
                    cases: count_before(counts, "generated"),
                    failed: if success { failed } else { failed.max(1) },
                    error: None,
                }
            }
            Err(e) => SpecResult {
                name,
                cases: 0,
                failed: 1,
                error: Some(format!("{e:#}")),
            },
        });
    }
    Ok(results)
}

/// A credential for every scheme the spec declares in a header: the mock accepts any.
fn auth_headers(spec: &Path) -> Vec<String> {
    let mut headers = vec!["Authorization: Bearer mock-token".to_string()];
    let Ok(text) = std::fs::read_to_string(spec) else {
        return headers;
    };
    let Ok(loaded) = oasgen::load::load(&spec.display().to_string(), &text) else {
        return headers;
    };
    let schemes = loaded
        .doc
        .components
        .iter()
        .flat_map(|c| c.security_schemes.values());
    for scheme in schemes {
        if let openapiv3::ReferenceOr::Item(openapiv3::SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name,
            ..
        }) = scheme
        {
            if !name.eq_ignore_ascii_case("authorization") {
                headers.push(format!("{name}: mock-token"));
            }
        }
    }
    headers
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
