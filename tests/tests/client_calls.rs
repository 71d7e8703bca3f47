//! The shape of a call (issue 15), on the golden crate of `tests/fixtures/calls.yaml`: the exact
//! request a builder sends (path parameters in URL order, optional parameters set by name,
//! extra headers, an `Authorization` header parameter), the declared response headers read back
//! typed, and the response body limit. The `tracing` span of a call is in `client_tracing.rs`.

mod client_support;

use client_support::{quick_config, Recorder, Reply};
use fixture_calls::client::{Client, Config, Credentials, Error, Token};
use fixture_calls::models::Address;
use serde_json::json;
use std::sync::Arc;

/// A client of the fixture for `base_url`, with a bearer token and retries off.
fn client(base_url: &str, config: Config) -> Client {
    let credentials = Credentials::new();
    credentials.set_token("BearerAuth", Token::new("tok-1"));
    Client::with_config(base_url, credentials, config).unwrap()
}

#[tokio::test]
async fn path_parameters_follow_the_url_and_optional_ones_are_set_by_name() {
    let server = Recorder::start().await;
    let c = client(&server.base_url, quick_config());
    server.push(Reply::json(200, json!({"id": "a-1", "city": "Berlin"})));
    // The spec declares `addressId` before `tenant`; the arguments follow the URL.
    let address = c
        .get_address("acme", "a-1")
        .fields("id,city")
        .accept_language("de-DE")
        .header("X-Request-Id", "req-7")
        .await
        .unwrap();
    assert_eq!(address.city.as_deref(), Some("Berlin"));
    let got = server.take().remove(0);
    assert_eq!(got.method, "GET");
    assert_eq!(got.path, "/acme/addresses/a-1");
    assert_eq!(got.query.as_deref(), Some("fields=id%2Ccity"));
    assert_eq!(got.header("accept-language"), Some("de-DE"));
    assert_eq!(got.header("x-request-id"), Some("req-7"));
    assert_eq!(got.header("authorization"), Some("Bearer tok-1"));

    // Without setters, nothing optional is sent.
    server.push(Reply::json(200, json!({"id": "a-1"})));
    c.get_address("acme", "a-1").send().await.unwrap();
    let got = server.take().remove(0);
    assert_eq!(got.query, None);
    assert_eq!(got.header("accept-language"), None);
}

#[tokio::test]
async fn many_required_arguments_and_parameters_named_like_builder_methods() {
    let server = Recorder::start().await;
    let c = client(&server.base_url, quick_config());
    server.push(Reply::empty(204));
    c.search_criteria("acme", "main", "wishlist", "11011", "DE", true, 5, "s-1")
        .await
        .unwrap();
    let got = server.take().remove(0);
    assert_eq!(got.path, "/acme/sites/main/criteria");
    assert_eq!(
        got.query.as_deref(),
        Some("type=wishlist&zip=11011&country=DE&active=true&limit=5")
    );
    assert_eq!(got.header("sessionid"), Some("s-1"));

    // Query parameters named `header` and `send` get setters that do not shadow the builder's.
    server.push(Reply::json(200, json!([])).with_header("x-total-count", "0"));
    c.list_addresses("acme")
        .page_size(20)
        .header_2(true)
        .send_2("x")
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    let got = server.take().remove(0);
    assert_eq!(got.query.as_deref(), Some("pageSize=20&header=true&send=x"));
    assert_eq!(got.header("accept-language"), Some("fr"));
}

/// `Config.http` is built with the reqwest the crate re-exports, without a dependency of its own.
#[tokio::test]
async fn config_http_is_built_from_the_reexported_reqwest() {
    use fixture_calls::client::reqwest;
    let server = Recorder::start().await;
    let http = reqwest::Client::builder()
        .user_agent("my-agent/1")
        .build()
        .unwrap();
    let config = Config {
        http: Some(http),
        ..quick_config()
    };
    let c = client(&server.base_url, config);
    server.push(Reply::json(200, json!({"id": "a-1"})));
    c.get_address("acme", "a-1").await.unwrap();
    assert_eq!(server.take()[0].header("user-agent"), Some("my-agent/1"));
}

#[tokio::test]
async fn an_invalid_extra_header_fails_before_sending() {
    let server = Recorder::start().await;
    let c = client(&server.base_url, quick_config());
    let err = c
        .get_address("acme", "a-1")
        .header("X-Bad", "line\nbreak")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("`X-Bad`"), "{err}");
    assert!(server.take().is_empty());
}

