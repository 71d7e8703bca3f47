//! The generated router refuses bad requests before the reference service sees them, each
//! with the documented status and an `ErrorMessage` (or, for credentials, a `fault`) body.

use oasgen_runtime::reqwest::{self, Method, StatusCode};
use oasgen_tests::ReferenceService;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

struct Server {
    base: String,
    service: Arc<ReferenceService>,
    http: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        let service = Arc::new(ReferenceService::new().with_seed_token("seed-token"));
        let base = oasgen_tests::spawn(service.clone()).await.unwrap();
        Server {
            base,
            service,
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request; returns the status, the `Allow` header and the JSON body (`Null` if none).
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Option<String>, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some((content_type, bytes)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let allow = resp
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        (status, allow, body)
    }

    async fn anonymous_token(&self) -> String {
        let path = "/customerlogin/auth/anonymous/login?tenant=shop&client_id=x";
        let (status, _, body) = self.send(Method::GET, path, None, None).await;
        assert_eq!(status, 200);
        body["access_token"].as_str().unwrap().to_string()
    }
}

fn json_body(v: Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", serde_json::to_vec(&v).unwrap()))
}

/// Asserts an `ErrorMessage` with `status` and `kind`, and returns its details as
/// `(field, type)` pairs.
fn error_message(
    status: StatusCode,
    body: &Value,
    expected: u16,
    kind: &str,
) -> Vec<(String, String)> {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert_eq!(body["type"], kind, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = d["field"].as_str().unwrap().to_string();
            let kind = d["type"].as_str().unwrap().to_string();
            assert!(d["message"].is_string(), "{d}");
            (field, kind)
        })
        .collect()
}

fn fault(status: StatusCode, body: &Value, errorcode: &str) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["fault"]["detail"]["errorcode"], errorcode, "{body}");
    assert!(body["fault"]["faultstring"].is_string(), "{body}");
}

fn pair(field: &str, kind: &str) -> (String, String) {
    (field.to_string(), kind.to_string())
}

#[tokio::test]
async fn bad_tenants_are_refused_with_details() {
    let s = Server::start().await;
    let (status, _, body) = s
        .send(Method::GET, "/customer/Shop/me", Some("seed-token"), None)
        .await;
    let details = error_message(status, &body, 400, "validation_failure");
    assert_eq!(details, [pair("tenant", "pattern_mismatch")]);
    let long = "/customer/abcdefghijklmnopq/me";
    let (status, _, body) = s.send(Method::GET, long, Some("seed-token"), None).await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("tenant", "too_long")]
    );
    let path = "/customerlogin/auth/anonymous/login?tenant=x&client_id=y";
    let (status, _, body) = s.send(Method::GET, path, None, None).await;
    let details = error_message(status, &body, 400, "validation_failure");
    assert_eq!(
        details,
        [
            pair("tenant", "too_short"),
            pair("tenant", "pattern_mismatch")
        ]
    );
}

#[tokio::test]
async fn missing_required_values_are_refused() {
    let s = Server::start().await;
    let anon = s.anonymous_token().await;
    let body = json_body(json!({"email": "a@b.com"}));
    let (status, _, body) = s
        .send(Method::POST, "/customer/shop/signup", Some(&anon), body)
        .await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("password", "missing_value")]
    );
    let (status, _, body) = s
        .send(Method::POST, "/customer/shop/signup", Some(&anon), None)
        .await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("body", "missing_value")]
    );
    let (status, _, body) = s
        .send(
            Method::GET,
            "/customer/shop/logout",
            Some("seed-token"),
            None,
        )
        .await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("accessToken", "missing_value")]
    );
    let path = "/customerlogin/auth/anonymous/login?tenant=shop";
    let (status, _, body) = s.send(Method::GET, path, None, None).await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("client_id", "missing_value")]
    );
    assert_eq!(
        s.service.customer_count(),
        1,
        "only the seeded customer exists"
    );
}

#[tokio::test]
async fn wrong_types_and_constraints_are_refused() {
    let s = Server::start().await;
    let body = json_body(json!({
        "firstName": null,
        "preferredCurrency": "EURO",
        "contactEmail": "not-an-email",
        "metadata": {"version": "two", "mixins": {"a": 1}},
        "b2b": {"legalEntities": [{"id": 5}]}
    }));
    let (status, _, body) = s
        .send(Method::PATCH, "/customer/shop/me", Some("seed-token"), body)
        .await;
    let details = error_message(status, &body, 400, "validation_failure");
    assert_eq!(
        details,
        [
            pair("firstName", "invalid_type"),
            pair("preferredCurrency", "too_long"),
            pair("b2b.legalEntities[0].id", "invalid_type"),
            pair("metadata.mixins.a", "invalid_type"),
            pair("metadata.version", "invalid_type"),
            pair("contactEmail", "invalid_format"),
        ]
    );
    let body = json_body(json!([1, 2]));
    let (status, _, body) = s
        .send(
            Method::POST,
            "/customer/shop/me/addresses",
            Some("seed-token"),
            body,
        )
        .await;
    assert_eq!(
        error_message(status, &body, 400, "validation_failure"),
        [pair("body", "invalid_type")]
    );
}

