//! Credentials and transport policy of the generated client, over loopback: token choice per
//! operation, single-flight refresh, refresh-and-retry on 401, retries, and redaction.
//!
//! Tests whose logic waits (a token source's delay, backoff, `Retry-After`) run on tokio's
//! paused time, so those waits take no real time. Paused time moves the clock to the next
//! timer whenever the runtime is idle, and it is idle too while a request is in flight on the
//! loopback socket: a request timeout could fire that real time never reaches, or the clock
//! jump past an idle-connection timer. So those tests use [`untimed`] clients, and the server
//! (`axum::serve`) has no timers either: the only timers are the waits under test, and the
//! clock moves by exactly those.

mod client_support;

use client_support::{quick_config, Recorder, Reply, ANON_TOKEN, CUSTOMER_TOKEN, TENANT};
use customer_managed::client::{Config, Credentials, Error, RetryPolicy, Secret, Token};
use customer_managed::models;
use oasgen_runtime::BoxError;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::Instant as Clock;

const CUSTOMER: &str = "CustomerAccessToken";
const ANONYMOUS: &str = "AnonymousAccessToken";

/// A token source that counts its calls and hands out `fresh-<n>` after a short delay.
fn counting_source(
    calls: Arc<AtomicUsize>,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Token, BoxError>> + Send>>
       + Send
       + Sync
       + 'static {
    move || {
        let calls = calls.clone();
        Box::pin(async move {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(Token::expiring_in(
                format!("fresh-{n}"),
                Duration::from_secs(3600),
            ))
        })
    }
}

/// `config` with a reqwest client that sets no timer (no timeouts, no idle-connection
/// reaping), for tests on paused time.
fn untimed(config: Config) -> Config {
    let http = reqwest::Client::builder().pool_idle_timeout(None).build();
    Config {
        http: Some(http.expect("a client without TLS roots to load builds")),
        ..config
    }
}

fn expired(value: &str) -> Token {
    Token {
        value: Secret::new(value),
        expires_at: Some(Instant::now()),
    }
}

