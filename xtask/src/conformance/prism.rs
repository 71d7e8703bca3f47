//! The client side: Stoplight Prism mocks the spec (validating every request), and the tests
//! crate's `prism_client` example calls every operation through the generated client.
//!
//! Prism comes from npm, pinned, installed under `target/conformance/node` (never globally).
//! The example is a separate program so that xtask itself never compiles reqwest or tokio.

use super::Summary;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The pinned `@stoplight/prism-cli` version.
const PRISM_VERSION: &str = "5.16.0";
const SPEC: &str = "specs/customer-managed.yaml";

/// Installs Prism if needed, starts it, runs the client against it and stops it.
pub fn run(root: &Path) -> Result<Summary> {
    let dir = root.join("target/conformance");
    let prism = install(&dir.join("node"))?;
    let operations = operation_ids(root)?;
    build_client(root)?;
    let port = free_port()?;
    let log = dir.join("prism.log");
    let server = start(root, &prism, port, &log)?;
    let output = run_client(root, port);
    drop(server);
    let output = output?;
    Ok(tally(&operations, &output, &log))
}

/// `node_modules/.bin/prism` of the pinned version, installed with npm when missing.
fn install(node_dir: &Path) -> Result<PathBuf> {
    let bin = node_dir.join("node_modules/.bin/prism");
    let manifest = node_dir.join("node_modules/@stoplight/prism-cli/package.json");
    let installed = std::fs::read_to_string(&manifest)
        .map(|m| m.contains(&format!("\"version\": \"{PRISM_VERSION}\"")))
        .unwrap_or(false);
    if installed && bin.exists() {
        return Ok(bin);
    }
    eprintln!(
        "installing @stoplight/prism-cli@{PRISM_VERSION} into {}",
        node_dir.display()
    );
    std::fs::create_dir_all(node_dir)?;
    let status = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(node_dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .arg(format!("@stoplight/prism-cli@{PRISM_VERSION}"))
        .status()
        .context("running npm (is Node.js installed?)")?;
    if !status.success() || !bin.exists() {
        bail!("npm could not install @stoplight/prism-cli@{PRISM_VERSION}");
    }
    Ok(bin)
}

/// The operationIds of the spec, in spec order.
fn operation_ids(root: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(root.join(SPEC))?;
    let loaded = oasgen::load::load(SPEC, &text)?;
    let api = oasgen::lower::lower(SPEC, &loaded)?;
    Ok(api.operations.into_iter().map(|o| o.operation_id).collect())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the client program first, so that Prism does not sit idle through a build.
fn build_client(root: &Path) -> Result<()> {
    let status = cargo()
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "-p",
            "oasgen-tests",
            "--example",
            "prism_client",
        ])
        .status()?;
    if !status.success() {
        bail!("building the prism_client example failed");
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The Prism process; dropping it stops Prism.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(root: &Path, prism: &Path, port: u16, log: &Path) -> Result<Server> {
    let out = File::create(log)?;
    let child = Command::new(prism)
        .current_dir(root)
        .args([
            "mock",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--errors",
            SPEC,
        ])
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .context("starting Prism")?;
    let mut server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = server.0.try_wait()? {
            bail!("Prism exited with {status}; see {}", log.display());
        }
        if Instant::now() > deadline {
            bail!(
                "Prism did not listen on port {port} within 60 s; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(server)
}

fn run_client(root: &Path, port: u16) -> Result<String> {
    let output = cargo()
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            "oasgen-tests",
            "--example",
            "prism_client",
            "--",
        ])
        .arg(format!("http://127.0.0.1:{port}"))
        .stderr(Stdio::inherit())
        .output()
        .context("running the prism_client example")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Prints the client's line per operation and counts them; an operation without a line
/// failed.
fn tally(operations: &[String], output: &str, log: &Path) -> Summary {
    let mut passed = 0;
    let mut failed = 0;
    for op in operations {
        let line = output.lines().find(|l| {
            let mut words = l.split_whitespace();
            matches!(words.next(), Some("PASS" | "FAIL")) && words.next() == Some(op.as_str())
        });
        match line {
            Some(l) if l.starts_with("PASS") => {
                passed += 1;
                println!("{l}");
            }
            Some(l) => {
                failed += 1;
                println!("{l}");
            }
            None => {
                failed += 1;
                println!("FAIL {op}: not called (Prism log: {})", log.display());
            }
        }
    }
    Summary {
        name: "prism",
        passed,
        failed,
    }
}
