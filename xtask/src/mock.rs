//! `cargo xtask mock SPEC --addr HOST:PORT`: serves the generated mock of any spec.
//!
//! The crate of each spec is generated into a scratch cargo workspace under `target/mock/`,
//! beside a small server crate that serves its router over its `mock::Mock`; the workspace is
//! built with the repository's `Cargo.lock`, into a target directory of its own, so xtask
//! itself never compiles axum or tokio. The server (`oasgen_runtime::server::serve`, with its
//! header-read timeout) prints `listening on <url>` once it accepts connections and stops
//! cleanly on SIGINT and SIGTERM. With `OASGEN_MOCK_TOKENS`
//! (comma-separated) set, it accepts only those credentials.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the mock of `spec` and runs it on `addr`; on Unix the server replaces this process,
/// so signals sent to `cargo xtask mock` reach it.
pub fn run(root: &Path, spec: &Path, addr: &str) -> Result<()> {
    let bins = build(root, &[spec.to_path_buf()])?;
    let mut command = Command::new(&bins[0]);
    command.arg(addr);
    eprintln!("serving the mock of {}", spec.display());
    exec(command, "the mock server")
}

/// Replaces this process with `command` (Unix), so that signals sent to xtask reach it; or
/// runs it to its end. `what` names it in errors.
pub(crate) fn exec(mut command: Command, what: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.exec();
        Err(e).with_context(|| format!("starting {what}"))
    }
    #[cfg(not(unix))]
    {
        let status = command
            .status()
            .with_context(|| format!("starting {what}"))?;
        if !status.success() {
            bail!("{what} stopped: {status}");
        }
        Ok(())
    }
}

/// The package name of the crate generated from `spec`.
fn stem(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    clean.trim_matches('-').to_string()
}

/// Generates a crate and a server for each spec and builds them; returns the server binaries,
/// in the order of `specs`.
pub fn build(root: &Path, specs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let ws = root.join("target/mock/ws");
    let mut members = Vec::new();
    for spec in specs {
        let name = stem(spec);
        write_crate(root, &ws, spec, &name)?;
        write_server(root, &ws, &name)?;
        members.push(name);
    }
    let manifest = "# Written by `cargo xtask mock`.\n[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"servers/*\"]\n";
    std::fs::write(ws.join("Cargo.toml"), manifest)?;
    // The repository's versions, so the mock builds what the tests build.
    std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"))?;
    let target = root.join("target/mock/target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building {} mock server(s) in {}",
        specs.len(),
        ws.display()
    );
    let mut build = Command::new(cargo);
    build
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--quiet"]);
    for name in &members {
        build.args(["--package", &format!("mock-{name}")]);
    }
    let status = build.status().context("running cargo build")?;
    if !status.success() {
        bail!("building the mock server(s) failed");
    }
    Ok(members
        .iter()
        .map(|name| target.join("debug").join(format!("mock-{name}")))
        .collect())
}

/// Generates the crate of `spec` into `ws/crates/<name>`.
fn write_crate(root: &Path, ws: &Path, spec: &Path, name: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(spec).with_context(|| format!("cannot read {}", spec.display()))?;
    let runtime = root.join("runtime");
    let options = oasgen::CrateOptions {
        crate_name: format!("api-{name}"),
        command: "cargo xtask mock".into(),
        spec_label: spec.display().to_string(),
        runtime_dependency: format!(
            "path = {}",
            oasgen::emit::toml_string(&runtime.display().to_string())
        ),
    };
    let generated = oasgen::generate(&spec.display().to_string(), &text, &options)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    oasgen::write::write_crate(&ws.join("crates").join(name), &generated.files)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// Writes the server crate of `name` into `ws/servers/<name>`.
fn write_server(root: &Path, ws: &Path, name: &str) -> Result<()> {
    let dir = ws.join("servers").join(name);
    std::fs::create_dir_all(dir.join("src"))?;
    let runtime = oasgen::emit::toml_string(&root.join("runtime").display().to_string());
    let manifest = format!(
        r#"# Written by `cargo xtask mock`.
[package]
name = "mock-{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
api = {{ package = "api-{name}", path = "../../crates/{name}", features = ["mock"] }}
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
oasgen-runtime = {{ path = {runtime}, features = ["server"] }}
tokio = {{ version = "1", features = ["macros", "net", "rt-multi-thread", "signal"] }}
"#
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src/main.rs"), SERVER_MAIN)?;
    Ok(())
}

/// The server: the generated router over the generated mock.
const SERVER_MAIN: &str = r#"//! Written by `cargo xtask mock`: serves the generated router over the generated mock.

use std::sync::Arc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let mut mock = api::mock::Mock::new();
    // A comma-separated list: only these credentials are accepted (any non-empty one without).
    if let Ok(tokens) = std::env::var("OASGEN_MOCK_TOKENS") {
        mock = mock.accept_tokens(tokens.split(',').filter(|t| !t.is_empty()).map(str::to_string));
    }
    let app = api::server::router(Arc::new(mock));
    // Unlike `axum::serve`, it cuts off a client that does not finish its request head within
    // 30 seconds.
    oasgen_runtime::server::serve(listener, app)
        .with_graceful_shutdown(stopped())
        .await
}

/// Resolves on SIGINT or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("stopping");
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_package_names() {
        assert_eq!(
            stem(Path::new("a/Customer_Managed.yaml")),
            "customer-managed"
        );
        assert_eq!(
            stem(Path::new("site-settings-service.yml")),
            "site-settings-service"
        );
    }
}
