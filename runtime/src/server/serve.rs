//! [`serve`]: `axum::serve` with the timeout it lacks, a limit on how long a client may take
//! to send its request head.

use axum::extract::ConnectInfo;
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::time::Duration;

/// Serves `app` on `listener` over HTTP/1.1, like `axum::serve`, with two differences that
/// matter in production:
///
/// - A client must send its request line and headers within the
///   [header-read timeout](Serve::header_read_timeout) (30 seconds unless set), or the
///   connection is closed: `axum::serve` gives hyper no timer, so a client that opens
///   connections and never finishes its headers holds them forever.
/// - Every request carries the peer's address as axum's `ConnectInfo` extension, which
///   handlers read with [`RawRequest::peer_addr`](super::RawRequest::peer_addr).
///
/// Await it to run; [`Serve::with_graceful_shutdown`] stops it. Timeouts of whole requests,
/// tracing and other policies are tower layers on `app` (see the README).
pub fn serve<L: Listener>(listener: L, app: Router) -> Serve<L> {
    Serve {
        listener,
        app,
        header_read_timeout: Duration::from_secs(30),
        shutdown: Box::pin(std::future::pending()),
    }
}

/// A server being configured; see [`serve`].
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve<L> {
    listener: L,
    app: Router,
    header_read_timeout: Duration,
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl<L> std::fmt::Debug for Serve<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("header_read_timeout", &self.header_read_timeout)
            .finish_non_exhaustive()
    }
}

impl<L: Listener> Serve<L> {
    /// How long a client may take from opening a connection (or finishing its previous
    /// request) to the end of its request head; then the connection is closed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Stops accepting connections once `signal` completes, lets each open connection finish
    /// the request it is serving, then returns.
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.shutdown = Box::pin(signal);
        self
    }

    async fn run(mut self) -> io::Result<()>
    where
        L::Addr: Clone + Send + Sync + 'static,
    {
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        let connections = GracefulShutdown::new();
        loop {
            // `Listener::accept` retries on errors as `axum::serve` does.
            let (io, peer) = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = &mut self.shutdown => break,
            };
            let app = self.app.clone();
            let service =
                hyper::service::service_fn(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer.clone()));
                    tower_service::Service::call(&mut app.clone(), request)
                });
            let connection = connections.watch(http.serve_connection(TokioIo::new(io), service));
            // A connection ends in an error when its client is too slow or goes away; either
            // way there is nobody to tell.
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
        drop(self.listener);
        connections.shutdown().await;
        Ok(())
    }
}

impl<L> IntoFuture for Serve<L>
where
    L: Listener,
    L::Addr: Clone + Send + Sync + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
