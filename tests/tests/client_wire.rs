//! Wire tests of the generated client against a recording server on 127.0.0.1: for every
//! operation the exact method, path, query, headers, credentials and body, and the typed
//! decoding of every documented status.

mod client_support;

use client_support::{Recorded, Recorder, Reply, ANON_TOKEN, CUSTOMER_TOKEN, TENANT};
use customer_managed::client::{Client, Error, UpdateCustomerProfileBody};
use customer_managed::models;
use oasgen::ir::{self, StatusSpec, TypeExpr};
use serde_json::{json, Value};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

/// What a call came to, independent of the operation's types.
#[derive(Debug)]
#[allow(dead_code)] // Fields are read through `Debug` in failure messages.
enum Outcome {
    /// A success value, as `Debug`.
    Ok(String),
    /// A documented error, its variant as `Debug`.
    Api(u16, String),
    Unexpected(u16, String),
    Decode(u16, String),
    Other(String),
}

fn outcome<T: Debug, E: Debug>(r: Result<T, Error<E>>) -> Outcome {
    match r {
        Ok(v) => Outcome::Ok(format!("{v:?}")),
        Err(Error::Api(p)) => Outcome::Api(p.status.as_u16(), format!("{:?}", p.body)),
        Err(Error::UnexpectedStatus(p)) => Outcome::Unexpected(p.status.as_u16(), p.raw),
        Err(Error::Decode(d)) => Outcome::Decode(d.status.as_u16(), d.raw),
        Err(e) => Outcome::Other(e.to_string()),
    }
}

/// The request an operation must send.
#[derive(Debug, Default)]
struct Expect {
    method: &'static str,
    path: String,
    query: Option<&'static str>,
    /// The token in `Authorization: Bearer ...`, if any.
    bearer: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    content_type: Option<&'static str>,
    body: Option<Value>,
}

fn expect(method: &'static str, path: &str, bearer: Option<&'static str>) -> Expect {
    Expect {
        method,
        path: path.to_string(),
        bearer,
        ..Expect::default()
    }
}

impl Expect {
    fn query(mut self, q: &'static str) -> Self {
        self.query = Some(q);
        self
    }
    fn json(mut self, body: Value) -> Self {
        self.content_type = Some("application/json");
        self.body = Some(body);
        self
    }
    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn check(&self, op: &str, got: &Recorded) {
        assert_eq!(got.method, self.method, "{op}: method");
        assert_eq!(got.path, self.path, "{op}: path");
        assert_eq!(got.query.as_deref(), self.query, "{op}: query");
        let auth = self.bearer.map(|t| format!("Bearer {t}"));
        assert_eq!(got.header("authorization"), auth.as_deref(), "{op}: auth");
        for (name, value) in &self.headers {
            assert_eq!(got.header(name), Some(*value), "{op}: header {name}");
        }
        assert_eq!(
            got.header("content-type"),
            self.content_type,
            "{op}: content type"
        );
        match &self.body {
            Some(body) => assert_eq!(&got.json(), body, "{op}: body"),
            None => assert!(got.body.is_empty(), "{op}: no body expected"),
        }
        let ua = got.header("user-agent").unwrap_or("");
        assert!(ua.starts_with("customer-managed/"), "{op}: user agent {ua}");
    }
}

type Call = Pin<Box<dyn Future<Output = Outcome> + Send>>;

fn model<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

