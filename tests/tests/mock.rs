//! The generated mock, served by the generated router: it answers each operation's first
//! documented success with the spec's example when that conforms to the schema and with a
//! value built from the schema otherwise; it accepts any non-empty credential and grants every
//! scope unless told otherwise. Served from the golden crate of `tests/fixtures/oauth2.yaml`.

use fixture_oauth2::mock::Mock;
use fixture_oauth2::server::router;
use oasgen_runtime::reqwest::{self, Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

/// Serves `mock`; its base URL.
async fn serve(mock: Mock) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(Arc::new(mock))).await });
    base
}

/// Sends a request with `token` (and an API key); the status and JSON body.
async fn send(base: &str, method: Method, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("x-api-key", "any-key");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if path == "/carts" {
        req = req.json(&json!({"id": "new"}));
    }
    let response = req.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn answers_the_conforming_example_or_a_value_built_from_the_schema() {
    let base = serve(Mock::new()).await;
    // `getCart` documents an example that conforms: it is the answer.
    let (status, body) = send(&base, Method::GET, "/carts/c9", Some("t")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"id": "c1", "items": ["apple", "pear"]}));
    // `createCart`'s example has a number for a string and a string for an array: a value
    // built from the schema instead.
    let (status, body) = send(&base, Method::POST, "/carts", Some("t")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body, json!({"id": "string", "items": ["string"]}));
    // A success without a body: its status.
    let (status, _) = send(&base, Method::DELETE, "/carts/c9", Some("t")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn credentials_and_scopes_are_configurable() {
    let open = serve(Mock::new()).await;
    let (status, _) = send(&open, Method::GET, "/carts/c9", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let strict = serve(
        Mock::new()
            .accept_tokens(["good"])
            .grant_scopes(["cart.cart_read"]),
    )
    .await;
    let (status, _) = send(&strict, Method::GET, "/carts/c9", Some("bad")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&strict, Method::GET, "/carts/c9", Some("good")).await;
    assert_eq!(status, StatusCode::OK);
    // `deleteCart` needs scopes the mock was not told to grant: the documented `403`.
    let (status, body) = send(&strict, Method::DELETE, "/carts/c9", Some("good")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["type"], "insufficient_permissions");
}

#[tokio::test]
async fn the_generated_client_reads_the_mock() {
    use fixture_oauth2::client::{Client, Credentials, Token};
    let base = serve(Mock::new()).await;
    let credentials = Credentials::new();
    credentials.set_token("CustomerAccessToken", Token::new("t"));
    let client = Client::with_base_url(&base, credentials).unwrap();
    let cart = client.get_cart("c9").await.unwrap();
    assert_eq!(cart.id.as_deref(), Some("c1"));
    assert_eq!(
        cart.items,
        Some(vec!["apple".to_string(), "pear".to_string()])
    );
}

#[tokio::test]
async fn paths_that_differ_only_in_parameter_names_are_one_route() {
    // `quirks.yaml` has `/shops/{tenant}/items/{itemId}` (GET, DELETE) and
    // `/shops/{shop}/items/{id}` (PUT): one path to the router, each operation's parameters
    // read by position.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = fixture_quirks::server::router(Arc::new(fixture_quirks::mock::Mock::new()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let put = |id: &str| {
        http.put(format!("{base}/shops/acme/items/{id}"))
            .bearer_auth("t")
            .send()
    };
    assert_eq!(put("i1").await.unwrap().status(), StatusCode::NO_CONTENT);
    // `id` allows 3 characters at most: the second path's own check reads the right segment.
    let refused = put("toolong").await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert!(body.to_string().contains("itemId"), "{body}");
    let get = http
        .get(format!("{base}/shops/acme/items/i1"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_ne!(get.status(), StatusCode::NOT_FOUND);
    // `replaceItem` documents a body on its `204`, which HTTP forbids: the router sends none
    // and the generated client reads none.
    let credentials = oasgen_runtime::Credentials::new();
    credentials.set_token("Undeclared", oasgen_runtime::Token::new("t"));
    let client = fixture_quirks::client::Client::with_base_url(&base, credentials).unwrap();
    let response = client
        .replace_item("acme", "i1")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_annotating_all_of_member_narrows_what_the_mock_sends() {
    use fixture_quirks::server::{Api, GetItemRequest, GetItemResponse};
    // `Item.name` is `allOf: [LocalizedName, {type: object, description}]`: of LocalizedName's
    // two alternatives (a string, a map), JSON Schema admits only the map. (Called directly:
    // the route's path parameter has a pattern that no value passes, by design of the fixture.)
    let request = GetItemRequest {
        tenant: "acme".into(),
        item_id: "i1".into(),
        raw: Default::default(),
    };
    let mock = fixture_quirks::mock::Mock::new();
    let GetItemResponse::Ok(item) = mock.get_item("t".into(), request).await else {
        panic!("the mock answers its first success");
    };
    let item = serde_json::to_value(item).unwrap();
    assert!(item["name"].is_object(), "{item}");
}
