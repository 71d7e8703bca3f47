//! Response headers and the raw request, through the generated router of the golden crate of
//! `tests/fixtures/headers.yaml`: a variant whose status declares headers carries them typed
//! and the router writes them (required ones always, optional ones when set); the mock fills
//! them from the spec's examples; a handler reads the raw request beside the typed one.

use fixture_headers::models::Item;
use fixture_headers::server::{
    router, Api, Authenticator, CreateItemRequest, CreateItemResponse, GetItemRequest,
    GetItemResponse, ListItemsRequest, ListItemsResponse, OpenSessionRequest, OpenSessionResponse,
    SecurityScheme,
};
use oasgen_runtime::reqwest::{self, header::HeaderMap, StatusCode};
use oasgen_runtime::server::{Credential, RawRequest};
use oasgen_runtime::Secret;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// A shop of one item that remembers what the raw requests showed it.
#[derive(Default)]
struct Shop {
    seen: Mutex<Vec<String>>,
}

impl Authenticator for Shop {
    type Principal = ();

    async fn authenticate(&self, scheme: SecurityScheme, _: &Credential) -> Option<()> {
        match scheme {}
    }
}

impl Api for Shop {
    async fn list_items(&self, request: ListItemsRequest) -> ListItemsResponse {
        self.saw(&request.raw);
        let body = vec![Item {
            id: Some("i1".into()),
            name: "pear".into(),
        }];
        // A page size of 1 means a second page; the optional header says so.
        let x_page = request.page_size.filter(|&n| n == 1).map(|_| 2);
        ListItemsResponse::Ok {
            body,
            x_total_count: 2,
            x_page,
        }
    }

    async fn create_item(&self, request: CreateItemRequest) -> CreateItemResponse {
        if request.body.name == "taken" {
            return CreateItemResponse::Default {
                status: axum::http::StatusCode::CONFLICT,
                x_request_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
            };
        }
        CreateItemResponse::Created {
            location: format!("/items/{}", request.body.name),
            body: request.body,
            body_2: None,
        }
    }

    async fn get_item(&self, request: GetItemRequest) -> GetItemResponse {
        // The parameter named `raw` keeps its name; the raw request moved aside.
        self.saw(&request.raw_2);
        match request.raw {
            Some(true) => GetItemResponse::NotFound,
            _ => GetItemResponse::Ok(Item {
                id: Some(request.id),
                name: "pear".into(),
            }),
        }
    }

    async fn open_session(&self, request: OpenSessionRequest) -> OpenSessionResponse {
        self.saw(&request.raw);
        OpenSessionResponse::NoContent {
            x_session_token: Secret::new("s-1"),
        }
    }
}

impl Shop {
    /// Records the request id a layer set, the `user-agent` header and the peer's address.
    fn saw(&self, raw: &RawRequest) {
        let id = raw.extension::<RequestId>().map(|id| id.0);
        let agent = raw.headers.get("user-agent").map(|v| v.to_str().unwrap());
        let peer = raw.peer_addr().map(|a| a.ip().to_string());
        let line = format!(
            "{} {} {id:?} {agent:?} {peer:?}",
            raw.method,
            raw.uri.path()
        );
        self.seen.lock().unwrap().push(line);
    }
}

/// What a tower layer in front of the router puts on each request.
#[derive(Debug, Clone, Copy)]
struct RequestId(u32);

/// Serves `app` with the runtime's `serve` (which records the peer); its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(oasgen_runtime::server::serve(listener, app).into_future());
    base
}

use std::future::IntoFuture;

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn declared_headers_are_written() {
    let base = serve(router(Arc::new(Shop::default()))).await;
    let http = reqwest::Client::new();

    let (status, headers, body) = send(http.get(format!("{base}/items"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-total-count"], "2");
    assert!(
        !headers.contains_key("x-page"),
        "an absent optional header is not sent"
    );
    assert_eq!(body, json!([{"id": "i1", "name": "pear"}]));
    let (_, headers, _) = send(http.get(format!("{base}/items?pageSize=1"))).await;
    assert_eq!(headers["x-page"], "2");

    let created = http
        .post(format!("{base}/items"))
        .json(&json!({"name": "fig"}));
    let (status, headers, body) = send(created).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["location"], "/items/fig");
    assert!(!headers.contains_key("body"));
    assert_eq!(body, json!({"name": "fig"}));

    // `default`: the status the handler chose, with the header it declares.
    let taken = http
        .post(format!("{base}/items"))
        .json(&json!({"name": "taken"}));
    let (status, headers, _) = send(taken).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        headers["x-request-id"],
        "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    );

    let (status, headers, _) = send(http.post(format!("{base}/sessions"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["x-session-token"], "s-1");
}

#[test]
fn a_credential_header_is_not_printed() {
    let response = OpenSessionResponse::NoContent {
        x_session_token: Secret::new("s-1"),
    };
    let debug = format!("{response:?}");
    assert!(!debug.contains("s-1"), "{debug}");
}

#[tokio::test]
async fn the_mock_sends_the_examples_or_built_values() {
    let base = serve(router(Arc::new(fixture_headers::mock::Mock::new()))).await;
    let http = reqwest::Client::new();
    let (status, headers, _) = send(http.get(format!("{base}/items"))).await;
    assert_eq!(status, StatusCode::OK);
    // The documented example conforms; `first` is not an integer, so 1 (the minimum) is sent.
    assert_eq!(headers["x-total-count"], "42");
    assert_eq!(headers["x-page"], "1");
    let created = http
        .post(format!("{base}/items"))
        .json(&json!({"name": "fig"}));
    let (status, headers, _) = send(created).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["location"], "/items/1");
    let (_, headers, _) = send(http.post(format!("{base}/sessions"))).await;
    assert_eq!(headers["x-session-token"], "s3cr3t");
}

#[tokio::test]
async fn handlers_read_the_raw_request() {
    let shop = Arc::new(Shop::default());
    let next = Arc::new(std::sync::atomic::AtomicU32::new(7));
    let app = router(shop.clone()).layer(axum::middleware::from_fn(
        move |mut request: axum::extract::Request, next_layer: axum::middleware::Next| {
            let id = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            request.extensions_mut().insert(RequestId(id));
            next_layer.run(request)
        },
    ));
    let base = serve(app).await;
    let http = reqwest::Client::builder()
        .user_agent("shop-test/1")
        .build()
        .unwrap();
    send(http.get(format!("{base}/items"))).await;
    let (status, _, _) = send(http.get(format!("{base}/items/i1?raw=true"))).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the `raw` parameter was read"
    );
    send(http.post(format!("{base}/sessions"))).await;
    // The router's checks still hold: this one never reaches the handler.
    let (status, _, _) = send(http.get(format!("{base}/items?pageSize=0"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let seen = shop.seen.lock().unwrap().clone();
    let peer = Some("127.0.0.1");
    assert_eq!(
        seen,
        [
            format!("GET /items Some(7) Some(\"shop-test/1\") {peer:?}"),
            format!("GET /items/i1 Some(8) Some(\"shop-test/1\") {peer:?}"),
            format!("POST /sessions Some(9) Some(\"shop-test/1\") {peer:?}"),
        ]
    );
}

#[tokio::test]
async fn without_the_runtime_server_the_peer_comes_from_connect_info() {
    let shop = Arc::new(Shop::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(shop.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    send(reqwest::Client::new().post(format!("{base}/sessions"))).await;
    let seen = shop.seen.lock().unwrap().clone();
    assert_eq!(seen, ["POST /sessions None None Some(\"127.0.0.1\")"]);
}
