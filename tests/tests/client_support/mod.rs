//! A recording HTTP server on 127.0.0.1 for the client wire tests: it keeps every request as
//! received (raw path, query, headers, body) and answers with queued replies.

#![allow(dead_code)]

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use customer_managed::client::{Client, Config, Credentials, RetryPolicy, Token};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The tenant every test uses.
pub const TENANT: &str = "acme";
/// The customer token the credentials hold.
pub const CUSTOMER_TOKEN: &str = "cust-token-1";
/// The anonymous token the credentials hold.
pub const ANON_TOKEN: &str = "anon-token-1";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path exactly as sent (still percent-encoded).
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// A reply to send.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/json".to_string())],
            body: body.to_string(),
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "text/plain".to_string())],
            body: body.to_string(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

#[derive(Default)]
struct Shared {
    recorded: Mutex<Vec<Recorded>>,
    replies: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
}

/// The server; it stops when the test's runtime ends.
#[derive(Clone)]
pub struct Recorder {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl Recorder {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Recorder {
            base_url: format!("http://{addr}"),
            shared,
        }
    }

    /// Queues a reply for the next request.
    pub fn push(&self, reply: Reply) {
        self.shared.replies.lock().unwrap().push_back(reply);
    }

    /// The reply when the queue is empty.
    pub fn always(&self, reply: Reply) {
        *self.shared.fallback.lock().unwrap() = Some(reply);
    }

    /// Takes the requests recorded so far.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.shared.recorded.lock().unwrap())
    }

    /// A client for this server with both tokens set and retries off.
    pub fn client(&self) -> Client {
        let creds = Credentials::new();
        creds.set_token("CustomerAccessToken", Token::new(CUSTOMER_TOKEN));
        creds.set_token("AnonymousAccessToken", Token::new(ANON_TOKEN));
        self.client_with(creds, quick_config())
    }

    pub fn client_with(&self, creds: Credentials, config: Config) -> Client {
        Client::with_config(&self.base_url, creds, config).unwrap()
    }
}

/// Short timeouts, no retries.
pub fn quick_config() -> Config {
    Config {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy::off(),
        ..Config::default()
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap().to_vec();
    shared.recorded.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    });
    let queued = shared.replies.lock().unwrap().pop_front();
    let reply = queued.or_else(|| shared.fallback.lock().unwrap().clone());
    let Some(reply) = reply else {
        return (StatusCode::IM_A_TEAPOT, "no reply queued").into_response();
    };
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        resp.headers_mut().insert(name, value.parse().unwrap());
    }
    resp
}
