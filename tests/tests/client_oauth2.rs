//! OAuth2 client credentials on the wire (RFC 6749 §4.4), with the client generated from
//! `tests/fixtures/oauth2.yaml` (`fixture-oauth2`): one local server plays both the token
//! endpoint and the API. It checks the exact token request (form body, Basic header, or
//! `client_secret_post`), caching and single flight, expiry, the 401 refresh, the typed
//! §5.2 error, relative token URLs, and that no secret reaches `Debug`.
//!
//! Real time throughout: the token endpoint answers after a short delay so that concurrent
//! callers overlap, and paused time would let reqwest's timers fire while a request is in
//! flight on the socket (see `client_auth.rs`).

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fixture_oauth2::client::Client;
use fixture_oauth2::client::{
    security, ClientAuthentication, ClientCredentials, Config, Credentials, Error, ErrorCode,
    FlowKind, GetCartError, RetryPolicy, Scopes,
};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENT_ID: &str = "backend:1";
const CLIENT_SECRET: &str = "s3cr3t/é +";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the token endpoint answers.
#[derive(Clone)]
enum TokenReply {
    /// `tok-<n>` for the n-th token request, valid this many seconds.
    Issue { expires_in: u64 },
    /// A status and a JSON body.
    Fail(u16, serde_json::Value),
}

#[derive(Default)]
struct Shared {
    token_requests: Mutex<Vec<Seen>>,
    api_requests: Mutex<Vec<Seen>>,
    reply: Mutex<Option<TokenReply>>,
    /// Tokens the API answers `401` to.
    rejected: Mutex<Vec<String>>,
}

/// The token endpoint (any path ending in `/oauth/token`) and the API, on 127.0.0.1.
#[derive(Clone)]
struct Server {
    url: String,
    shared: Arc<Shared>,
}

impl Server {
    async fn start(reply: TokenReply) -> Self {
        let shared = Arc::new(Shared::default());
        *shared.reply.lock().unwrap() = Some(reply);
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            url: format!("http://{addr}"),
            shared,
        }
    }

    /// A client of the API at `path` under the server, with retries off.
    fn client(&self, path: &str) -> Client {
        let config = Config {
            retry: RetryPolicy::off(),
            ..Config::default()
        };
        Client::with_config(&format!("{}{path}", self.url), Credentials::new(), config).unwrap()
    }

    fn token_requests(&self) -> Vec<Seen> {
        self.shared.token_requests.lock().unwrap().clone()
    }

    fn api_requests(&self) -> Vec<Seen> {
        self.shared.api_requests.lock().unwrap().clone()
    }

    fn reject(&self, token: &str) {
        self.shared.rejected.lock().unwrap().push(token.to_string());
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap();
    let seen = Seen {
        path: parts.uri.path().to_string(),
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    };
    if seen.path.ends_with("/oauth/token") {
        return token(&shared, seen).await;
    }
    let bearer = seen.header("authorization").unwrap_or_default().to_string();
    shared.api_requests.lock().unwrap().push(seen.clone());
    let token = bearer.strip_prefix("Bearer ").unwrap_or_default();
    if token.is_empty() || shared.rejected.lock().unwrap().iter().any(|t| t == token) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    // `getCart` echoes the id, `deleteCart` has no body, `listReports` lists the token.
    match seen.path.rsplit_once("/carts/") {
        Some(_) if parts.method == axum::http::Method::DELETE => {
            StatusCode::NO_CONTENT.into_response()
        }
        Some((_, id)) => axum::Json(json!({ "id": id })).into_response(),
        None => axum::Json(json!([token])).into_response(),
    }
}

