//! The router enforces the scopes an operation's security requirements name, before the
//! method runs: one alternative with all its scopes granted is enough (OR across alternatives,
//! AND within one), credentials that lack a scope get `403` with the operation's documented
//! body (a standard one when none is documented), and no credentials get `401`.
//! Served from the golden crate of `tests/fixtures/oauth2.yaml`.

use fixture_oauth2::models::Cart;
use fixture_oauth2::server::*;
use oasgen_runtime::reqwest::{self, Method, StatusCode};
use oasgen_runtime::server::Credential;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

// README: "Scopes".
/// Tokens are named by the scopes they grant; `customer` is a customer token.
struct Shop {
    /// How many times a method ran: never for a refused request.
    calls: AtomicUsize,
}

impl Authenticator for Shop {
    /// The token itself.
    type Principal = String;

    async fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: &Credential,
    ) -> Option<String> {
        let token = credential.expose();
        let valid = match scheme {
            SecurityScheme::OAuth2 | SecurityScheme::Partner => token.starts_with("scopes:"),
            SecurityScheme::CustomerAccessToken => token == "customer",
            SecurityScheme::ApiKey => token == "key",
        };
        valid.then(|| token.to_string())
    }

    /// An OAuth2 token carries its scopes (`scopes:a,b`). The router asks for each scope an
    /// operation's requirement names, and answers 403 when one is missing.
    fn has_scope(&self, token: &String, _scheme: SecurityScheme, scope: &str) -> bool {
        let granted = token.strip_prefix("scopes:").unwrap_or("");
        granted.split(',').any(|s| s == scope)
    }
}

impl Api for Shop {
    async fn get_cart(&self, _: String, request: GetCartRequest) -> GetCartResponse {
        self.calls.fetch_add(1, Ordering::SeqCst);
        GetCartResponse::Ok(Cart {
            id: Some(request.cart_id),
            ..Default::default()
        })
    }

    async fn delete_cart(&self, _: String, _: DeleteCartRequest) -> DeleteCartResponse {
        self.calls.fetch_add(1, Ordering::SeqCst);
        DeleteCartResponse::NoContent
    }

    async fn create_cart(&self, _: String, request: CreateCartRequest) -> CreateCartResponse {
        self.calls.fetch_add(1, Ordering::SeqCst);
        CreateCartResponse::Created(request.body)
    }

    async fn list_reports(&self, _: String, _: ListReportsRequest) -> ListReportsResponse {
        self.calls.fetch_add(1, Ordering::SeqCst);
        ListReportsResponse::Ok(vec!["r1".into()])
    }
}

struct Server {
    base: String,
    shop: Arc<Shop>,
    http: reqwest::Client,
}

impl Server {
    async fn start() -> Server {
        let shop = Arc::new(Shop {
            calls: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(shop.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server {
            base,
            shop,
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request with a bearer token and an API key if given; the status and JSON body.
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        if path == "/carts" {
            req = req.json(&json!({"id": "c1"}));
        }
        let response = req.send().await.unwrap();
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    fn calls(&self) -> usize {
        self.shop.calls.load(Ordering::SeqCst)
    }
}

/// The example the spec documents for the `403` of `getCart` and `deleteCart`.
fn documented_403() -> Value {
    json!({
        "status": 403,
        "type": "insufficient_permissions",
        "message": "Given request does not have required scopes."
    })
}

#[tokio::test]
async fn a_missing_scope_gets_403_with_the_documented_body() {
    let s = Server::start().await;
    let (status, body) = s
        .send(
            Method::GET,
            "/carts/c1",
            Some("scopes:cart.cart_manage"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, documented_403());
    assert_eq!(s.calls(), 0, "the method ran for a refused request");
}

#[tokio::test]
async fn one_satisfied_alternative_is_enough() {
    let s = Server::start().await;
    // The first alternative: OAuth2 with `cart.cart_read`.
    let read = Some("scopes:cart.cart_read");
    let (status, body) = s.send(Method::GET, "/carts/c1", read, None).await;
    assert_eq!((status, &body["id"]), (StatusCode::OK, &json!("c1")));
    // The second: a customer token, which needs no scopes.
    let (status, _) = s
        .send(Method::GET, "/carts/c1", Some("customer"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.calls(), 2);
}

#[tokio::test]
async fn every_scope_of_a_requirement_is_needed() {
    let s = Server::start().await;
    let one = Some("scopes:cart.cart_manage");
    let (status, body) = s.send(Method::DELETE, "/carts/c1", one, None).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, documented_403()));
    let both = Some("scopes:cart.cart_delete,cart.cart_manage");
    let (status, _) = s.send(Method::DELETE, "/carts/c1", both, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.calls(), 1);
}

#[tokio::test]
async fn schemes_used_together_each_need_their_part() {
    let s = Server::start().await;
    let manage = Some("scopes:cart.cart_manage");
    let (status, _) = s.send(Method::POST, "/carts", manage, Some("key")).await;
    assert_eq!(status, StatusCode::CREATED);
    // Without the API key the alternative is not met: no credentials for it, so `401`.
    let (status, _) = s.send(Method::POST, "/carts", manage, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // With both but a scope missing: `403`, with the standard body (none is documented).
    let read = Some("scopes:cart.cart_read");
    let (status, body) = s.send(Method::POST, "/carts", read, Some("key")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["status"], 403);
    assert_eq!(body["type"], "insufficient_scope");
    assert_eq!(s.calls(), 1);
}

#[tokio::test]
async fn no_or_invalid_credentials_get_401() {
    let s = Server::start().await;
    for token in [None, Some("nonsense")] {
        let (status, body) = s.send(Method::GET, "/carts/c1", token, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(body["fault"]["faultstring"].is_string(), "{body}");
    }
    let (status, _) = s.send(Method::GET, "/reports", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let reports = Some("scopes:reports.read");
    let (status, _) = s.send(Method::GET, "/reports", reports, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.calls(), 1);
}
