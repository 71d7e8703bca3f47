//! Calls every operation of the generated client once, with the spec's example data, against a
//! Stoplight Prism mock server (`cargo xtask conformance` starts Prism and runs this).
//!
//! Requests go through a small recording proxy on 127.0.0.1, so that besides the typed result
//! each call's raw response is checked: Prism marks a request that violates the spec with status
//! 422 and an `sl-violations` header. Prints `PASS <operationId> ...` or `FAIL <operationId>:
//! <reason>` per operation.
//!
//! Usage: `cargo run -p oasgen-tests --example prism_client -- http://127.0.0.1:4010`

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use customer_managed::client::{
    Client, Config, Credentials, Error, Token, UpdateCustomerProfileBody,
};
use oasgen_runtime::reqwest;
use serde_json::{json, Value};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// What the proxy saw of the last response.
#[derive(Debug, Default, Clone)]
struct Seen {
    request: String,
    status: u16,
    violations: Option<String>,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    last: Arc<Mutex<Option<Seen>>>,
}

async fn forward(State(p): State<Proxy>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut out = p
        .http
        .request(parts.method.clone(), format!("{}{path}", p.upstream));
    for (name, value) in &parts.headers {
        if name != "host" {
            out = out.header(name, value);
        }
    }
    let request = format!("{} {}", parts.method, parts.uri.path());
    match out.body(body.to_vec()).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let violations = resp
                .headers()
                .get("sl-violations")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            *p.last.lock().unwrap() = Some(Seen {
                request,
                status,
                violations,
            });
            let mut builder = Response::builder().status(status);
            for (name, value) in resp.headers() {
                builder = builder.header(name, value);
            }
            let bytes = resp.bytes().await.unwrap_or_default();
            builder.body(Body::from(bytes)).unwrap()
        }
        Err(e) => Response::builder()
            .status(599)
            .body(Body::from(format!("proxy: {e}")))
            .unwrap(),
    }
}

fn model<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("example matches the model")
}

