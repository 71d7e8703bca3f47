//! Test support: the reference in-memory Customer Service ([`ReferenceService`]) and helpers
//! to serve it on a loopback port. `cargo xtask serve` runs it through the `reference-server`
//! binary.

pub mod reference;

pub use reference::{Mail, MailKind, Principal, ReferenceService};

use std::net::SocketAddr;
use std::sync::Arc;

/// Serves `service` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<ReferenceService>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = customer_managed::server::router(service);
    axum::serve(listener, app)
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
