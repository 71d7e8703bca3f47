//! `oasgen_runtime::server::serve`: a client that opens a connection and never finishes its
//! request head is cut off after the header-read timeout (`axum::serve` would hold it
//! forever), while one that finishes is served; a graceful shutdown ends the server. On
//! tokio's paused clock, so the timeout passes without waiting.

use fixture_headers::mock::Mock;
use fixture_headers::server::router;
use oasgen_runtime::server::serve;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn a_request_head_that_never_ends_is_cut_off() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(Arc::new(Mock::new()));
    let server = serve(listener, app).header_read_timeout(Duration::from_secs(5));
    tokio::spawn(server.into_future());

    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /items HTTP/1.1\r\nhost: shop\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // Ends when the server closes the connection.
    slow.read_to_end(&mut answer).await.unwrap();
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(5)..Duration::from_secs(6)).contains(&waited),
        "closed after {waited:?}"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );

    // A client that sends its head in time is answered.
    let mut quick = TcpStream::connect(addr).await.unwrap();
    quick
        .write_all(b"GET /items HTTP/1.1\r\nhost: shop\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    quick.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("x-total-count: 42"), "{answer}");
}

#[tokio::test(start_paused = true)]
async fn a_graceful_shutdown_stops_the_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(Arc::new(Mock::new()));
    let server = serve(listener, app).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let running = tokio::spawn(server.into_future());
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}