/// The token endpoint: numbers its answers, after a delay that lets concurrent callers pile up.
async fn token(shared: &Shared, seen: Seen) -> Response {
    let n = {
        let mut requests = shared.token_requests.lock().unwrap();
        requests.push(seen);
        requests.len()
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let reply = shared.reply.lock().unwrap().clone().unwrap();
    let (status, body) = match reply {
        TokenReply::Issue { expires_in } => (
            200,
            json!({
                "access_token": format!("tok-{n}"),
                "token_type": "Bearer",
                "expires_in": expires_in,
            }),
        ),
        TokenReply::Fail(status, body) => (status, body),
    };
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap();
    resp.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    resp
}

fn hour() -> TokenReply {
    TokenReply::Issue { expires_in: 3600 }
}

/// Client credentials at the server's token endpoint (the spec's is `api.example.com`).
fn grant(server: &Server) -> ClientCredentials {
    ClientCredentials::new(CLIENT_ID, CLIENT_SECRET)
        .token_url(format!("{}/oauth/token", server.url))
}

#[tokio::test]
async fn the_token_request_is_a_form_post_with_basic_credentials() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();

    let cart = client.get_cart("c1").await.unwrap();
    assert_eq!(cart.id.as_deref(), Some("c1"));

    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.path, "/oauth/token");
    assert_eq!(
        t.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(t.header("accept"), Some("application/json"));
    // By default no scope is asked for: the server grants the client's assigned scopes.
    assert_eq!(t.body, "grant_type=client_credentials");
    // Base64 of `backend%3A1:s3cr3t%2F%C3%A9+%2B`: each part form-urlencoded first (§2.3.1).
    assert_eq!(
        t.header("authorization"),
        Some("Basic YmFja2VuZCUzQTE6czNjcjN0JTJGJUMzJUE5KyUyQg==")
    );
    assert_eq!(
        server.api_requests()[0].header("authorization"),
        Some("Bearer tok-1")
    );
}

#[tokio::test]
async fn client_secret_post_sends_the_credentials_in_the_form() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    let scopes = Scopes::Fixed(vec!["cart.cart_read".into(), "cart.cart_manage".into()]);
    let grant = grant(&server)
        .authentication(ClientAuthentication::Post)
        .scopes(scopes);
    client
        .set_client_credentials(security::O_AUTH2, grant)
        .unwrap();

    client.get_cart("c1").await.unwrap();
    client.delete_cart("c1").await.unwrap();

    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 1, "one token serves both operations");
    assert_eq!(
        tokens[0].body,
        "grant_type=client_credentials&scope=cart.cart_read+cart.cart_manage\
         &client_id=backend%3A1&client_secret=s3cr3t%2F%C3%A9+%2B"
    );
    assert_eq!(tokens[0].header("authorization"), None);
}

#[tokio::test]
async fn per_operation_scopes_cache_one_token_per_scope_set() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    let grant = grant(&server).scopes(Scopes::PerOperation);
    client
        .set_client_credentials(security::O_AUTH2, grant)
        .unwrap();

    client.get_cart("a").await.unwrap();
    client.delete_cart("a").await.unwrap();
    client.get_cart("b").await.unwrap();
    client.delete_cart("b").await.unwrap();

    let bodies: Vec<String> = server
        .token_requests()
        .into_iter()
        .map(|t| t.body)
        .collect();
    assert_eq!(
        bodies,
        [
            "grant_type=client_credentials&scope=cart.cart_read",
            // The set is sorted: it is the cache key.
            "grant_type=client_credentials&scope=cart.cart_delete+cart.cart_manage",
        ]
    );
    let sent: Vec<String> = server
        .api_requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        [
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-1",
            "Bearer tok-2"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_make_one_token_request() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();

    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.get_cart(&format!("c{i}")).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.token_requests().len(), 1);
    let api = server.api_requests();
    assert_eq!(api.len(), 100);
    assert!(api
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer tok-1")));
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once() {
    // Seven seconds, less the five-second margin that keeps a token from expiring in flight:
    // the client treats the token as valid for two.
    let server = Server::start(TokenReply::Issue { expires_in: 7 }).await;
    let client = server.client("");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();

    client.get_cart("a").await.unwrap();
    client.get_cart("b").await.unwrap();
    assert_eq!(server.token_requests().len(), 1);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    client.get_cart("c").await.unwrap();
    client.get_cart("d").await.unwrap();
    assert_eq!(server.token_requests().len(), 2);
    let sent: Vec<String> = server
        .api_requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        [
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-2"
        ]
    );
}