/// The call of one operation with sample arguments, and the request it must send.
fn case(c: &Client, op: &str) -> (Expect, Call) {
    let c = c.clone();
    let cust = Some(CUSTOMER_TOKEN);
    let anon = Some(ANON_TOKEN);
    let login = json!({"email": "a@example.com", "password": "pw-1"});
    let address = json!({"contactName": "John Doe", "city": "Berlin", "tags": ["BILLING"]});
    match op {
        "anonymousLogin" => (
            expect("GET", "/customerlogin/auth/anonymous/login", None)
                .query("tenant=acme&client_id=client-1"),
            Box::pin(async move { outcome(c.anonymous_login(TENANT, "client-1").await) }),
        ),
        "refreshAnonymousToken" => (
            expect("GET", "/customerlogin/auth/anonymous/refresh", None)
                .query("tenant=acme&refresh_token=rt-1&client_id=client-1"),
            Box::pin(async move {
                outcome(
                    c.refresh_anonymous_token(TENANT, "client-1")
                        .refresh_token("rt-1")
                        .await,
                )
            }),
        ),
        "signup" => {
            let body = json!({"email": "a@example.com", "password": "pw-1",
                "customerDetails": {"firstName": "John"}});
            let m: models::CustomerSignup = model(&body);
            (
                expect("POST", "/customer/acme/signup", anon).json(body),
                Box::pin(async move { outcome(c.signup(TENANT, &m).await) }),
            )
        }
        "login" => {
            let m: models::PasswordAuthentication = model(&login);
            (
                expect("POST", "/customer/acme/login", anon).json(login),
                Box::pin(async move { outcome(c.login(TENANT, &m).await) }),
            )
        }
        "logout" => (
            expect("GET", "/customer/acme/logout", cust).query("accessToken=old%2Btoken"),
            Box::pin(async move { outcome(c.logout(TENANT, "old+token").await) }),
        ),
        "refreshCustomerToken" => (
            expect("GET", "/customer/acme/refreshauthtoken", anon)
                .query("refreshToken=rt-2&legalEntityId=le-1"),
            Box::pin(async move {
                outcome(
                    c.refresh_customer_token(TENANT, "rt-2")
                        .legal_entity_id("le-1")
                        .await,
                )
            }),
        ),
        "validateToken" => (
            expect("GET", "/customer/acme/validateauthtoken", cust),
            Box::pin(async move { outcome(c.validate_token(TENANT).await) }),
        ),
        "socialLogin" => {
            let body = json!({"email": "a@example.com", "provider": "google"});
            let m: models::SocialLoginRequest = model(&body);
            (
                expect("POST", "/customer/acme/socialLogin", anon)
                    .query(
                        "code=c-1&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&code_verifier=v-1",
                    )
                    .header("session-id", "sess-1")
                    .json(body),
                Box::pin(async move {
                    let r = c
                        .social_login(TENANT, "c-1", "https://shop.example/cb")
                        .code_verifier("v-1")
                        .session_id("sess-1")
                        .body(&m);
                    outcome(r.await)
                }),
            )
        }
        "getCustomerProfile" => (
            expect("GET", "/customer/acme/me", cust).query("expand=addresses%2Cmixin%3A*"),
            Box::pin(async move {
                outcome(
                    c.get_customer_profile(TENANT)
                        .expand("addresses,mixin:*")
                        .await,
                )
            }),
        ),
        "deleteCustomerProfile" => (
            expect("DELETE", "/customer/acme/me", cust).query("token=t-1"),
            Box::pin(async move { outcome(c.delete_customer_profile(TENANT).token("t-1").await) }),
        ),
        "updateCustomerProfile" => {
            let body = json!({"firstName": "Jane", "preferredCurrency": "EUR"});
            let m = UpdateCustomerProfileBody::ApplicationMergePatchJson(model(&body));
            let mut e = expect("PATCH", "/customer/acme/me", cust).json(body);
            e.content_type = Some("application/merge-patch+json");
            (
                e,
                Box::pin(async move { outcome(c.update_customer_profile(TENANT, &m).await) }),
            )
        }
        "assignAccount" => {
            let m: models::PasswordAuthentication = model(&login);
            (
                expect("POST", "/customer/acme/me/accounts/internal", cust).json(login),
                Box::pin(async move { outcome(c.assign_account(TENANT, &m).await) }),
            )
        }
        "listAddresses" => (
            expect("GET", "/customer/acme/me/addresses", cust),
            Box::pin(async move { outcome(c.list_addresses(TENANT).await) }),
        ),
        "addAddress" => {
            let m: models::Address = model(&address);
            (
                expect("POST", "/customer/acme/me/addresses", cust).json(address),
                Box::pin(async move { outcome(c.add_address(TENANT, &m).await) }),
            )
        }
        "getAddress" => (
            expect("GET", "/customer/acme/me/addresses/addr-1", cust),
            Box::pin(async move { outcome(c.get_address(TENANT, "addr-1").await) }),
        ),
        "deleteAddress" => (
            expect("DELETE", "/customer/acme/me/addresses/addr-1", cust),
            Box::pin(async move { outcome(c.delete_address(TENANT, "addr-1").await) }),
        ),
        "updateAddress" => {
            let m: models::Address = model(&address);
            (
                expect("PATCH", "/customer/acme/me/addresses/addr-1", cust).json(address),
                Box::pin(async move { outcome(c.update_address(TENANT, "addr-1", &m).await) }),
            )
        }
        "addAddressTags" => (
            expect("POST", "/customer/acme/me/addresses/addr-1/tags", cust)
                .query("tags=BILLING%2CSHIPPING"),
            Box::pin(async move {
                outcome(
                    c.add_address_tags(TENANT, "addr-1", "BILLING,SHIPPING")
                        .await,
                )
            }),
        ),
        "deleteAddressTags" => (
            expect("DELETE", "/customer/acme/me/addresses/addr-1/tags", cust).query("tags=BILLING"),
            Box::pin(
                async move { outcome(c.delete_address_tags(TENANT, "addr-1", "BILLING").await) },
            ),
        ),
        "confirmOptIn" => (
            expect("GET", "/customer/acme/signup/optin/opt-1", anon),
            Box::pin(async move { outcome(c.confirm_opt_in(TENANT, "opt-1").await) }),
        ),
        "resendActivationLink" => {
            let body = json!({"email": "a@example.com"});
            let m: models::ResendActivationRequest = model(&body);
            (
                expect("POST", "/customer/acme/signup/optin/refresh_token", anon).json(body),
                Box::pin(async move { outcome(c.resend_activation_link(TENANT, &m).await) }),
            )
        }
        "requestEmailChange" => {
            let body = json!({"email": "a@example.com", "password": "pw-1",
                "newEmail": "b@example.com", "syncContactEmail": true});
            let m: models::ChangeEmailRequestDto = model(&body);
            (
                expect(
                    "POST",
                    "/customer/acme/me/accounts/internal/email/change",
                    cust,
                )
                .json(body),
                Box::pin(async move { outcome(c.request_email_change(TENANT).body(&m).await) }),
            )
        }
        "confirmEmailChange" => {
            let body = json!({"token": "mail-token"});
            let m: models::UpdateEmail = model(&body);
            (
                expect(
                    "POST",
                    "/customer/acme/me/accounts/internal/email/change/confirm",
                    anon,
                )
                .json(body),
                Box::pin(async move { outcome(c.confirm_email_change(TENANT).body(&m).await) }),
            )
        }
        "requestPasswordReset" => {
            let body = json!({"email": "a@example.com", "site": "main"});
            let m: models::PasswordResetRequestDto = model(&body);
            (
                expect("POST", "/customer/acme/password/reset", anon).json(body),
                Box::pin(async move { outcome(c.request_password_reset(TENANT).body(&m).await) }),
            )
        }
        "resetPassword" => {
            let body = json!({"token": "mail-token", "password": "pw-2"});
            let m: models::PasswordUpdate = model(&body);
            (
                expect("POST", "/customer/acme/password/reset/update", anon).json(body),
                Box::pin(async move { outcome(c.reset_password(TENANT).body(&m).await) }),
            )
        }
        "changePassword" => {
            let body = json!({"currentPassword": "pw-1", "newPassword": "pw-2"});
            let m: models::PasswordChangeDto = model(&body);
            (
                expect("POST", "/customer/acme/password/change", cust).json(body),
                Box::pin(async move { outcome(c.change_password(TENANT).body(&m).await) }),
            )
        }
        other => panic!("no wire case for operation `{other}`: add one"),
    }
}

