//! Test support: the reference in-memory Customer Service ([`ReferenceService`]) and helpers
//! to serve it on a loopback port. `cargo xtask serve` runs it through the `reference-server`
//! binary.

pub mod reference;

pub use reference::{Mail, MailKind, Principal, ReferenceService};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Serves `service` on `listener` until `shutdown` completes, with the runtime's `serve`: a
/// client that does not finish its request head within 30 seconds is cut off.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<ReferenceService>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = customer_managed::server::router(service);
    oasgen_runtime::server::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Starts `service` on a free loopback port in the background; returns its base URL.
pub async fn spawn(service: Arc<ReferenceService>) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, service, std::future::pending()));
    Ok(format!("http://{addr}"))
}

/// This package's directory (`tests/`), read when the test runs: cargo sets
/// `CARGO_MANIFEST_DIR` for the test binaries it runs. A path compiled in (`env!`) would be
/// another clone's when clones share a target directory and cargo reuses a test binary.
///
/// # Panics
/// When the test binary was not started by cargo.
pub fn package_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run the tests with `cargo test`"))
}

/// The repository root (the parent of [`package_dir`]).
pub fn repo() -> PathBuf {
    let dir = package_dir();
    dir.parent().map(Path::to_path_buf).unwrap_or(dir)
}

/// A copy of the repository's `codegen.toml`, `specs/` and `generated/` in `target/tmp/<name>`,
/// made afresh, for tests that run `cargo xtask codegen` on an edited spec.
///
/// # Panics
/// On any I/O error: it is for tests.
pub fn repo_copy(name: &str) -> PathBuf {
    let repo = repo();
    let tmp = repo.join("target/tmp").join(name);
    let _ = std::fs::remove_dir_all(&tmp);
    for dir in ["specs", "generated"] {
        copy_dir(&repo.join(dir), &tmp.join(dir));
    }
    std::fs::copy(repo.join("codegen.toml"), tmp.join("codegen.toml")).unwrap();
    tmp
}

/// Replaces the first `from` with `to` in the spec of a [`repo_copy`].
///
/// # Panics
/// If `from` is not in the spec: the test's edit no longer applies.
pub fn edit_spec(root: &std::path::Path, spec: &str, from: &str, to: &str) {
    let path = root.join(spec);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen(from, to, 1);
    assert_ne!(
        text, changed,
        "the test's edit no longer applies to the spec"
    );
    std::fs::write(&path, changed).unwrap();
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