#[tokio::test]
async fn declared_response_headers_are_read_back_typed() {
    let server = Recorder::start().await;
    let c = client(&server.base_url, quick_config());
    let page = json!([{"id": "a-1"}, {"id": "a-2"}]);
    server.push(
        Reply::json(200, page.clone())
            .with_header("x-total-count", "42")
            .with_header("x-next-cursor", "c-2")
            .with_header("x-other", "kept"),
    );
    let r = c.list_addresses("acme").send_with_response().await.unwrap();
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.headers.x_total_count, 42);
    assert_eq!(r.headers.x_next_cursor.as_deref(), Some("c-2"));
    assert_eq!(r.raw_headers["x-other"], "kept");
    assert_eq!(r.body.len(), 2);
    let body: Vec<Address> = r.into_inner();
    assert_eq!(body[1].id.as_deref(), Some("a-2"));

    // A missing optional header is `None`.
    server.push(Reply::json(200, json!([])).with_header("x-total-count", "0"));
    let r = c.list_addresses("acme").send_with_response().await.unwrap();
    assert_eq!(r.headers.x_next_cursor, None);

    // One that does not parse, or a missing required one, is an error naming it; plain
    // `send` does not read the headers.
    server.push(Reply::json(200, json!([])).with_header("x-total-count", "many"));
    let err = c
        .list_addresses("acme")
        .send_with_response()
        .await
        .unwrap_err();
    let Error::ResponseHeader(h) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (h.name, h.value.as_deref()),
        ("X-Total-Count", Some("many"))
    );
    assert!(
        err.to_string().contains("`X-Total-Count` (`many`)"),
        "{err}"
    );
    server.push(Reply::json(200, json!([])));
    let err = c
        .list_addresses("acme")
        .send_with_response()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("lacks the header `X-Total-Count`"),
        "{err}"
    );
    server.push(Reply::json(200, json!([])));
    assert!(c.list_addresses("acme").await.unwrap().is_empty());

    // `Location` of a 201, required there.
    server.push(Reply::empty(201).with_header("location", "/acme/addresses/a-9"));
    let new = Address {
        city: Some("Bonn".into()),
        ..Address::default()
    };
    let r = c
        .add_address("acme", &new)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(r.status.as_u16(), 201);
    assert_eq!(r.headers.location, "/acme/addresses/a-9");
    assert_eq!(
        server.take().last().unwrap().json(),
        json!({"city": "Bonn"})
    );
}

#[tokio::test]
async fn an_authorization_parameter_is_sent_and_never_shown() {
    let server = Recorder::start().await;
    // No credentials at all: the operation's only credential is its parameter.
    let c = Client::with_config(&server.base_url, Credentials::new(), quick_config()).unwrap();
    server.push(Reply::empty(204));
    let document = Address::default();
    let call = c.upload_document("Bearer upload-secret").body(&document);
    let shown = format!("{call:?}");
    assert!(!shown.contains("upload-secret"), "{shown}");
    assert!(shown.contains("authorization: \"<redacted>\""), "{shown}");
    call.await.unwrap();
    let got = server.take().remove(0);
    assert_eq!(got.path, "/uploads");
    assert_eq!(got.header("authorization"), Some("Bearer upload-secret"));
    assert_eq!(got.json(), json!({}));
}

#[tokio::test]
async fn the_router_requires_and_accepts_the_authorization_parameter() {
    use fixture_calls::mock::Mock;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = fixture_calls::server::router(Arc::new(Mock::new()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let c = Client::with_base_url(&base, Credentials::new()).unwrap();
    c.upload_document("Bearer up-1").await.unwrap();
    let without = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status().as_u16(), 400);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let server = Recorder::start().await;
    let config = Config {
        max_response_body: 64,
        ..quick_config()
    };
    let c = client(&server.base_url, config);
    let long = json!({"id": "a".repeat(100)});
    server.push(Reply::json(200, long));
    let err = c.get_address("acme", "a-1").await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 64, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("limit of 64 bytes"), "{err}");
}

/// A server that answers with an endless chunked body (no `Content-Length`), as a broken or
/// hostile one might: the client stops reading at its limit.
#[tokio::test]
async fn an_endless_body_is_read_only_up_to_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("400\r\n{}\r\n", "x".repeat(0x400));
        // Until the client hangs up (bounded, should it never).
        for _ in 0..100_000 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let config = Config {
        max_response_body: 8 * 1024,
        ..quick_config()
    };
    let c = client(&base, config);
    let err = c.get_address("acme", "a-1").await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 8192, .. }),
        "{err:?}"
    );
}