fn spec_api() -> ir::Api {
    let root = oasgen_tests::package_dir().join("..");
    let text = std::fs::read_to_string(root.join("specs/customer-managed.yaml")).unwrap();
    let loaded = oasgen::load::load("spec", &text).unwrap();
    oasgen::lower::lower("spec", &loaded).unwrap()
}

/// A body of the type: the first seed sample of a named type, else an empty object.
fn sample(api: &ir::Api, ty: &TypeExpr) -> Value {
    match ty {
        TypeExpr::Array(item) => json!([sample(api, item)]),
        TypeExpr::Named(id) => {
            let name = &api.ty(*id).name;
            let dir = oasgen_tests::package_dir().join("fixtures/seed-samples");
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    let f = p.file_name().unwrap().to_string_lossy();
                    // `Type--list-...` samples are arrays of the type.
                    f.starts_with(&format!("{name}--"))
                        && !f.starts_with(&format!("{name}--list-"))
                        && f.ends_with(".json")
                })
                .collect();
            files.sort();
            match files.first() {
                Some(f) => serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap(),
                None if name == "Unauthorized" => json!({"fault": {"faultstring": "Invalid token",
                    "detail": {"errorcode": "invalid_access_token"}}}),
                None => json!({}),
            }
        }
        _ => json!({}),
    }
}

