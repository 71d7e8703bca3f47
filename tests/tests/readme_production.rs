//! The README's "Response headers and the raw request" and "Serving in production" examples,
//! compiled and run: the catalog of the golden crate of `tests/fixtures/headers.yaml`, behind
//! tower-http's request id, tracing and timeout layers, served by the runtime's `serve`.

use fixture_headers::models::Item;
use fixture_headers::server::{
    Authenticator, CreateItemRequest, CreateItemResponse, GetItemRequest, GetItemResponse,
    OpenSessionRequest, OpenSessionResponse, SecurityScheme,
};
use oasgen_runtime::reqwest;
use oasgen_runtime::server::Credential;
use std::sync::{Arc, Mutex};

/// A catalog of two items that keeps a log of who asked.
#[derive(Default)]
struct Catalog {
    log: Mutex<Vec<String>>,
}

impl Catalog {
    fn log(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }

    fn items(&self) -> Vec<Item> {
        let item = |name: &str| Item {
            id: Some(name.into()),
            name: name.into(),
        };
        vec![item("pear"), item("fig")]
    }
}

impl Authenticator for Catalog {
    type Principal = ();

    async fn authenticate(&self, scheme: SecurityScheme, _: &Credential) -> Option<()> {
        match scheme {}
    }
}

// README: "Response headers and the raw request".
use fixture_headers::server::{router, Api, ListItemsRequest, ListItemsResponse};
use tower_http::request_id::RequestId;

impl Api for Catalog {
    async fn list_items(&self, request: ListItemsRequest) -> ListItemsResponse {
        // Beside the typed parameters: the request as it arrived, with every header, the
        // extensions tower layers set (here tower-http's request id) and the peer's address.
        let id = request.raw.extension::<RequestId>();
        let agent = request.raw.headers.get("user-agent");
        self.log(format!("{id:?} {agent:?} {:?}", request.raw.peer_addr()));
        let items = self.items();
        ListItemsResponse::Ok {
            x_total_count: items.len() as i64, // `X-Total-Count`: required, always sent
            x_page: None,                      // `X-Page`: optional, `None` is not sent
            body: items,
        }
    }
    // ... and the other operations.

    async fn create_item(&self, request: CreateItemRequest) -> CreateItemResponse {
        CreateItemResponse::Created {
            location: format!("/items/{}", request.body.name),
            body: request.body,
            body_2: None,
        }
    }

    async fn get_item(&self, _: GetItemRequest) -> GetItemResponse {
        GetItemResponse::NotFound
    }

    async fn open_session(&self, _: OpenSessionRequest) -> OpenSessionResponse {
        OpenSessionResponse::NoContent {
            x_session_token: oasgen_runtime::Secret::new("s-1"),
        }
    }
}

// README: "Serving in production".
use axum::http::StatusCode;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Serves the catalog until `shutdown` completes, then lets open requests finish.
async fn serve_in_production(
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (status, timeout) = (StatusCode::REQUEST_TIMEOUT, Duration::from_secs(10));
    let app = router(Arc::new(Catalog::default()))
        // A request whose handler takes longer than 10 s gets 408.
        .layer(TimeoutLayer::with_status_code(status, timeout))
        // A `tracing` span per request: method, URI, status, latency.
        .layer(TraceLayer::new_for_http())
        // An `x-request-id` on each request (in its extensions) and echoed on its response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    oasgen_runtime::server::serve(listener, app)
        // The request line and headers must arrive within 5 s (30 s by default).
        .header_read_timeout(Duration::from_secs(5))
        .with_graceful_shutdown(shutdown)
        .await
}

#[tokio::test]
async fn the_production_example_serves_and_stops() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_in_production(listener, async {
        let _ = stopped.await;
    }));

    let response = reqwest::Client::new()
        .get(format!("{base}/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(response.headers()["x-total-count"], "2");
    assert!(!response.headers().contains_key("x-page"));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_handler_sees_the_request_id_the_agent_and_the_peer() {
    let catalog = Arc::new(Catalog::default());
    let app = router(catalog.clone()).layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(std::future::IntoFuture::into_future(
        oasgen_runtime::server::serve(listener, app),
    ));
    let http = reqwest::Client::builder()
        .user_agent("catalog-test")
        .build()
        .unwrap();
    let response = http.get(format!("{base}/items")).send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body[0]["name"], "pear");
    let log = catalog.log.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    assert!(log[0].starts_with("Some(RequestId("), "{}", log[0]);
    let rest = " Some(\"catalog-test\") Some(127.0.0.1:";
    assert!(log[0].contains(rest), "{}", log[0]);
}