#[tokio::test]
async fn malformed_json_wrong_media_types_and_oversize_bodies_are_refused() {
    let s = Server::start().await;
    let path = "/customer/shop/me/addresses";
    let malformed = Some(("application/json", b"{\"city\": ".to_vec()));
    let (status, _, body) = s
        .send(Method::POST, path, Some("seed-token"), malformed)
        .await;
    assert_eq!(
        error_message(status, &body, 400, "malformed_request"),
        [pair("body", "malformed_json")]
    );
    // The operation documents `400`, not `415` nor `413`: those refusals are bad requests, of
    // their own type.
    let text = Some(("text/plain", b"{}".to_vec()));
    let (status, _, body) = s.send(Method::POST, path, Some("seed-token"), text).await;
    assert!(error_message(status, &body, 400, "unsupported_media_type").is_empty());
    let merge = Some((
        "application/merge-patch+json; charset=utf-8",
        b"{\"company\":\"X\"}".to_vec(),
    ));
    let (status, _, _) = s
        .send(
            Method::PATCH,
            "/customer/shop/me",
            Some("seed-token"),
            merge,
        )
        .await;
    assert_eq!(status, 200);
    let huge = json!({"city": "x".repeat(3 * 1024 * 1024)});
    let (status, _, body) = s
        .send(Method::POST, path, Some("seed-token"), json_body(huge))
        .await;
    assert!(error_message(status, &body, 400, "payload_too_large").is_empty());
}

#[tokio::test]
async fn missing_invalid_and_expired_tokens_get_a_fault() {
    let s = Server::start().await;
    let (status, _, body) = s
        .send(Method::GET, "/customer/shop/me/addresses", None, None)
        .await;
    fault(status, &body, "oauth.v2.MissingAccessToken");
    let (status, _, body) = s
        .send(
            Method::GET,
            "/customer/shop/me/addresses",
            Some("nope"),
            None,
        )
        .await;
    fault(status, &body, "oauth.v2.InvalidAccessToken");
    // An anonymous token is not a customer token.
    let anon = s.anonymous_token().await;
    let (status, _, body) = s
        .send(
            Method::GET,
            "/customer/shop/validateauthtoken",
            Some(&anon),
            None,
        )
        .await;
    fault(status, &body, "oauth.v2.InvalidAccessToken");
    // Credentials are checked before the body.
    let bad = Some(("text/plain", b"x".to_vec()));
    let (status, _, body) = s
        .send(Method::POST, "/customer/shop/signup", None, bad)
        .await;
    fault(status, &body, "oauth.v2.MissingAccessToken");
    // Anonymous tokens live one hour.
    let ok = s
        .send(
            Method::POST,
            "/customer/shop/password/reset",
            Some(&anon),
            None,
        )
        .await;
    assert_eq!(ok.0, 204, "{}", ok.2);
    s.service.advance_clock(Duration::from_secs(3600));
    let (status, _, body) = s
        .send(
            Method::POST,
            "/customer/shop/password/reset",
            Some(&anon),
            None,
        )
        .await;
    fault(status, &body, "oauth.v2.InvalidAccessToken");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_refused() {
    let s = Server::start().await;
    let (status, _, body) = s
        .send(Method::GET, "/customer/shop/nothing", None, None)
        .await;
    assert!(error_message(status, &body, 404, "not_found").is_empty());
    let (status, allow, body) = s.send(Method::PUT, "/customer/shop/me", None, None).await;
    assert!(error_message(status, &body, 405, "method_not_allowed").is_empty());
    assert_eq!(allow.as_deref(), Some("GET,HEAD,DELETE,PATCH"));
}

#[tokio::test]
async fn the_router_nests_and_takes_middleware() {
    let service = Arc::new(ReferenceService::new());
    let app = axum::Router::new()
        .nest("/api", customer_managed::server::router(service))
        .layer(axum::middleware::from_fn(
            |req: axum::extract::Request, next: axum::middleware::Next| async move {
                let mut resp = next.run(req).await;
                resp.headers_mut().insert("x-layer", "yes".parse().unwrap());
                resp
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url =
        format!("http://{addr}/api/customerlogin/auth/anonymous/login?tenant=shop&client_id=x");
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-layer"], "yes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_are_not_lost() {
    let s = Arc::new(Server::start().await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let body = json_body(json!({"city": format!("City {i}")}));
            let path = "/customer/shop/me/addresses";
            s.send(Method::POST, path, Some("seed-token"), body).await.0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let (status, _, body) = s
        .send(
            Method::GET,
            "/customer/shop/me/addresses",
            Some("seed-token"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 40);
}