#[tokio::test]
async fn every_operation_sends_exactly_the_documented_request() {
    let api = spec_api();
    let server = Recorder::start().await;
    let client = server.client();
    for op in &api.operations {
        let (expected, call) = case(&client, &op.operation_id);
        let first_ok = op.responses.iter().find(|r| r.status.is_success()).unwrap();
        let StatusSpec::Code(code) = first_ok.status else {
            panic!("ranges are not used")
        };
        match &first_ok.body {
            Some(b) => server.push(Reply::json(code, sample(&api, &b.ty))),
            None => server.push(Reply::empty(code)),
        }
        let got = call.await;
        assert!(
            matches!(got, Outcome::Ok(_)),
            "{}: {got:?}",
            op.operation_id
        );
        let recorded = server.take();
        assert_eq!(recorded.len(), 1, "{}: one request", op.operation_id);
        expected.check(&op.operation_id, &recorded[0]);
    }
    assert_eq!(api.operations.len(), 26);
}

#[tokio::test]
async fn every_documented_status_decodes_into_its_variant() {
    let api = spec_api();
    let server = Recorder::start().await;
    let client = server.client();
    let mut checked = 0;
    for op in &api.operations {
        let several_oks = op
            .responses
            .iter()
            .filter(|r| r.status.is_success())
            .count()
            > 1;
        for r in &op.responses {
            let StatusSpec::Code(code) = r.status else {
                panic!("ranges are not used")
            };
            match &r.body {
                Some(b) => server.push(Reply::json(code, sample(&api, &b.ty))),
                None => server.push(Reply::empty(code)),
            }
            let (_, call) = case(&client, &op.operation_id);
            let got = call.await;
            let id = &op.operation_id;
            match (&got, r.status.is_success()) {
                (Outcome::Ok(v), true) if several_oks => {
                    assert!(v.starts_with(&r.ident), "{id} {code}: {v}")
                }
                (Outcome::Ok(_), true) => {}
                (Outcome::Api(status, v), false) => {
                    assert_eq!(*status, code, "{id}");
                    assert!(v.starts_with(&r.ident), "{id} {code}: {v}");
                    if r.body.is_some() {
                        assert!(v.starts_with(&format!("{}(", r.ident)), "{id} {code}: {v}");
                    }
                }
                _ => panic!("{id} {code}: {got:?}"),
            }
            checked += 1;
        }
        server.take();
    }
    // The 26 operations document 101 responses (98, plus a 400 for a bad tenant on the two
    // anonymous-token operations and on validateToken).
    assert_eq!(checked, 101);
}