/// Turns one call into a line, checking both the typed result and Prism's verdict.
fn verdict<T: Debug, E: Debug>(op: &str, r: Result<T, Error<E>>, seen: Option<Seen>) -> bool {
    let Some(seen) = seen else {
        println!("FAIL {op}: no request reached Prism ({:?})", r.err());
        return false;
    };
    let problem = match (&r, &seen) {
        (
            _,
            Seen {
                violations: Some(v),
                ..
            },
        ) => Some(format!("Prism reported violations: {v}")),
        (_, Seen { status: 422, .. }) => {
            Some(format!("Prism answered 422: {:?}", r.as_ref().err()))
        }
        (Err(e), _) => Some(format!("{e}")),
        (Ok(_), _) => None,
    };
    match problem {
        None => {
            println!("PASS {op:<24} {} -> {}", seen.request, seen.status);
            true
        }
        Some(p) => {
            println!("FAIL {op:<24} {} -> {}: {p}", seen.request, seen.status);
            false
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let upstream = std::env::args()
        .nth(1)
        .expect("usage: prism_client <prism base URL>");
    let last = Arc::new(Mutex::new(None));
    let proxy = Proxy {
        upstream: upstream.trim_end_matches('/').to_string(),
        http: reqwest::Client::new(),
        last: last.clone(),
    };
    let app = axum::Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let creds = Credentials::new();
    creds.set_token(
        "CustomerAccessToken",
        Token::new("aYR3Lu3rpsQ9ODhBIR83b3txTr5K"),
    );
    creds.set_token(
        "AnonymousAccessToken",
        Token::new("tpYgJPZqddEQ2zwfzNtx79noBP65"),
    );
    let c = Client::with_config(&format!("http://{addr}"), creds, Config::default()).unwrap();
    let t = "acme";
    let take = || last.lock().unwrap().take();
    let mut passed = 0;
    let mut total = 0;
    macro_rules! check {
        ($op:literal, $call:expr) => {{
            total += 1;
            let r = $call.await;
            if verdict($op, r, take()) {
                passed += 1;
            }
        }};
    }

    let login = json!({"email": "customer@customer.com", "password": "password123"});
    let address = json!({"contactName": "John Doe", "companyName": "Emporix",
        "street": "Platz der Republik", "streetNumber": "1", "zipCode": "11011", "city": "Berlin",
        "country": "DE", "state": "Berlin", "contactPhone": "123456789",
        "tags": ["BILLING", "SHIPPING"]});
    let profile = json!({"title": "MR", "firstName": "John", "lastName": "Doe",
        "contactEmail": "example@customer.com", "contactPhone": "123456789", "company": "Emporix",
        "preferredLanguage": "en_US", "preferredCurrency": "EUR", "preferredSite": "DE",
        "b2b": {"companyRegistrationId": "123-456-789"}, "metadata": {"version": 1}});

    check!("anonymousLogin", c.anonymous_login(t, "storefront-client"));
    check!(
        "refreshAnonymousToken",
        c.refresh_anonymous_token(t, "storefront-client")
            .refresh_token("7FnviYrxvQWYdzUVBVTvXeNAA4Jy1HPe")
    );
    let signup = json!({"email": "example@customer.com", "password": "password123",
        "customerDetails": {"firstName": "John", "lastName": "Doe"}, "customerAddress": address});
    check!("signup", c.signup(t, &model(signup)));
    check!("login", c.login(t, &model(login.clone())));
    check!("logout", c.logout(t, "aYR3Lu3rpsQ9ODhBIR83b3txTr5K"));
    check!(
        "refreshCustomerToken",
        c.refresh_customer_token(t, "94tKQ2Tsvlf9dYbmyccA7X1Rqe54B6dH")
            .legal_entity_id("53ac81fd0cce8b26b36f3492")
    );
    check!("validateToken", c.validate_token(t));
    let social = json!({"email": "example@customer.com", "name": "John Doe", "provider": "google"});
    check!(
        "socialLogin",
        c.social_login(t, "auth-code", "https://shop.example.com/callback")
            .code_verifier("verifier")
            .session_id("6d4d4d5e-04b9-40c5-9074-4df1405c6081")
            .body(&model(social))
    );
    check!(
        "getCustomerProfile",
        c.get_customer_profile(t).expand("addresses,mixin:*")
    );
    check!(
        "deleteCustomerProfile",
        c.delete_customer_profile(t).token("mail-token")
    );
    check!(
        "updateCustomerProfile",
        c.update_customer_profile(
            t,
            &UpdateCustomerProfileBody::ApplicationMergePatchJson(model(profile))
        )
    );
    check!("assignAccount", c.assign_account(t, &model(login.clone())));
    check!("listAddresses", c.list_addresses(t));
    check!("addAddress", c.add_address(t, &model(address.clone())));
    check!("getAddress", c.get_address(t, "b05c20e034"));
    check!("deleteAddress", c.delete_address(t, "b05c20e034"));
    let mut update = address.clone();
    update["isDefault"] = json!(true);
    check!(
        "updateAddress",
        c.update_address(t, "b05c20e034", &model(update))
    );
    check!(
        "addAddressTags",
        c.add_address_tags(t, "b05c20e034", "BILLING,SHIPPING")
    );
    check!(
        "deleteAddressTags",
        c.delete_address_tags(t, "b05c20e034", "BILLING")
    );
    check!("confirmOptIn", c.confirm_opt_in(t, "optin-token"));
    check!(
        "resendActivationLink",
        c.resend_activation_link(t, &model(json!({"email": "example@customer.com"})))
    );
    let change = json!({"email": "example@customer.com", "password": "password123",
        "newEmail": "example@emporix.com", "syncContactEmail": true});
    check!(
        "requestEmailChange",
        c.request_email_change(t).body(&model(change))
    );
    check!(
        "confirmEmailChange",
        c.confirm_email_change(t)
            .body(&model(json!({"token": "beExUmshJC5gnuXk1kET5dCLyQ"})))
    );
    check!(
        "requestPasswordReset",
        c.request_password_reset(t).body(&model(
            json!({"email": "example@customer.com", "site": "main"})
        ))
    );
    check!(
        "resetPassword",
        c.reset_password(t).body(&model(
            json!({"token": "beExUmshJC5gnuXk1kET5dCLyQ", "password": "P@ssw0rd123"})
        ))
    );
    check!(
        "changePassword",
        c.change_password(t).body(&model(
            json!({"currentPassword": "password123", "newPassword": "P@ssw0rd123"})
        ))
    );
    let failed = total - passed;
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