#[tokio::test]
async fn a_401_from_the_api_refreshes_once_and_retries_once() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();
    client.get_cart("a").await.unwrap();

    // The server revokes the token: one refresh, one retry, success.
    server.reject("tok-1");
    client.get_cart("b").await.unwrap();
    assert_eq!(server.token_requests().len(), 2);
    let api = server.api_requests();
    assert_eq!(api.len(), 3);
    assert_eq!(api[1].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(api[2].header("authorization"), Some("Bearer tok-2"));

    // The server rejects every token: still one refresh and one retry, then the typed 401.
    server.reject("tok-2");
    server.reject("tok-3");
    let err = client.get_cart("c").await.unwrap_err();
    assert!(
        matches!(err.api_error(), Some(GetCartError::Unauthorized)),
        "{err:?}"
    );
    assert_eq!(server.token_requests().len(), 3);
    assert_eq!(server.api_requests().len(), 5);
}

#[tokio::test]
async fn an_invalid_client_answer_is_a_typed_error() {
    let body = json!({"error": "invalid_client", "error_description": "unknown client"});
    let server = Server::start(TokenReply::Fail(400, body)).await;
    let client = server.client("");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();

    let err = client.get_cart("a").await.unwrap_err();
    assert!(matches!(err, Error::TokenRefresh { .. }), "{err:?}");
    let token_error = err.token_error().expect("the token endpoint's error");
    assert_eq!(token_error.code(), Some(&ErrorCode::InvalidClient));
    assert_eq!(token_error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(
        err.to_string(),
        "refreshing the `OAuth2` token failed: the token endpoint answered 400 Bad Request \
         `invalid_client`: unknown client"
    );
    assert!(
        server.api_requests().is_empty(),
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn relative_token_urls_resolve_against_the_base_url() {
    let server = Server::start(hour()).await;
    let client = server.client("/api");

    // The fixture's `Partner` scheme writes its token URL relative to the server.
    let declared = security::PARTNER.token_url(FlowKind::Password).unwrap();
    assert_eq!(declared, "/oauth/token");
    let resolved = client.resolve_url(declared).unwrap();
    assert_eq!(resolved.as_str(), format!("{}/oauth/token", server.url));
    // A path without a leading slash stays under the base URL's path.
    let nested = client.resolve_url("oauth/token").unwrap();
    assert_eq!(nested.as_str(), format!("{}/api/oauth/token", server.url));

    // `Partner` declares no clientCredentials flow: its token endpoint must be named, and a
    // relative one is resolved the same way.
    let err = client
        .set_client_credentials(security::PARTNER, ClientCredentials::new(CLIENT_ID, "x"))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("declares no clientCredentials flow"),
        "{err}"
    );
    let grant = ClientCredentials::new(CLIENT_ID, CLIENT_SECRET)
        .token_url(declared)
        .scopes(Scopes::PerOperation);
    client
        .set_client_credentials(security::PARTNER, grant)
        .unwrap();
    assert_eq!(client.list_reports().await.unwrap(), ["tok-1"]);
    let tokens = server.token_requests();
    assert_eq!(tokens[0].path, "/oauth/token");
    assert_eq!(
        tokens[0].body,
        "grant_type=client_credentials&scope=reports.read"
    );
    assert_eq!(server.api_requests()[0].path, "/api/reports");
}

#[tokio::test]
async fn secrets_never_show_in_debug() {
    let server = Server::start(hour()).await;
    let client = server.client("");
    let per_operation = grant(&server).scopes(Scopes::PerOperation);
    let shown = format!("{per_operation:?}");
    assert!(shown.contains(CLIENT_ID), "the id is not secret: {shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    client
        .set_client_credentials(security::O_AUTH2, per_operation)
        .unwrap();
    client.get_cart("a").await.unwrap();
    let shown = format!("{client:?} {:?}", client.credentials());
    assert!(shown.contains("redacted"), "{shown}");
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("tok-1"),
        "{shown}"
    );

    // Nor in the error of a failed token request.
    *server.shared.reply.lock().unwrap() =
        Some(TokenReply::Fail(401, json!({"error": "invalid_client"})));
    client.credentials().clear("OAuth2");
    client
        .set_client_credentials(security::O_AUTH2, grant(&server))
        .unwrap();
    let err = client.get_cart("a").await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert_eq!(
        err.token_error().unwrap().code(),
        Some(&ErrorCode::InvalidClient)
    );
}