#[tokio::test]
async fn decoded_values_carry_the_fields_sent() {
    let server = Recorder::start().await;
    let client = server.client();
    let profile = json!({"id": "13869000", "firstName": "John", "b2b": {"legalEntities": [{"id": "D1"}]},
        "addresses": [{"id": "a1", "isDefault": true}], "mixins": {"x": 1}});
    server.push(Reply::json(200, profile.clone()));
    let got = client.get_customer_profile(TENANT).await.unwrap();
    assert_eq!(serde_json::to_value(&got).unwrap(), profile);
    let recorded = server.take();
    assert_eq!(recorded[0].query, None, "None parameters are not sent");

    server.push(Reply::json(
        404,
        json!({"status": 404, "type": "not_found", "message": "no such address"}),
    ));
    let err = client.get_address(TENANT, "a9").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    match err.api_error() {
        Some(customer_managed::client::GetAddressError::NotFound(e)) => {
            assert_eq!(e.message.as_deref(), Some("no such address"))
        }
        other => panic!("{other:?}"),
    }
    assert!(err.raw_body().unwrap().contains("no such address"));
    // Display: the request, the status and the body's message fields, not the typed body.
    assert_eq!(
        err.to_string(),
        format!("`GET /customer/{TENANT}/me/addresses/a9` answered 404 Not Found (message: no such address)")
    );
}

#[tokio::test]
async fn undocumented_status_and_bad_bodies_keep_the_raw_response() {
    let server = Recorder::start().await;
    let client = server.client();
    server.push(Reply::text(418, "short and stout").with_header("x-trace", "t-1"));
    let err = client.validate_token(TENANT).await.unwrap_err();
    match &err {
        Error::UnexpectedStatus(p) => {
            assert_eq!(p.status.as_u16(), 418);
            assert_eq!(p.raw, "short and stout");
            assert_eq!(p.headers.get("x-trace").unwrap(), "t-1");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("418"), "{err}");

    server.push(Reply::json(200, json!({"expires_in": "soon"})));
    let err = client.validate_token(TENANT).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.status.as_u16(), 200);
            assert_eq!(d.raw, r#"{"expires_in":"soon"}"#);
            assert_eq!(d.json_path, "expires_in");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("does not match its schema at `expires_in`"),
        "{err}"
    );

    server.push(Reply::text(401, "<html>gateway</html>"));
    let err = client.validate_token(TENANT).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.raw == "<html>gateway</html>"),
        "{err:?}"
    );
}

#[tokio::test]
async fn patch_me_sends_either_media_type() {
    let server = Recorder::start().await;
    let client = server.client();
    server.push(Reply::empty(200));
    let dto: models::CustomerUpdateDto = model(&json!({"lastName": "Doe"}));
    client
        .update_customer_profile(TENANT, &UpdateCustomerProfileBody::ApplicationJson(dto))
        .await
        .unwrap();
    let r = server.take();
    assert_eq!(r[0].header("content-type"), Some("application/json"));
    assert_eq!(r[0].json(), json!({"lastName": "Doe"}));
}

#[tokio::test]
async fn path_parameters_are_sent_as_one_segment() {
    let server = Recorder::start().await;
    let client = server.client();
    server.always(Reply::empty(204));
    client.delete_address(TENANT, "a/../b?x#y").await.unwrap();
    client.delete_address(TENANT, "100% é").await.unwrap();
    let r = server.take();
    assert_eq!(r[0].path, "/customer/acme/me/addresses/a%2F..%2Fb%3Fx%23y");
    assert_eq!(r[0].query, None);
    assert_eq!(r[1].path, "/customer/acme/me/addresses/100%25%20%C3%A9");
    // `..` alone would change the path: refused before sending.
    let err = client.delete_address(TENANT, "..").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.take().is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    let server = Recorder::start().await;
    let base = format!("{}/api/v1/", server.base_url);
    let creds = customer_managed::client::Credentials::new();
    creds.set_token(
        "CustomerAccessToken",
        customer_managed::client::Token::new("t"),
    );
    let client = Client::with_config(&base, creds, client_support::quick_config()).unwrap();
    server.push(Reply::json(200, json!([])));
    assert_eq!(client.list_addresses(TENANT).await.unwrap(), vec![]);
    assert_eq!(server.take()[0].path, "/api/v1/customer/acme/me/addresses");
}
