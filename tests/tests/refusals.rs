//! The body a refused (bad) request gets: the router's standard body where the documented
//! `400` schema takes it, else a value of the documented shape with what was wrong written into
//! the fields that take it. Served from the golden crate of `tests/fixtures/refusals.yaml`.

use fixture_refusals::mock::Mock;
use fixture_refusals::server::router;
use oasgen_runtime::reqwest::{self, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(Arc::new(Mock::new()))).await });
    base
}

async fn refused(request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_vendor_shape_gets_code_reason_message_and_detail_texts() {
    let base = serve().await;
    let http = reqwest::Client::new();
    let body = refused(http.post(format!("{base}/things")).json(&json!({}))).await;
    assert_eq!(
        body,
        json!({
            "code": 400,
            "status": "Bad Request",
            "message": "The request does not match the API specification.",
            "details": ["name: a required value is missing"],
            // Not a part of the refusal: the documented example's value.
            "resourceId": "x1",
        })
    );
    // Malformed JSON is a bad request too, in the same shape.
    let body = refused(
        http.post(format!("{base}/things"))
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;
    assert_eq!(body["code"], 400);
    assert_eq!(body["status"], "Bad Request");
    assert!(
        body["details"][0].as_str().unwrap().starts_with("body: "),
        "{body}"
    );
}

#[tokio::test]
async fn the_standard_shape_is_left_as_it_is() {
    let base = serve().await;
    let body = refused(reqwest::Client::new().get(format!("{base}/things/toolong"))).await;
    assert_eq!(body["status"], 400);
    assert_eq!(body["type"], "validation_failure");
    assert_eq!(body["details"][0]["field"], "id");
}

#[tokio::test]
async fn a_range_with_other_names_and_a_non_object_body() {
    let base = serve().await;
    let http = reqwest::Client::new();
    let body = refused(http.get(format!("{base}/legacy?limit=11"))).await;
    assert_eq!(
        body,
        json!({
            "error": "The request does not match the API specification.",
            "timestamp": "2024-01-01T00:00:00Z",
        })
    );
    let body = refused(http.get(format!("{base}/plain?flag=maybe"))).await;
    assert_eq!(body, json!("refused"));
}

#[tokio::test]
async fn an_empty_path_parameter_gets_the_documented_not_found() {
    let base = serve().await;
    let http = reqwest::Client::new();
    // axum routes an empty segment inside the path (`id` is "", which its schema allows)...
    let response = http
        .delete(format!("{base}/things//parts/p1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    // ...but not an empty last one: the fallback answers, in the documented body (also when
    // the client dropped an empty segment with its slash).
    for path in ["/things/t1/parts/", "/things//parts/", "/things/parts/"] {
        let response = http.delete(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], 404, "{path}: {body}");
        assert_eq!(body["status"], "Not Found", "{path}: {body}");
        assert_eq!(body["message"], "No operation matches the request path.");
    }
    // Another method, or a path of no operation: the standard body.
    let others = [
        (reqwest::Method::GET, "/things/t1/parts/"),
        (reqwest::Method::DELETE, "/nothing/here/"),
    ];
    for (method, path) in others {
        let response = http
            .request(method, format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["type"], "not_found", "{path}: {body}");
    }
}
