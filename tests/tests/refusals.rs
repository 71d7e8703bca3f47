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
    // ...but not an empty last one: the fallback answers the operation's documented `404` (the
    // empty value may be one the schema takes: the path names no resource), in the documented
    // body (also when the client dropped an empty segment with its slash).
    let empty = [
        ("/things/t1/parts/", "partId"),
        ("/things//parts/", "id"),
        ("/things/parts/", "id"),
    ];
    for (path, name) in empty {
        let response = http.delete(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], 404, "{path}: {body}");
        assert_eq!(body["status"], "Not Found", "{path}: {body}");
        let message =
            format!("No resource matches the request path ({name}: a required value is missing).");
        assert_eq!(body["message"], message);
    }
    // `getNote` documents both: an empty note id names no note (`404`), a bad one is a bad
    // request.
    let response = http
        .get(format!("{base}/things/t1/notes/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "not_found", "{body}");
    let body = refused(http.get(format!("{base}/things/t1/notes/toolong"))).await;
    assert_eq!(body["details"][0]["field"], "noteId", "{body}");
    // An empty parameter inside the path that the client dropped with its slash.
    let response = http
        .post(format!("{base}/boxes/archive"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "Not Found", "{body}");
    // `getThing` documents `400` and not `404`: there, a bad request naming the parameter.
    let body = refused(http.get(format!("{base}/things/"))).await;
    assert_eq!(body["details"][0]["field"], "id", "{body}");
    assert_eq!(body["details"][0]["type"], "missing_value", "{body}");
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

#[tokio::test]
async fn an_invalid_path_parameter_is_not_found_where_no_bad_request_is_documented() {
    let base = serve().await;
    let http = reqwest::Client::new();
    // `deletePart` documents `404` and no `400`: a part id that breaks its pattern names no
    // part. The documented body, with what was wrong in its message.
    let response = http
        .delete(format!("{base}/things/t1/parts/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 404, "{body}");
    assert_eq!(body["status"], "Not Found", "{body}");
    assert_eq!(
        body["message"],
        "No resource matches the request path (partId: must match ^p[0-9]+$).",
    );
    // `getThing` documents `400`: a bad id stays a bad request (as
    // `the_standard_shape_is_left_as_it_is` shows).
    let body = refused(http.get(format!("{base}/things/toolong"))).await;
    assert_eq!(body["details"][0]["field"], "id");
}

#[tokio::test]
async fn an_undocumented_unsupported_media_type_is_a_documented_bad_request() {
    let base = serve().await;
    // `createThing` documents `400` and not `415`: a body it cannot read is a bad request, in
    // the documented shape, so that a client generated from the spec decodes it.
    let body = refused(
        reqwest::Client::new()
            .post(format!("{base}/things"))
            .header("content-type", "application/xml")
            .body("<name>x</name>"),
    )
    .await;
    assert_eq!(body["code"], 400, "{body}");
    assert_eq!(
        body["message"],
        "Content-Type application/xml is not supported; send application/json."
    );
}

#[tokio::test]
async fn a_bad_request_is_a_422_where_only_that_is_documented() {
    let base = serve().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/orders?dryRun=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 422, "{body}");
    assert_eq!(body["type"], "validation_failure", "{body}");
    assert_eq!(body["details"][0]["field"], "dryRun", "{body}");
}