#[tokio::test]
async fn each_operation_gets_a_token_of_a_scheme_it_accepts() {
    let server = Recorder::start().await;
    server.always(Reply::json(200, json!({})));
    let creds = Credentials::new();
    creds.set_token(ANONYMOUS, Token::new(ANON_TOKEN));
    let client = server.client_with(creds.clone(), quick_config());

    // getCustomerProfile accepts either scheme: with only the anonymous token, that is sent.
    client.get_customer_profile(TENANT).await.unwrap();
    // validateToken accepts only the customer token: nothing is sent.
    let err = client.validate_token(TENANT).await.unwrap_err();
    match &err {
        Error::MissingCredentials {
            operation,
            accepted,
        } => {
            assert_eq!(*operation, "validateToken");
            assert_eq!(accepted, &vec![CUSTOMER]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("CustomerAccessToken"), "{err}");
    // With both, the first alternative of the spec (the customer token) wins.
    creds.set_token(CUSTOMER, Token::new(CUSTOMER_TOKEN));
    client.get_customer_profile(TENANT).await.unwrap();
    // anonymousLogin needs no credentials and sends none.
    client.anonymous_login(TENANT, "c").await.unwrap();

    let r = server.take();
    assert_eq!(r.len(), 3, "the call without credentials sent nothing");
    assert_eq!(r[0].header("authorization"), Some("Bearer anon-token-1"));
    assert_eq!(r[1].header("authorization"), Some("Bearer cust-token-1"));
    assert_eq!(r[2].header("authorization"), None);
}

// Real time: paused time needs the single-threaded runtime, and the callers must race on
// threads while the refresh (50 ms) is in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_with_an_expired_token_refresh_once() {
    let server = Recorder::start().await;
    server.always(Reply::json(200, json!({"id": "c1"})));
    let calls = Arc::new(AtomicUsize::new(0));
    let creds = Credentials::new();
    creds.set_token(CUSTOMER, expired("stale"));
    creds.set_source(CUSTOMER, counting_source(calls.clone()));
    let client = server.client_with(creds, quick_config());

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_customer_profile(TENANT).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let refreshes = calls.load(Ordering::SeqCst);
    println!("refreshes under 100 concurrent calls: {refreshes}");
    assert_eq!(refreshes, 1);
    let r = server.take();
    assert_eq!(r.len(), 100);
    assert!(r
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer fresh-1")));
}

#[tokio::test(start_paused = true)]
async fn a_401_refreshes_once_and_retries_once() {
    let server = Recorder::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let creds = Credentials::new();
    creds.set_token(CUSTOMER, Token::new("revoked"));
    creds.set_source(CUSTOMER, counting_source(calls.clone()));
    let client = server.client_with(creds, untimed(quick_config()));

    // Rejected, refreshed, accepted.
    server.push(Reply::json(
        401,
        json!({"fault": {"faultstring": "Invalid token"}}),
    ));
    server.push(Reply::json(200, json!({"id": "c1"})));
    let got = client.get_customer_profile(TENANT).await.unwrap();
    assert_eq!(got.id.as_deref(), Some("c1"));
    let r = server.take();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].header("authorization"), Some("Bearer revoked"));
    assert_eq!(r[1].header("authorization"), Some("Bearer fresh-1"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Rejected twice: one refresh, one retry, then the typed 401.
    server.always(Reply::json(
        401,
        json!({"fault": {"faultstring": "Invalid token"}}),
    ));
    let err = client.get_customer_profile(TENANT).await.unwrap_err();
    assert!(
        matches!(
            err.api_error(),
            Some(customer_managed::client::GetCustomerProfileError::Unauthorized(_))
        ),
        "{err:?}"
    );
    assert_eq!(server.take().len(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_401_without_a_token_source_is_returned_as_is() {
    let server = Recorder::start().await;
    server.always(Reply::json(
        401,
        json!({"fault": {"faultstring": "Invalid token"}}),
    ));
    let client = server.client();
    let err = client.validate_token(TENANT).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn a_failing_token_source_is_reported_before_sending() {
    let server = Recorder::start().await;
    let creds = Credentials::new();
    creds.set_source(CUSTOMER, || async {
        Err::<Token, BoxError>("login server down".into())
    });
    let client = server.client_with(creds, quick_config());
    let err = client.validate_token(TENANT).await.unwrap_err();
    assert!(
        matches!(&err, Error::TokenRefresh { scheme, .. } if scheme == CUSTOMER),
        "{err:?}"
    );
    assert!(err.to_string().contains("login server down"), "{err}");
    assert!(server.take().is_empty());
}

/// Two retries, on paused time.
fn retrying() -> Config {
    untimed(Config {
        retry: RetryPolicy {
            max_retries: 2,
            ..RetryPolicy::default()
        },
        ..quick_config()
    })
}

#[tokio::test(start_paused = true)]
async fn idempotent_calls_are_retried_on_503_and_post_is_not() {
    let server = Recorder::start().await;
    let client = server.client_with(
        {
            let c = Credentials::new();
            c.set_token(CUSTOMER, Token::new(CUSTOMER_TOKEN));
            c
        },
        retrying(),
    );

    server.push(Reply::text(503, "busy"));
    server.push(Reply::json(200, json!([])));
    assert_eq!(client.list_addresses(TENANT).await.unwrap(), vec![]);
    assert_eq!(server.take().len(), 2, "GET: 503 then 200");

    server.push(Reply::text(503, "busy"));
    server.push(Reply::json(201, json!({"id": "a1"})));
    let err = client
        .add_address(TENANT, &models::Address::default())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.raw_body(), Some("busy"));
    assert_eq!(server.take().len(), 1, "POST is never retried");
    server.take();
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_limit_and_honour_retry_after() {
    let server = Recorder::start().await;
    let client = server.client_with(
        {
            let c = Credentials::new();
            c.set_token(CUSTOMER, Token::new(CUSTOMER_TOKEN));
            c
        },
        retrying(),
    );
    server.always(Reply::text(502, "bad gateway"));
    let start = Clock::now();
    let err = client.delete_address(TENANT, "a1").await.unwrap_err();
    // Two jittered backoffs: 100-200 ms, then 200-400 ms.
    let waited = start.elapsed();
    let range = Duration::from_millis(300)..=Duration::from_millis(600);
    assert!(range.contains(&waited), "{waited:?}");
    assert!(
        matches!(&err, Error::UnexpectedStatus(p) if p.status.as_u16() == 502),
        "{err:?}"
    );
    assert_eq!(server.take().len(), 3, "one try and two retries");

    server.push(Reply::text(429, "slow down").with_header("retry-after", "1"));
    server.push(Reply::json(200, json!([])));
    let start = Clock::now();
    client.list_addresses(TENANT).await.unwrap();
    // The asked second, not the backoff.
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.take().len(), 2);

    // A Retry-After beyond the policy's limit is not waited for.
    server.push(Reply::text(503, "maintenance").with_header("retry-after", "3600"));
    let err = client.list_addresses(TENANT).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = Recorder::start().await;
    let client = server.client(); // `quick_config` has retries off.
    server.always(Reply::text(503, "busy"));
    client.list_addresses(TENANT).await.unwrap_err();
    assert_eq!(server.take().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn connection_errors_are_transport_errors() {
    // A port nothing listens on: bind, note the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let creds = Credentials::new();
    creds.set_token(CUSTOMER, Token::new(CUSTOMER_TOKEN));
    let client = customer_managed::client::Client::with_config(
        &format!("http://127.0.0.1:{port}"),
        creds,
        retrying(),
    )
    .unwrap();
    let err = client
        .logout(TENANT, "secret-token-in-query")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("secret-token-in-query"), "{shown}");
}

#[test]
fn tokens_never_show_in_debug() {
    let creds = Credentials::new();
    creds.set_token(CUSTOMER, Token::new("tok-SECRET-1"));
    creds.set_token(ANONYMOUS, expired("tok-SECRET-2"));
    let shown = format!("{creds:?} {:?}", Token::new("tok-SECRET-3"));
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");

    let login: models::CustomerLoginResponse = serde_json::from_value(json!({
        "access_token": "tok-SECRET-4", "refresh_token": "tok-SECRET-5", "saas_token": "tok-SECRET-6",
        "session_id": "s-1"
    }))
    .unwrap();
    let auth = models::PasswordAuthentication {
        email: "a@example.com".into(),
        password: "pw-SECRET-7".into(),
    };
    let shown = format!("{login:?} {auth:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(
        shown.contains("s-1") && shown.contains("a@example.com"),
        "{shown}"
    );

    let client = customer_managed::client::Client::new(creds).unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}
